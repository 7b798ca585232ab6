// Pending messages, cores, the default update merge, and a transition's output
// turned into a checked step (spec/06-wit.md: WIT-001, WIT-005, WIT-007 … WIT-009,
// WIT-013, WIT-015, WIT-016; the outbox's chain in witoutbox.mjs).
//
// Shapes used by the executor:
//   input  { actor, lastStep, lastId, core, pending: Map sender -> [{ id, message }], objects }
//   output { core, read: Map sender -> count, sends: [{ recipient, content, headers, signal }],
//            newObjects: [record] }
// Nothing here stores anything: `assemble` returns the step and every object to store.

import { fail } from './errors.mjs'
import { encode, getTyped, mailbox, message, Overlay, step, tree } from './witobjects.mjs'
import { buildOutbox, lookup, mailboxChain, mailboxMap } from './witoutbox.mjs'

export const WIT = 'wit'
export const WIT_UPDATE = 'wit_update'
export const FROZEN = 'frozen'
const PROTECTED = [WIT, WIT_UPDATE, FROZEN] // WIT-016

const invalidTransition = (req, msg) => fail('invalid-transition', req, msg)

/** WIT-005: walk from the outbox entry back through `previous`, stop before the inbox entry. */
export function pending (reader, outboxEntry, inboxEntry) {
  const found = []
  let current = outboxEntry ?? null
  while (current !== null && current !== inboxEntry) {
    const msg = reader.get(current)
    if (msg.type !== 'message') invalidTransition('WIT-005', `${current} in a message chain is not a message`)
    found.push({ id: current, message: msg })
    current = msg.previous
  }
  return found.reverse()
}

export const mtOf = (item) => item.message.headers.get('mt')

/** Why `core` breaks WIT-001, or null. */
export function coreProblem (reader, core) {
  const entry = core.entries.get(WIT)
  if (entry === undefined) return "the core has no 'wit' entry"
  const wit = getTyped(reader, entry, 'blob')
  if (wit === null) return "the core's 'wit' entry is not a present blob"
  if (!wit.headers.has('runtime')) return "the 'wit' blob has no 'runtime' header"
  return null
}

/**
 * WIT-007: every object the core references is present; unchanged subtrees are not walked,
 * nor a tree met again under another name (WIT-007.5). An explicit stack of frames, each
 * one tree's entries and its own name: the path is joined for the message alone, so a core
 * of any depth or sharing is checked in time and memory linear in its distinct objects.
 */
export function checkCorePresent (reader, core, before = null, path = '') {
  const walked = new Set()
  const frames = [{ name: path, entries: [...core.entries], next: 0, before }]
  while (frames.length) {
    const frame = frames.at(-1)
    if (frame.next === frame.entries.length) { frames.pop(); continue }
    const [name, id] = frame.entries[frame.next++]
    const was = frame.before === null ? undefined : frame.before.entries.get(name)
    if (was === id || walked.has(id)) continue
    if (!reader.has(id)) {
      const where = [...frames.map((f) => f.name).filter((n) => n), name].join('/').slice(0, 300)
      invalidTransition('WIT-007', `core entry ${where} (${id}) is not provided`)
    }
    const child = reader.get(id)
    if (child.type === 'tree') {
      walked.add(id)
      const old = was !== undefined ? getTyped(reader, was, 'tree') : null
      frames.push({ name, entries: [...child.entries], next: 0, before: old })
    }
  }
}

/** WIT-013: `old` merged with `update`; returns the merged tree and the trees it built. */
export function merge (reader, old, update) {
  const created = []
  const go = (a, b) => {
    const entries = new Map(a.entries)
    for (const [name, next] of b.entries) {
      const current = entries.get(name)
      if (current !== undefined && current !== next) {
        const x = getTyped(reader, current, 'tree')
        const y = getTyped(reader, next, 'tree')
        if (x !== null && y !== null) {
          entries.set(name, encode(go(x, y)).id)
          continue
        }
      }
      entries.set(name, next)
    }
    const merged = tree(entries)
    created.push(merged)
    return merged
  }
  const core = go(old, update)
  return { core, created }
}

/** The objects a transition creates, each encoded once, first-seen order. */
class Created {
  constructor () { this.byId = new Map(); this.encodings = new Map() }
  add (obj) {
    const { bytes, id } = encode(obj)
    if (!this.byId.has(id)) { this.byId.set(id, obj); this.encodings.set(id, bytes) }
    return id
  }
}

function checkReads (inp, out) {
  for (const [sender, count] of out.read) {
    const available = (inp.pending.get(sender) ?? []).length
    if (!Number.isInteger(count) || count < 0 || count > available) {
      invalidTransition('WIT-008', `read ${count} of ${available} pending messages from ${sender}`)
    }
  }
}

function checkCore (inp, out, reader) {
  if (!out.core.entries.has(WIT)) invalidTransition('WIT-015', "the new core has no 'wit' entry")
  checkCorePresent(reader, out.core, inp.lastStep === null ? null : inp.core)
  const problem = coreProblem(reader, out.core)
  if (problem !== null) invalidTransition('WIT-007', `the new core breaks WIT-001: ${problem}`)
  if (inp.core.entries.has(FROZEN)) {
    for (const name of PROTECTED) {
      if (inp.core.entries.get(name) !== out.core.entries.get(name)) {
        fail('frozen-core', 'WIT-016', `the core is frozen; entry ${name} cannot change`)
      }
    }
  }
}

function groupSends (sends, reader) {
  const grouped = new Map()
  for (const send of sends) {
    if (!reader.has(send.content)) invalidTransition('WIT-009', `sent content ${send.content} is not provided`)
    if (!grouped.has(send.recipient)) grouped.set(send.recipient, [])
    grouped.get(send.recipient).push(send)
  }
  for (const [recipient, group] of grouped) {
    const signals = group.filter((s) => s.signal).length
    if (signals > 1 || (signals && group.length > 1)) {
      invalidTransition('WIT-009', `to ${recipient}: at most one signal, never a signal and a queue together`)
    }
  }
  return grouped
}

/**
 * Check `out` against `inp` and build the new step (WIT-007 … WIT-009, WIT-015, WIT-016).
 * Returns { step, stepId, objects: Map id -> record, encodings: Map id -> bytes }.
 */
export function assemble (inp, out, reader) {
  const created = new Created()
  for (const obj of out.newObjects) created.add(obj)
  const overlay = new Overlay(reader, created.byId)
  const coreId = created.add(out.core)
  checkReads(inp, out)
  checkCore(inp, out, overlay)
  const grouped = groupSends(out.sends, overlay)
  const last = inp.lastStep

  const inbox = mailboxMap(reader, last?.inbox) // one mailbox without base (WIT-008.4)
  for (const [sender, count] of out.read) {
    if (count) inbox.set(sender, inp.pending.get(sender)[count - 1].id)
  }
  // WIT-009: each recipient's last message, chained from its entry in the last map
  // (found along the base chain, OBJ-019.1); the outbox is then built by WIT-009.5.
  const lastOutbox = last?.outbox ?? null
  const chain = mailboxChain(reader, lastOutbox)
  const sent = new Map()
  for (const [recipient, group] of grouped) {
    for (const send of group) {
      const previous = send.signal ? null : (sent.get(recipient) ?? lookup(chain, recipient) ?? null)
      sent.set(recipient, created.add(message(send.content, previous, send.headers)))
    }
  }
  const inboxId = inbox.size ? created.add(mailbox(inbox)) : null
  const built = buildOutbox(lastOutbox, chain, sent)
  const outboxId = built === null ? lastOutbox : created.add(built) // WIT-009.1: unchanged map, same outbox
  const newStep = step({ actor: inp.actor, core: coreId, previous: last === null ? null : inp.lastId, inbox: inboxId, outbox: outboxId })
  const stepId = created.add(newStep)
  return { step: newStep, stepId, objects: created.byId, encodings: created.encodings }
}
