// The routing index: which messages are pending, found from the heads alone (RUN-003).
//
// It holds every sender's *committed* outbox entries -- each head step's outbox and
// the outside's, kept as a mailbox under `names/outside-outbox` (RUN-003.2) -- and the
// actors marked failed (`names/failed/<actor>`, RUN-004.4). `load` rebuilds it from
// the refs and nothing else (RUN-003.1, RUN-003.3), so a runtime opened on a used
// directory after a crash resumes exactly where the last adopted step left off
// (RUN-007). The runtime loads it at the start of every run and tells it of each
// step it adopts, after the head moved (RUN-001.3, RUN-001.4).

import { mailboxEntries, pending } from './witsteps.mjs'
import { OUTSIDE, OUTSIDE_REF } from './witexecutor.mjs'

export const FAILED_PREFIX = 'names/failed/'
const HEADS_PREFIX = 'heads/'
const TEXT_ID = /^[0-9a-f]{64}$/

/** The ref that marks `actor` failed (RUN-004.4). */
export const failedRef = (actor) => FAILED_PREFIX + actor

export class RoutingIndex {
  constructor (space) {
    this.space = space
    this.outboxes = new Map() // sender -> Map recipient -> message id
    this.failed = new Set()
  }

  /** Rebuild from the refs alone (RUN-003.1): every head's outbox, the outside's, the failed marks. */
  load () {
    this.outboxes.clear()
    this.failed = new Set()
    const table = this.space.refTable()
    this.outboxes.set(OUTSIDE, mailboxEntries(this.space, table.get(OUTSIDE_REF) ?? null))
    for (const [name, target] of table) {
      if (name.startsWith(HEADS_PREFIX)) {
        const step = this.space.get(target)
        if (step.type === 'step') this.outboxes.set(name.slice(HEADS_PREFIX.length), mailboxEntries(this.space, step.outbox))
      } else if (name.startsWith(FAILED_PREFIX)) {
        const actor = name.slice(FAILED_PREFIX.length)
        if (TEXT_ID.test(actor)) this.failed.add(actor) // a ref naming no actor marks none
      }
    }
  }

  /** `sender`'s committed outbox is now `entries`; returns the recipients whose entry changed. */
  setOutbox (sender, entries) {
    const before = this.outboxes.get(sender) ?? new Map()
    this.outboxes.set(sender, entries)
    return [...entries].filter(([r, m]) => before.get(r) !== m).map(([r]) => r)
  }

  /** Every recipient of a committed outbox entry: the candidates of a round (ADP-014 step 2). */
  recipients () {
    const all = new Set()
    for (const box of this.outboxes.values()) for (const r of box.keys()) all.add(r)
    all.delete(OUTSIDE)
    return all
  }

  /** What is pending for `actor` whose inbox is `inbox`, by sender in ascending id order (WIT-005). */
  pendingFor (actor, inbox) {
    const found = new Map()
    for (const sender of [...this.outboxes.keys()].sort()) {
      const entry = this.outboxes.get(sender).get(actor)
      if (entry === undefined) continue
      const items = pending(this.space, entry, inbox.get(sender) ?? null)
      if (items.length) found.set(sender, items)
    }
    return found
  }
}
