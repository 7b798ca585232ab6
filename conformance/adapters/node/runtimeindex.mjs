// The routing index: which messages are pending, found from the heads alone (RUN-003).
//
// It holds every sender's *committed* outbox entries -- each head step's outbox and
// the outside's, kept as 16 mailboxes `names/outside-outbox/<h>` by the recipient's digit,
// the old ref `names/outside-outbox` a fallback (RUN-003.2, RUN-003.4, RUN-003.5) -- and the
// actors marked failed (`names/failed/<actor>`, RUN-004.4). `load` rebuilds it from
// the refs and nothing else (RUN-003.1, RUN-003.3), so a runtime opened on a used
// directory after a crash resumes exactly where the last adopted step left off
// (RUN-007). The runtime loads it at the start of every run and tells it of each
// step it adopts, after the head moved (RUN-001.3, RUN-001.4).
//
// Another writer of the same store (RUN-002) moves refs while a run goes on, so an
// entry may be older than the recipient's head, which is read afresh for each
// transition (RUN-002.3). An entry that is merely behind shows fewer messages, which a
// later run finds. But an entry *older than the message the head last read* must not be
// walked: WIT-005's walk would never meet that inbox entry and would hand over the whole
// chain again -- messages read twice (RUN-003.3). `pendingFor` notices such a walk and
// re-reads that sender's committed outbox first; read after the head, it holds every
// message the head read (RUN-001.4: a message is routed only once its carrier is
// committed, and each send continues the chain, WIT-004).

import { pending } from './witsteps.mjs'
import { mailboxMap, outboxTop } from './witoutbox.mjs'
import { OUTSIDE, outsideEntries } from './witexecutor.mjs'

export const FAILED_PREFIX = 'names/failed/'
const HEADS_PREFIX = 'heads/'
const TEXT_ID = /^[0-9a-f]{64}$/

/** The ref that marks `actor` failed (RUN-004.4). */
export const failedRef = (actor) => FAILED_PREFIX + actor

/**
 * Whether a walk towards the inbox entry `read` ran to the start of the chain instead
 * (its first message has no `previous`). After a signal that is right -- the chain
 * starts again (WIT-004) -- and re-reading changes nothing; otherwise the entry walked
 * from was older than `read`.
 */
const missed = (items) => items.length > 0 && items[0].message.previous === null

export class RoutingIndex {
  constructor (space) {
    this.space = space
    this.outboxes = new Map() // sender -> Map recipient -> message id
    this.outboxIds = new Map() // sender -> the outbox id whose map it holds (not the outside)
    this.failed = new Set()
  }

  /** Rebuild from the refs alone (RUN-003.1): every head's outbox, the outside's, the failed marks. */
  load () {
    this.outboxes.clear()
    this.outboxIds.clear()
    this.failed = new Set()
    const table = this.space.refTable()
    this.outboxes.set(OUTSIDE, outsideEntries(this.space, table))
    for (const [name, target] of table) {
      if (name.startsWith(HEADS_PREFIX)) {
        const step = this.space.get(target)
        if (step.type === 'step') this.setOutbox(name.slice(HEADS_PREFIX.length), mailboxMap(this.space, step.outbox), step.outbox)
      } else if (name.startsWith(FAILED_PREFIX)) {
        const actor = name.slice(FAILED_PREFIX.length)
        if (TEXT_ID.test(actor)) this.failed.add(actor) // a ref naming no actor marks none
      }
    }
  }

  /**
   * `sender`'s committed outbox is now `entries`, the map of outbox `id` when known;
   * returns the recipients whose entry changed.
   */
  setOutbox (sender, entries, id = undefined) {
    const before = this.outboxes.get(sender) ?? new Map()
    this.outboxes.set(sender, entries)
    if (id === undefined) this.outboxIds.delete(sender)
    else this.outboxIds.set(sender, id)
    return [...entries].filter(([r, m]) => before.get(r) !== m).map(([r]) => r)
  }

  /**
   * `sender` committed a step whose outbox `to` was built from its last step's outbox
   * `from` (WIT-009.5). When the index holds the map of `from`, the new map is that map
   * with the top mailbox's own entries applied -- the levels below it are `from`'s chain
   * (OBJ-019.1) -- so routing reads the top alone (WIT-010); otherwise (another writer
   * moved the head meanwhile) the whole map is read. Returns the recipients whose entry changed.
   */
  advance (sender, from, to) {
    const held = this.outboxes.get(sender)
    if (held === undefined || this.outboxIds.get(sender) !== from) return this.setOutbox(sender, mailboxMap(this.space, to), to)
    this.outboxIds.set(sender, to)
    if (to === from) return []
    const changed = []
    for (const [r, m] of outboxTop(this.space, to).entries) {
      if (held.get(r) !== m) { held.set(r, m); changed.push(r) }
    }
    return changed
  }

  /**
   * The outside's mailbox for some digit was swapped to one with `entries`: its
   * recipients' entries replace those held (RUN-003.4); returns those that changed.
   */
  mergeOutside (entries) {
    const held = new Map(this.outboxes.get(OUTSIDE) ?? [])
    for (const [r, m] of entries) held.set(r, m)
    return this.setOutbox(OUTSIDE, held)
  }

  /** Every recipient of a committed outbox entry: the candidates of a round (ADP-014 step 2). */
  recipients () {
    const all = new Set()
    for (const box of this.outboxes.values()) for (const r of box.keys()) all.add(r)
    all.delete(OUTSIDE)
    return all
  }

  /**
   * What is pending for `actor` whose inbox is `inbox`, by sender in ascending id order
   * (WIT-005). Call it after reading `actor`'s head: an entry the walk shows to be older
   * than that head's inbox entry is re-read from the store first (see above).
   */
  pendingFor (actor, inbox) {
    const found = new Map()
    for (const sender of [...this.outboxes.keys()].sort()) {
      const read = inbox.get(sender) ?? null
      let items = this.walk(sender, actor, read)
      if (read !== null && missed(items)) {
        this.reread(sender)
        items = this.walk(sender, actor, read)
      }
      if (items.length) found.set(sender, items)
    }
    return found
  }

  /** WIT-005 from `sender`'s entry for `actor` (as this index holds it) back to `read`. */
  walk (sender, actor, read) {
    const entry = this.outboxes.get(sender)?.get(actor)
    return entry === undefined ? [] : pending(this.space, entry, read)
  }

  /** `sender`'s committed outbox as the store holds it now: the outside's refs, or its head's step. */
  reread (sender) {
    if (sender === OUTSIDE) {
      this.setOutbox(OUTSIDE, outsideEntries(this.space))
      return
    }
    const head = this.space.getRef(HEADS_PREFIX + sender)
    const step = head === null ? null : this.space.get(head)
    if (step?.type === 'step') this.setOutbox(sender, mailboxMap(this.space, step.outbox), step.outbox)
    else this.setOutbox(sender, new Map())
  }
}
