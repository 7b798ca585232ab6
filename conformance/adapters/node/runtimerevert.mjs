// Revert: an actor moved back to an earlier step of its own history, the history kept
// (RUN-024); and clearing an actor's failed mark (RUN-025). Both are store-level, as
// fork is: the runtime reads heads and marks from the store at every run.

import { fail } from './errors.mjs'
import { step as stepRecord } from './witobjects.mjs'
import { failedRef } from './runtimeindex.mjs'

/** The entries a frozen core keeps (WIT-016), which a revert may not change (RUN-024.7). */
const FROZEN_ENTRIES = ['wit', 'wit_update', 'frozen']

/** Whether `wanted` is below `head` on the actor's own chain (RUN-024.6). */
function below (space, actor, head, wanted) {
  let step = head
  while (step.previous !== null) {
    if (step.previous === wanted) return true
    const next = space.get(step.previous)
    if (next.type !== 'step' || next.actor !== actor) return false // a fork's parent: not its own
    step = next
  }
  return false
}

/**
 * RUN-024.1 … RUN-024.7, checked in the order of RUN-024.6: a head (`not-found`), the
 * step present (`not-found`, or its store's class), a step of the actor, not the head,
 * on the head's chain (`invalid-ref-target`), the frozen entries (`frozen-core`); then
 * the revert step -- the step's core, the head's inbox and outbox, `previous` the head --
 * stored and the head swapped to it (`ref-conflict`). Returns the new head.
 */
export function revert (space, actor, to) {
  const head = space.getRef(`heads/${actor}`)
  if (head === null) fail('not-found', 'RUN-024.6', `actor ${actor} has no head to revert`)
  const target = space.get(to)
  if (target.type !== 'step' || target.actor !== actor) fail('invalid-ref-target', 'RUN-024.6', `${to} is not a step of ${actor}`)
  if (to === head) fail('invalid-ref-target', 'RUN-024.6', `${to} is the head: nothing to revert`)
  const last = space.get(head)
  if (!below(space, actor, last, to)) fail('invalid-ref-target', 'RUN-024.6', `${to} is not in the history of ${actor}`)
  if (last.core !== target.core) {
    const now = space.get(last.core)
    const then = space.get(target.core)
    if (now.entries.has('frozen')) {
      for (const name of FROZEN_ENTRIES) {
        if (now.entries.get(name) !== then.entries.get(name)) fail('frozen-core', 'RUN-024.7', `the head's core is frozen; ${name} would change`)
      }
    }
  }
  const id = space.put(stepRecord({ actor, core: target.core, previous: head, inbox: last.inbox, outbox: last.outbox }))
  space.cas(`heads/${actor}`, head, id) // RUN-024.1: a lost swap is ref-conflict, not made again
  return id
}

/** RUN-025.1, RUN-025.2: delete the mark by compare-and-swap; false when there is none. */
export function clearFailed (space, actor) {
  for (;;) {
    const mark = space.getRef(failedRef(actor))
    if (mark === null) return false
    try {
      space.cas(failedRef(actor), mark, null)
      return true
    } catch (err) {
      if (err?.errorClass !== 'ref-conflict') throw err // cleared or marked again: read it again
    }
  }
}
