// Resident actors and lifecycle events (RUN-012 … RUN-014).
//
// An actor is *resident* from its first use until it is evicted (RUN-012.6): the
// runtime keeps its head in memory and when it was last used, on a monotonic clock
// (RUN-012.7). The Map below is kept in least-recently-used order (a use moves the
// actor to the end), which is the order eviction takes (RUN-012.2). Eviction only
// forgets: nothing in the store changes (RUN-012.1, RUN-012.5).
//
// Observers get `archived`, `restore-requested` and `restored` events (RUN-014.1),
// each after the change it reports (RUN-014.3); an observer that throws is ignored
// (RUN-014.5). Events are never stored (RUN-014.4).

export const ARCHIVED = 'archived'
export const RESTORE_REQUESTED = 'restore-requested'
export const RESTORED = 'restored'

/** Seconds on a monotonic clock (RUN-012.7). */
export const monotonic = () => performance.now() / 1000

export class Residency {
  constructor () { this.actors = new Map() } // actor -> { head, used }, least recently used first

  get size () { return this.actors.size }
  has (actor) { return this.actors.has(actor) }

  /** `actor` was used at `now`, its head is `head` (RUN-012.6): it is the most recent. */
  use (actor, head, now) {
    this.actors.delete(actor)
    this.actors.set(actor, { head, used: now })
  }

  drop (actor) { this.actors.delete(actor) }

  /** Every resident actor, least recently used first (a snapshot). */
  oldestFirst () { return [...this.actors] }
}

export class EventHub {
  constructor () { this.observers = [] }

  /** RUN-014.1: call `observer` with every later event; returns a function that unsubscribes. */
  subscribe (observer) {
    this.observers.push(observer)
    return () => { this.observers = this.observers.filter((o) => o !== observer) }
  }

  emit (event, actor, reason = null) {
    for (const observer of [...this.observers]) {
      try {
        observer({ event, actor, reason })
      } catch { /* RUN-014.5: an observer's error affects nothing */ }
    }
  }
}
