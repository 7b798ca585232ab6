// The runtime of chapter 07 (spec/07-runtime.md) on a durable store: it decides when
// transitions run, commits their steps, bounds and retries failing ones, keeps actors
// resident or evicts them, and resumes after a crash from the heads alone.
//
// What a transition *is* stays the Wit chapter's: `Executor.build` (witexecutor.mjs)
// builds it over this runtime's durable object space (runtimespace.mjs). This module
// adds, for `rt-run` (ADP-015), the rounds of ADP-014 with:
//   - the persistence order: every object, then the head by compare-and-swap, then
//     routing (RUN-001); a lost swap reloads and runs again (RUN-002);
//   - recovery: every run starts from the refs alone (RUN-003, runtimeindex.mjs);
//   - failures: retries with back-off, the failed mark and error receipts (RUN-004),
//     each attempt bounded in time (RUN-005, deadline.mjs);
//   - eviction and restores with their lifecycle events (RUN-012 … RUN-014);
//   - group commit, the default, or each step on its own (RUN-017, runtimegroup.mjs);
//   - the bytes a step and a run add to the store, bounded (RUN-022, RUN-023): a step
//     past `maxStepBytes` fails step-too-large, and a call stops before its next
//     candidate once its steps added `maxRunBytes`, counted as its objects are stored.
// Every command runs to its end before the next is read (ADP-003), so one process
// runs one transition at a time: at most one per actor (RUN-002.1). Two runtimes on
// one directory -- in this process or another -- are two writers that meet only in
// the store's compare-and-swaps (RUN-002).

import { GritError, fail } from './errors.mjs'
import { encode, idOf, mailbox, message, textBlob } from './witobjects.mjs'
import { mailboxMap } from './witoutbox.mjs'
import { Executor, failureClass, OUTSIDE, outsideChain } from './witexecutor.mjs'
import { TEST_ACTORS, TEST_UPDATERS } from './wittestactors.mjs'
import { CORE_BYTES, PYTHON_RUNTIME, sandboxReady } from './sandbox.mjs'
import { pause, TransitionTimeout, withinBound } from './deadline.mjs'
import { RuntimeSpace } from './runtimespace.mjs'
import { failedRef, RoutingIndex } from './runtimeindex.mjs'
import { COMMIT, CommitGroup } from './runtimegroup.mjs'
import { ARCHIVED, EventHub, monotonic, Residency, RESTORE_REQUESTED, RESTORED } from './runtimeresidency.mjs'
import { owns } from './runtimeshare.mjs'

export const TIME_LIMIT = 5 // seconds (RUN-005.1)
export const ATTEMPTS = 5 // RUN-004.3
export const FIRST_DELAY = 0.01 // seconds before the first retry, each later one doubling (RUN-004.3)
export const TIME_BACKOFF_FACTOR = 100 // after an overrun a retry waits 100 times as long (RUN-004.10)
export const MAX_RESIDENT = 10_000 // RUN-012.4
export const MAX_STEPS = 10_000 // RUN-018.1
export const MAX_STEP_BYTES = 80 * 1024 * 1024 // RUN-022.2
export const MAX_RUN_BYTES = 1024 * 1024 * 1024 // RUN-023.2

const headRef = (actor) => `heads/${actor}`
const isConflict = (err) => err instanceof GritError && err.errorClass === 'ref-conflict'
/** The idle snapshot of what is pending: the last message of each sender, in sender order (ADP-014 step 2b). */
const snapshotOf = (found) => [...found.values()].map((items) => items[items.length - 1].id).join(',')

export class Runtime {
  /**
   * @param dir      the durable store's directory (DUR-001), or null for a store in memory
   *                 (the perf profile's runtime workloads, ADP-018.6)
   * @param settings { timeLimit, maxResident (null: no limit), idleAfter (null: off), firstDelay,
   *                   attempts, commit: 'group' | 'step', share: { k, n } or null (RUN-021),
   *                   maxStepBytes, maxRunBytes (RUN-022, RUN-023), maxCoreBytes: the core
   *                   limit of its python-wasi actors (SBX-007.7) }
   * @param wasm     the Wasm host (wasmengine.mjs WasmWits), shared with the wit profile
   */
  constructor (dir, { timeLimit = TIME_LIMIT, maxResident = MAX_RESIDENT, idleAfter = null, firstDelay = FIRST_DELAY, attempts = ATTEMPTS, commit = COMMIT, share = null, maxStepBytes = MAX_STEP_BYTES, maxRunBytes = MAX_RUN_BYTES, maxCoreBytes = CORE_BYTES } = {}, wasm) {
    this.space = new RuntimeSpace(dir)
    this.maxCoreBytes = maxCoreBytes // SBX-007.7: mounts, runs, entries and imports
    this.executor = new Executor({ actors: TEST_ACTORS, updaters: TEST_UPDATERS, wasm, space: this.space, coreBytes: maxCoreBytes })
    this.index = new RoutingIndex(this.space)
    this.timeLimit = timeLimit
    this.maxResident = maxResident
    this.idleAfter = idleAfter
    this.firstDelay = firstDelay
    this.attempts = attempts
    this.residency = new Residency()
    this.events = new EventHub()
    this.dirty = new Set() // actors with messages pending that they have not looked at (RUN-012.1)
    this.running = new Set() // the actor whose transition is under way
    this.conflicts = 0 // swaps lost to another writer (RUN-002)
    this.group = commit === 'group' ? new CommitGroup(this.space) : null // RUN-017.1
    this.groupLosses = 0 // group commits that lost a member (RUN-017.4)
    this.sink = null // the running call's result: where committed steps are reported
    this.idleNow = null // the running call's idle snapshots
    this.share = share // the actors it runs (RUN-021); null: every actor (RUN-020.4)
    this.maxStepBytes = maxStepBytes // RUN-022.2
    this.maxRunBytes = maxRunBytes // RUN-023.2
    this.runBytes = 0 // what the running (else the last) call's steps added to the store (RUN-023.1)
  }

  /**
   * The recipients this runtime runs: those of its share (RUN-021.1). An actor outside
   * it is never a candidate, never busy and always idle for eviction (RUN-021.4,
   * RUN-021.5); messages to it are sent all the same, for its share's runtime (RUN-021.3).
   */
  mine () { return [...this.index.recipients()].filter((a) => owns(this.share, a)) }

  // --- reading state -------------------------------------------------------------------

  head (actor) { return this.space.getRef(headRef(actor)) }

  /** `actor`'s head id and step, read from the store every time, so another writer's step is seen (RUN-002). */
  headStep (actor) {
    const id = this.head(actor)
    const obj = id === null ? null : this.space.get(id)
    return { id, step: obj !== null && obj.type === 'step' ? obj : null }
  }

  /** `actor`'s head and what is pending for it (WIT-005) per the routing index. */
  pendingOf (actor) {
    const { id, step } = this.headStep(actor)
    const found = this.index.pendingFor(actor, mailboxMap(this.space, step?.inbox))
    return { lastId: id, last: step, found }
  }

  // --- the outside (WIT-003, WIT-004, RUN-002.4, RUN-003.2 … RUN-003.5) -----------------

  /**
   * Send from the outside: store `objects`, then chain the message into the outside's
   * mailbox for the recipient, `names/outside-outbox/<h>` (RUN-003.4; the first message
   * there continues the old ref's entry, RUN-003.5), by compare-and-swap. A lost swap
   * overwrites nothing and the send is made again from the winner's mailbox (RUN-002.4). The send
   * is acknowledged once durable (RUN-017.7): the swap is the last write.
   */
  send (recipient, content, headers, { objects = [], signal = false } = {}) {
    this.space.putAll(objects.map((obj) => { const { bytes, id } = encode(obj); return [id, bytes] }))
    if (!this.space.has(content)) fail('invalid-transition', 'WIT-009', `content ${content} is not stored`)
    for (;;) {
      const { ref, current, entries, previous: last } = outsideChain(this.space, recipient)
      const previous = signal ? null : last // WIT-004
      const sent = encode(message(content, previous, headers))
      entries.set(recipient, sent.id)
      const box = encode(mailbox(entries))
      this.space.putAll([[sent.id, sent.bytes], [box.id, box.bytes]]) // both durable before the swap (RUN-001.1)
      try {
        this.space.cas(ref, current, box.id)
      } catch (err) {
        if (!isConflict(err)) throw err
        this.conflicts++
        continue // RUN-002.4: again, from the winner's mailbox
      }
      for (const r of this.index.mergeOutside(entries)) {
        if (owns(this.share, r)) this.dirty.add(r) // busy until a run looks (RUN-012.1), if it runs here (RUN-021.5)
      }
      return sent.id
    }
  }

  /** Send the genesis of `core` (WIT-012); the actor's id is its core's (WIT-002). */
  genesis (core, objects) {
    const actor = idOf(core)
    this.send(actor, actor, [['mt', 'genesis']], { objects })
    return actor
  }

  // --- queries (WIT-017), restoring first (RUN-013.1) ---------------------------------------

  query (actor, name) {
    const head = this.head(actor)
    if (head !== null) this.use(actor, head, 'query')
    return this.executor.query(actor, name)
  }

  // --- residency and events (RUN-012 … RUN-014) ------------------------------------------

  subscribe (observer) { return this.events.subscribe(observer) }

  /**
   * Mark `actor` used (RUN-012.6); an actor with a head that is not resident is restored
   * first (RUN-013.1): `restore-requested`, then its head is read, then `restored`
   * (RUN-014.2, RUN-014.3). Restoring keeps only the head: what a transition or query
   * reads comes from the store (RUN-013.2). An actor without a head has nothing to
   * restore and emits nothing.
   */
  use (actor, head, why) {
    if (this.residency.has(actor) || head === null) {
      this.residency.use(actor, head, monotonic())
      return
    }
    this.events.emit(RESTORE_REQUESTED, actor, why)
    this.residency.use(actor, head, monotonic())
    this.events.emit(RESTORED, actor)
  }

  /** Whether an eviction rule may apply now (RUN-012.2, RUN-012.3): a quick test. */
  mayEvict (now) {
    if (this.maxResident !== null && this.residency.size > this.maxResident) return true
    if (this.idleAfter === null || this.residency.size === 0) return false
    const [[, oldest]] = this.residency.oldestFirst()
    return now - oldest.used >= this.idleAfter
  }

  /**
   * Evict idle actors (RUN-012.1): those past `idleAfter` first, least recently used
   * first, reason `idle`; then, while more than `maxResident` are resident, the least
   * recently used idle one left, reason `capacity` (RUN-012.8). `everything` evicts
   * every idle actor as if its timeout had passed (`rt-evict`, ADP-015). An actor is
   * busy while a transition of it runs or it has messages it has not looked at.
   */
  evictIdle (everything = false) {
    const evicted = []
    const now = monotonic()
    if (!everything && !this.mayEvict(now)) return evicted
    const idle = this.residency.oldestFirst().filter(([a]) => !this.running.has(a) && !this.dirty.has(a))
    const archive = (actor, reason) => {
      this.residency.drop(actor) // RUN-014.3: the event follows the change
      evicted.push(actor)
      this.events.emit(ARCHIVED, actor, reason)
    }
    for (const [actor, r] of idle) {
      if (everything || (this.idleAfter !== null && now - r.used >= this.idleAfter)) archive(actor, 'idle')
    }
    if (this.maxResident !== null) {
      for (const [actor] of idle) {
        if (this.residency.size <= this.maxResident) break
        if (this.residency.has(actor)) archive(actor, 'capacity')
      }
    }
    return evicted
  }

  /**
   * Both eviction rules, evaluated before every round and at the end of a run (ADP-015).
   * Which actors are busy is judged first (RUN-012.1): those with messages pending that
   * differ from their idle snapshot of this run. Before a round only resident actors
   * are looked at, and only when a rule may apply; at the end every recipient, so that
   * a later `rt-evict` knows which are busy.
   */
  evictBetweenRounds (idle, final = false) {
    let lookedAt
    if (!final) {
      if (!this.mayEvict(monotonic())) return
      lookedAt = this.mine().filter((a) => this.residency.has(a))
    } else {
      lookedAt = this.mine()
    }
    this.dirty = new Set()
    for (const actor of lookedAt) {
      if (this.index.failed.has(actor)) continue // a failed actor is idle (RUN-012.1)
      const { found } = this.pendingOf(actor)
      if (found.size && idle.get(actor) !== snapshotOf(found)) this.dirty.add(actor)
    }
    this.evictIdle()
  }

  // --- running (ADP-015) -----------------------------------------------------------------

  /**
   * Run in the rounds of ADP-014, with the failure policy (RUN-004) and eviction
   * (RUN-012): `{ steps, failures, attempts, quiescent }`. The index is rebuilt from the
   * refs first (RUN-003); idle snapshots last for this call only.
   */
  run (maxSteps) {
    this.index.load()
    this.runBytes = 0 // RUN-023.1: each call counts from zero
    const result = { steps: [], failures: [], attempts: [] }
    const idle = new Map()
    this.sink = result
    this.idleNow = idle
    try {
      return this.rounds(maxSteps, result, idle)
    } catch (err) {
      this.group?.abandon() // an error of the runtime itself: nothing of the open group was durable
      throw err
    } finally {
      this.sink = null
      this.idleNow = null
    }
  }

  /** Steps adopted in this call, committed or provisional (RUN-017.3: both count toward `max_steps`). */
  adopted (result) { return result.steps.length + (this.group?.length ?? 0) }

  rounds (maxSteps, result, idle) {
    for (;;) {
      this.evictBetweenRounds(idle)
      let progressed = false
      const losses = this.groupLosses
      for (const actor of this.mine().filter((a) => !this.index.failed.has(a)).sort()) {
        if (this.adopted(result) >= maxSteps) this.commitGroup()
        // RUN-023.3: the open group's encoded bytes bound what it adds; committed, it is counted
        if (this.runBytes + (this.group?.held ?? 0) >= this.maxRunBytes) this.commitGroup()
        if (result.steps.length >= maxSteps || this.runBytes >= this.maxRunBytes) { // ADP-014 step 2a, RUN-018.1, RUN-023.2
          this.evictBetweenRounds(idle, true)
          return { ...result, quiescent: false }
        }
        if (this.group?.touches(actor)) this.commitGroup() // RUN-017.3: nothing built on a provisional step
        if (this.index.failed.has(actor)) continue // marked by another writer during the round
        const adopted = this.adopted(result)
        const attempted = result.attempts.length
        this.running.add(actor)
        try {
          this.drive(actor, idle, result)
        } finally {
          this.running.delete(actor)
        }
        if (this.index.failed.has(actor) && result.attempts.length > attempted) {
          result.failures.push(result.attempts[result.attempts.length - 1]) // marked in its turn
        }
        if (this.adopted(result) > adopted) progressed = true
      }
      this.commitGroup() // RUN-017.6: committed before eviction looks at it, and before the run answers
      if (this.groupLosses !== losses) progressed = true // a lost member's actor runs again (RUN-017.4)
      if (!progressed) { // ADP-014 step 3
        this.evictBetweenRounds(idle, true)
        return { ...result, quiescent: true }
      }
    }
  }

  /**
   * RUN-018.3: the actors the last run left with work, in id order -- a transition
   * running, or messages pending that they have not looked at -- not marked failed.
   * Empty after a quiescent run. (No command of the protocol asks; `rt-run` answers
   * `quiescent: false` instead.)
   */
  busy () {
    return [...new Set([...this.dirty, ...this.running])].filter((a) => !this.index.failed.has(a)).sort()
  }

  /**
   * At most one adopted step of `actor`, in its turn of a round (ADP-015): a failing
   * transition is retried after 10 ms, 20 ms, … (RUN-004.3), 100 times as long after an
   * overrun (RUN-004.10), and after the last attempt
   * the actor is marked failed (RUN-004.4 … RUN-004.6). A lost swap is no failed
   * attempt: the transition runs again from the winner's head (RUN-002.3).
   */
  drive (actor, idle, result) {
    let attempt = 0
    for (;;) {
      const job = this.prepare(actor, idle)
      if (job === null) return
      if (this.witKind(job) === PYTHON_RUNTIME) sandboxReady() // the engine's start-up is not the attempt's (RUN-005.7)
      let built
      try {
        built = withinBound(this.timeLimit, () => this.executor.build(actor, job.last, job.found, job.lastId))
        if (built !== null) this.boundStep(built) // RUN-022.3, after the Wit's rules (RUN-022.4)
      } catch (caught) { // RUN-004.1, RUN-004.2, RUN-004.9: nothing stored, the messages stay pending
        const err = this.overrun(job, caught)
        if (!(err instanceof GritError) && !err?.witFailure && !(err instanceof TransitionTimeout)) console.error(err)
        result.attempts.push([actor, failureClass(err)])
        attempt++
        if (attempt >= this.attempts) {
          this.markFailed(actor, err, attempt, job.found)
          return
        }
        // an overrun, real or slow's simulated one: seconds, not ms (RUN-004.10, WIT-027.1)
        const timed = caught instanceof TransitionTimeout || caught?.overran === true
        pause(this.firstDelay * 2 ** (attempt - 1) * (timed ? TIME_BACKOFF_FACTOR : 1))
        continue
      }
      if (built === null) { // no genesis yet: its messages wait (WIT-012.2), it is idle (RUN-012.1)
        idle.set(actor, job.snapshot)
        return
      }
      if (this.adopt(job, built, result.steps, idle)) return
    }
  }

  /**
   * RUN-022.2, RUN-022.3: fail a step that would add more than `maxStepBytes` to the store.
   * Its encodings bound what it adds, so only past the bound are the objects looked up:
   * those the store holds (stored or erased) or the open group stores first add nothing.
   */
  boundStep (built) {
    let size = 0
    for (const bytes of built.encodings.values()) size += bytes.length
    if (size <= this.maxStepBytes) return
    const held = this.group?.ids() ?? new Set()
    let added = 0
    for (const [id, bytes] of built.encodings) {
      if (!held.has(id) && !this.space.has(id)) added += bytes.length
    }
    if (added > this.maxStepBytes) {
      throw new GritError('step-too-large', 'RUN-022.3', `the step would add ${added} bytes, more than max_step_bytes ${this.maxStepBytes}`)
    }
  }

  /**
   * The error an attempt failed with: a sandboxed run its bound stopped fails → time-limit
   * (SBX-006.10), and its transition with that class (SBX-013.1); another overrun `failed`.
   */
  overrun (job, err) {
    if (!(err instanceof TransitionTimeout) || this.witKind(job) !== PYTHON_RUNTIME) return err
    return new GritError('time-limit', 'SBX-006.10', `${err.message}: the run was stopped (SBX-013.1)`)
  }

  /** The `runtime` header of the `wit` the attempt `job` runs, or null when it cannot be read. */
  witKind (job) {
    try {
      const core = this.space.get(job.last === null ? job.actor : job.last.core) // a genesis: the core is the actor's id
      const wit = core.type === 'tree' && core.entries.has('wit') ? this.space.get(core.entries.get('wit')) : null
      return wit?.type === 'blob' ? (wit.headers.get('runtime') ?? null) : null
    } catch (err) {
      if (err instanceof GritError) return null // the transition fails as it would anyway
      throw err
    }
  }

  /**
   * What an attempt of `actor` starts from, or null when it has nothing to do: nothing
   * pending, or just what it left unread before (its idle snapshot, ADP-014 step 2b).
   * Otherwise the actor is used, restored first if it was evicted (RUN-013.1).
   */
  prepare (actor, idle) {
    const { lastId, last, found } = this.pendingOf(actor)
    if (!found.size) return null
    const snapshot = snapshotOf(found)
    if (idle.get(actor) === snapshot) return null
    this.use(actor, lastId, 'message')
    return { actor, lastId, last, found, snapshot }
  }

  /**
   * Adopt a built step (RUN-001): store every object it built (RUN-001.1), then move
   * `heads/<actor>` by compare-and-swap from the head it started from (RUN-001.2), then
   * route its messages (RUN-001.3) from the committed step (RUN-001.4). False when
   * another writer won the swap: nothing is overwritten (RUN-002.2), the index is
   * reloaded from the heads and the caller runs the transition again (RUN-002.3); the
   * objects stored stay, unreferenced (RUN-004.9).
   */
  adopt (job, built, steps, idle) {
    const { actor } = job
    if (this.group !== null) { // RUN-017.3: provisionally adopted, committed with its group
      this.group.add(actor, job.lastId, built, job.last)
      this.residency.use(actor, built.stepId, monotonic())
      if (built.step.inbox === (job.last?.inbox ?? null)) idle.set(actor, job.snapshot)
      if (this.group.full) this.commitGroup() // RUN-017.8, RUN-017.10
      return true
    }
    this.runBytes += this.space.putAll([...built.objects].map(([id, obj]) => [id, built.encodings.get(id), obj])) // RUN-023.1
    try {
      this.space.cas(headRef(actor), job.lastId, built.stepId)
    } catch (err) {
      if (!isConflict(err)) throw err
      this.conflicts++
      this.index.load()
      return false
    }
    steps.push([actor, built.stepId])
    this.index.advance(actor, job.last?.outbox ?? null, built.step.outbox) // routing reads the new top (WIT-010)
    this.residency.use(actor, built.stepId, monotonic()) // a step adopted is a use (RUN-012.6)
    if (built.step.inbox === (job.last?.inbox ?? null)) idle.set(actor, job.snapshot) // it read nothing
    return true
  }

  /**
   * RUN-004.4 … RUN-004.6: store the failure record, set `names/failed/<actor>` by
   * compare-and-swap, then send an error receipt to every sender that had messages
   * pending for it, except the outside. If another writer marked it first, its
   * receipts went out already.
   */
  markFailed (actor, err, attempts, found) {
    if (!this.commitGroup()) return // RUN-017.7: not ahead of the steps it follows from; lost: it runs again
    const record = JSON.stringify({ actor, attempts, error: failureClass(err) }) // keys sorted, no spaces
    const blobId = this.space.put(textBlob(record, [['content-type', 'application/json']]))
    try {
      this.space.cas(failedRef(actor), null, blobId)
    } catch (e) {
      if (!isConflict(e)) throw e
      this.conflicts++
      return
    } finally {
      this.index.failed.add(actor) // RUN-004.5, RUN-004.7: it does not run again
    }
    for (const sender of [...found.keys()].sort()) {
      if (sender !== OUTSIDE) this.send(sender, blobId, [['mt', 'error']])
    }
  }

  /**
   * Commit the open group (RUN-017.2); false when a member was lost (RUN-017.4). The
   * adopted members join the call's steps in group order and their messages are routed
   * (RUN-001.3); a lost member's idle snapshot is forgotten and the index reloaded
   * from the heads, so its actor runs again from the winner's head (RUN-002.3).
   */
  commitGroup () {
    if (this.group === null || this.group.length === 0) return true
    const { adopted, lost, added } = this.group.commit()
    this.runBytes += added // RUN-023.1: lost members' objects stay, and count
    for (const { actor, before, built } of adopted) {
      this.sink?.steps.push([actor, built.stepId])
      this.index.advance(actor, before?.outbox ?? null, built.step.outbox)
    }
    if (!lost.length) return true
    this.conflicts += lost.length
    this.groupLosses++
    for (const { actor } of lost) this.idleNow?.delete(actor)
    this.index.load()
    return false
  }

  close () { this.space.backend.close() }
}
