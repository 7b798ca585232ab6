// The Wit executor of the `wit` profile (ADP-014) over one in-memory ObjectSpace.
//
// It finds pending messages from every head's outbox and from the outside
// (WIT-003 … WIT-005, WIT-010), creates actors from genesis messages (WIT-012),
// runs updates alone (WIT-013, WIT-014) and ordinary transitions otherwise, and
// adopts each step by storing its objects, then moving `heads/<actor>`. Actors
// run in rounds, in ascending id order, with idle snapshots: exactly the
// schedule ADP-014 fixes, so that step ids equal the reference's (WIT-011).
// A Wit is a function input -> output (witsteps.mjs) that fails by throwing;
// a queryable Wit also has `query(name, input)` returning a blob (WIT-017).

import { GritError, fail } from './errors.mjs'
import { blob, getTyped, idOf, mailbox, message, ObjectSpace, Overlay, textBlob, tree } from './witobjects.mjs'
import { assemble, coreProblem, merge, mtOf, pending, WIT, WIT_UPDATE } from './witsteps.mjs'
import { mailboxMap } from './witoutbox.mjs'
import { boundCore, CORE_BYTES, PYTHON_RUNTIME, pythonWit } from './sandbox.mjs'

/** The pseudo-actor of outside messages: 32 zero bytes (WIT-003). */
export const OUTSIDE = '0'.repeat(64)
/** The outside's old single outbox ref: read as a fallback, never written (RUN-003.5). */
export const OUTSIDE_REF = 'names/outside-outbox'
/**
 * The ref of the outside's mailbox holding its entry for `recipient` (RUN-003.4):
 * `names/outside-outbox/<h>`, `<h>` the 16th hex digit of the recipient's text form.
 */
export const outsideRef = (recipient) => `${OUTSIDE_REF}/${recipient[15]}`
const DIGITS = '0123456789abcdef'

/**
 * The outside's outbox entries (recipient -> message): each recipient's from its digit's
 * mailbox, else from the old ref's (RUN-003.4, RUN-003.5). Refs are read from `table`
 * (a Map name -> id) when given, else from `space`.
 */
export function outsideEntries (space, table = null) {
  const target = (name) => (table === null ? space.getRef(name) : (table.get(name) ?? null))
  const entries = mailboxMap(space, target(OUTSIDE_REF))
  for (const digit of DIGITS) {
    for (const [r, m] of mailboxMap(space, target(`${OUTSIDE_REF}/${digit}`))) {
      if (r[15] === digit) entries.set(r, m) // another digit's recipient is no entry (RUN-003.4)
    }
  }
  return entries
}

/**
 * The outside's send to `recipient` on `space`, not yet swapped: the mailbox ref, its
 * target now, its entries and the `previous` of the next message -- the recipient's
 * entry in its mailbox, else the old ref's (RUN-003.4, RUN-003.5; WIT-004).
 */
export function outsideChain (space, recipient) {
  const ref = outsideRef(recipient)
  const current = space.getRef(ref)
  const entries = mailboxMap(space, current)
  const previous = entries.get(recipient) ?? mailboxMap(space, space.getRef(OUTSIDE_REF)).get(recipient) ?? null
  return { ref, current, entries, previous }
}
export const TEST_RUNTIME = 'test-actor'
const WASM_RUNTIME = 'wasm'
const RESERVED = new Set(['genesis', 'update'])
const headRef = (actor) => `heads/${actor}`

/** Classes of the Wit chapter and of the Wasm chapter (phase *transition*). */
const WIT_CLASSES = new Set(['unknown-wit', 'invalid-transition', 'invalid-genesis', 'frozen-core', 'unknown-query'])
export const WASM_CLASSES = new Set([
  'invalid-module', 'forbidden-import', 'memory-limit', 'fuel-exhausted', 'trap',
  'output-too-large', 'invalid-image'
])
/** Classes of the sandbox chapter a Python Wit adds (SBX-008, SBX-013.1). */
const SANDBOX_CLASSES = new Set(['forbidden-operation', 'program-exit', 'time-limit', 'stack-exhausted'])
/**
 * A transition failing with any other class is `failed` (ADP-014, RUN-004.4): an erased
 * blob read (RUN-011.3), a store that failed. `too-large`: a `python-wasi` core refused
 * where it enters (SBX-006.17), which SBX-013.1 lists; a last outbox whose `base` chain
 * is broken reports OBJ-019.2's class.
 */
const RUNTIME_CLASSES = new Set(['step-too-large', 'too-large']) // RUN-022.3, SBX-013.1
const TRANSITION_CLASSES = new Set([...WIT_CLASSES, ...WASM_CLASSES, ...SANDBOX_CLASSES, ...RUNTIME_CLASSES])

export function failureClass (err) {
  if (!(err instanceof GritError)) return 'failed'
  return TRANSITION_CLASSES.has(err.errorClass) || err.requirement === 'OBJ-019.2' ? err.errorClass : 'failed'
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** A core running test actor `name` with `state` (entry -> blob record), and its objects (ADP-014). */
export function testActorCore (name, state) {
  const wit = textBlob(name, [['runtime', TEST_RUNTIME]])
  return coreWith(wit, state)
}

/** A core whose `wit` is the blob `wit`, plus `state` entries, and the objects it needs. */
export function coreWith (wit, state) {
  const entries = new Map([[WIT, idOf(wit)]])
  for (const [name, obj] of state) entries.set(name, idOf(obj))
  const core = tree(entries)
  return { core, objects: [wit, ...state.values(), core] }
}

/** Each sender's messages before its first one whose type is in `stop` (WIT-013). */
function prefixes (found, stop) {
  const result = new Map()
  for (const [sender, items] of found) {
    const cut = items.findIndex((item) => stop.has(mtOf(item)))
    const visible = cut === -1 ? items : items.slice(0, cut)
    if (visible.length) result.set(sender, visible)
  }
  return result
}

export class Executor {
  /**
   * @param actors   Map name -> Wit: the test actors (WIT-019 … WIT-027)
   * @param updaters Map name -> Wit: the update functions (WIT-014)
   * @param wasm     an object with `witFor(reader, blobId)` for `runtime: "wasm"` blobs (WASM-001)
   * @param space    where objects and refs live: by default a new in-memory ObjectSpace;
   *                 the runtime (runtime.mjs) gives its durable one
   * @param coreBytes the core limit of its `python-wasi` actors (SBX-007.7)
   */
  constructor ({ actors, updaters, wasm, space = new ObjectSpace(), coreBytes = CORE_BYTES }) {
    this.space = space
    this.coreBytes = coreBytes
    this.actors = actors
    this.updaters = updaters
    this.wasm = wasm
  }

  // --- reading state -------------------------------------------------------------------

  head (actor) { return this.space.getRef(headRef(actor)) }

  headStep (actor) {
    const id = this.head(actor)
    return id === null ? null : this.space.get(id)
  }

  outboxes () {
    const boxes = new Map([[OUTSIDE, outsideEntries(this.space)]])
    for (const name of this.space.refNames('heads/')) {
      const s = this.space.get(this.space.getRef(name))
      boxes.set(s.actor, mailboxMap(this.space, s.outbox))
    }
    return boxes
  }

  /** Everything pending for `actor`, by sender in id order (WIT-005). */
  pendingFor (actor, boxes = this.outboxes()) {
    const s = this.headStep(actor)
    const inbox = mailboxMap(this.space, s?.inbox)
    const found = new Map()
    for (const sender of [...boxes.keys()].sort()) {
      const box = boxes.get(sender)
      if (!box.has(actor)) continue
      const items = pending(this.space, box.get(actor), inbox.get(sender) ?? null)
      if (items.length) found.set(sender, items)
    }
    return found
  }

  // --- the outside (WIT-003, WIT-004) ---------------------------------------------------

  /** Store `objects`, then send from the outside, chained through the recipient's mailbox (RUN-003.4). */
  inject (recipient, content, headers, { objects = [], signal = false } = {}) {
    for (const obj of objects) this.space.put(obj)
    if (!this.space.has(content)) fail('invalid-transition', 'WIT-009', `content ${content} is not stored`)
    const chain = outsideChain(this.space, recipient)
    const sent = this.space.put(message(content, signal ? null : chain.previous, headers))
    chain.entries.set(recipient, sent)
    this.space.setRef(chain.ref, this.space.put(mailbox(chain.entries)))
    return sent
  }

  /** Send the genesis of `core` (WIT-012); returns the actor id (WIT-002). */
  genesis (core, objects) {
    const actor = idOf(core)
    this.inject(actor, actor, [['mt', 'genesis']], { objects })
    return actor
  }

  // --- running (ADP-014) ------------------------------------------------------------------

  run (maxSteps) {
    const steps = []
    const failures = []
    const failed = new Set()
    const idle = new Map()
    for (;;) {
      let progressed = false
      const recipients = new Set()
      for (const box of this.outboxes().values()) for (const r of box.keys()) recipients.add(r)
      recipients.delete(OUTSIDE)
      for (const actor of [...recipients].filter((a) => !failed.has(a)).sort()) {
        if (steps.length >= maxSteps) return { steps, failures, quiescent: false }
        const found = this.pendingFor(actor)
        const snapshot = [...found.values()].map((items) => items[items.length - 1].id).join(',')
        if (!found.size || idle.get(actor) === snapshot) continue
        const last = this.headStep(actor)
        let built
        try {
          built = this.build(actor, last, found)
          if (built === null) continue
          for (const [id, obj] of built.objects) this.space.putEncoded(id, built.encodings.get(id), obj)
          this.space.setRef(headRef(actor), built.stepId)
        } catch (err) { // WIT-006: any failure adopts no step
          if (!(err instanceof GritError) && !err?.witFailure) console.error(err)
          failures.push([actor, failureClass(err)])
          failed.add(actor)
          continue
        }
        steps.push([actor, built.stepId])
        progressed = true
        if (built.step.inbox === (last?.inbox ?? null)) idle.set(actor, snapshot)
      }
      if (!progressed) return { steps, failures, quiescent: true }
    }
  }

  /**
   * One transition of `actor` from `last` (the step `lastId`, by default its head) over
   * `found`; null when no genesis is pending yet.
   */
  build (actor, last, found, lastId = last === null ? null : this.head(actor)) {
    const objects = new Overlay(this.space)
    let core, visible
    if (last === null) {
      core = this.genesisCore(actor, found)
      if (core === null) return null // no genesis yet: the messages wait
      boundCore(this.space, core, 'SBX-006.17', 'the genesis core', this.coreBytes) // one its runs could not mount (SBX-007.7)
      visible = prefixes(found, new Set(['update']))
    } else {
      core = this.space.get(last.core)
      if (core.type !== 'tree') fail('invalid-transition', 'WIT-007', "the last step's core is not a tree")
      for (const [sender, items] of found) {
        const first = items[0]
        if (RESERVED.has(mtOf(first))) { // runs alone (WIT-012, WIT-013)
          const inp = { actor, lastStep: last, lastId, core, pending: new Map([[sender, [first]]]), objects }
          return assemble(inp, this.system(inp, sender, first), this.space)
        }
      }
      visible = prefixes(found, RESERVED)
    }
    const inp = { actor, lastStep: last, lastId, core, pending: visible, objects }
    return assemble(inp, this.witOf(core)(inp), this.space)
  }

  genesisCore (actor, found) {
    const geneses = [...found.values()].flat().filter((item) => mtOf(item) === 'genesis')
    if (!geneses.length) return null
    if (geneses.every((item) => item.message.content !== actor)) {
      fail('invalid-genesis', 'WIT-012', `no pending genesis for ${actor} carries its core`)
    }
    const core = getTyped(this.space, actor, 'tree')
    if (core === null || coreProblem(this.space, core) !== null) {
      fail('invalid-genesis', 'WIT-012', `genesis content ${actor} is not a valid core`)
    }
    return core
  }

  /** A genesis read-over (WIT-012) or an update (WIT-013, WIT-014); an update whose new
   * core its runs could not mount is read and answered instead (SBX-006.19). */
  system (inp, sender, item) {
    const readIt = new Map([[sender, 1]])
    if (mtOf(item) === 'genesis') return { core: inp.core, read: readIt, sends: [], newObjects: [] }
    try {
      return this.update(inp, sender, item, readIt)
    } catch (err) {
      if (!(err instanceof GritError && err.errorClass === 'too-large' && err.requirement === 'SBX-006.17')) throw err
      return refusal(inp, sender, item, readIt)
    }
  }

  /** An update's step (WIT-013, WIT-014), its new core bounded where it enters (SBX-006.17). */
  update (inp, sender, item, readIt) {
    const update = this.space.get(item.message.content)
    if (update.type !== 'tree') fail('invalid-transition', 'WIT-013', "an update's content must be a tree")
    if (update.entries.has(WIT_UPDATE)) {
      const fn = this.code(update.entries.get(WIT_UPDATE), this.updaters)
      if (fn === null) fail('unknown-wit', 'WIT-014', 'the update names an unknown wit_update function')
      const output = { ...fn(inp), read: readIt }
      this.boundNew(output.core, output.newObjects)
      return output
    }
    const { core, created } = merge(this.space, inp.core, update)
    this.boundNew(core, created)
    return { core, read: readIt, sends: [], newObjects: created }
  }

  /** SBX-006.17: an update's new core, read with the objects it made, that its runs could not mount. */
  boundNew (core, newObjects) {
    const made = new Overlay(this.space)
    for (const obj of newObjects) made.add(obj)
    boundCore(made, core, 'SBX-006.17', "the update's core", this.coreBytes)
  }

  /** The Wit a `wit`/`wit_update` blob names: a Wasm module or a test actor (WIT-001, WASM-001). */
  code (blobId, table) {
    const wit = getTyped(this.space, blobId, 'blob')
    if (wit === null) fail('unknown-wit', 'WIT-001', `${blobId} is not a present blob`)
    const runtime = wit.headers.get('runtime')
    if (runtime === WASM_RUNTIME) return this.wasm.witFor(this.space, blobId)
    if (runtime === PYTHON_RUNTIME) return table === this.actors ? pythonWit(wit, this.coreBytes) : null // ADP-019.7; SBX-015.2
    if (runtime !== TEST_RUNTIME) fail('unknown-wit', 'WIT-001', `runtime ${JSON.stringify(runtime ?? null).slice(0, 60)} is not known`)
    let name
    try {
      name = utf8.decode(wit.data)
    } catch {
      fail('unknown-wit', 'WIT-001', 'a test-actor name must be UTF-8')
    }
    return table.get(name) ?? null
  }

  witOf (core) {
    const entry = core.entries.get(WIT)
    if (entry === undefined) fail('unknown-wit', 'WIT-001', "the core has no 'wit' entry")
    const wit = this.code(entry, this.actors)
    if (wit === null) fail('unknown-wit', 'WIT-001', "the 'wit' blob names no known test actor")
    return wit
  }

  // --- queries (WIT-017) ----------------------------------------------------------------

  query (actor, name) {
    const s = this.headStep(actor)
    const core = this.space.get(s.core)
    const wit = this.witOf(core)
    if (typeof wit.query !== 'function') fail('unknown-query', 'WIT-017', `actor ${actor} answers no queries`)
    return wit.query(name, { actor, step: s, core, objects: new Overlay(this.space) })
  }
}

/**
 * SBX-006.19: the step of an update SBX-006.17 refused. It reads the update alone, keeps
 * the last core and sends the update's sender one message, `mt: "error"`, whose content
 * is a blob of `content-type: application/json` naming the actor, the class and the
 * update (keys sorted, no spaces); no attempt fails and nothing is marked.
 */
function refusal (inp, sender, item, readIt) {
  const text = `{"actor":"${inp.actor}","error":"too-large","update":"${item.id}"}`
  const answer = blob(new TextEncoder().encode(text), [['content-type', 'application/json']])
  const send = { recipient: sender, content: idOf(answer), headers: [['mt', 'error']], signal: false }
  return { core: inp.core, read: readIt, sends: [send], newObjects: [answer] }
}
