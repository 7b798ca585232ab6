// Verifying an actor's history (RUN-010) and erasing a blob (RUN-011).

import { GritError, fail } from './errors.mjs'
import { mailboxMap } from './witoutbox.mjs'
import { badKinds, kindText, reachable } from './runtimereach.mjs'
import { FORK_ENTRY, forkOrigin } from './runtimefork.mjs'

/**
 * RUN-010: walk everything reachable from `actor`'s head. Returns { verified, steps,
 * erased, problems }: an absent or corrupt object is a problem (RUN-010.1), an erased
 * blob is *verified-erased* (RUN-011.7), an id naming another kind than its field's a
 * problem at the named id (OBJ-020.2, OBJ-019.2); each step on the `previous` chain must be
 * the actor's -- the child's down to its first step, whose `fork` entry names the
 * parent and the step it continues, the parent's below (RUN-010.2); inbox cursors
 * only move forward (RUN-010.3). An actor without a head has nothing to vouch for.
 */
export function verifyActor (space, actor) {
  const head = space.getRef(`heads/${actor}`)
  if (head === null) return { verified: false, steps: 0, erased: [], problems: [[actor, 'the actor has no head']] }
  const problems = []
  const erased = new Set()
  const found = reachable(head, (id) => {
    try {
      return space.get(id)
    } catch (err) {
      if (!(err instanceof GritError)) throw err
      if (err.errorClass === 'erased') erased.add(id)
      else problems.push([id, `${err.errorClass}: ${err.message}`])
      return null
    }
  })
  const chain = [] // the readable steps from the head back, oldest first
  for (let at = head; at !== null;) {
    const s = found.get(at)
    if (!s || s.type !== 'step') break
    chain.unshift([at, s])
    at = s.previous
  }
  for (const w of badKinds(found)) problems.push([w.named, `invalid-object: ${kindText(w)}`])
  problems.push(...checkActors(found, actor, chain), ...checkCursors(space, chain))
  return { verified: problems.length === 0, steps: chain.length, erased: [...erased].sort(), problems }
}

/** RUN-010.2 */
function checkActors (found, actor, chain) {
  const problems = []
  if (chain.length && chain[0][1].previous !== null) problems.push([chain[0][0], `previous ${chain[0][1].previous} is not a readable step`])
  let expected = actor
  for (let i = chain.length - 1; i >= 0; i--) {
    const [id, s] = chain[i]
    if (s.actor !== expected) {
      problems.push([id, `a step of ${s.actor} in the history of ${expected}`])
      break // below it the history is not this actor's: reported once
    }
    const before = i > 0 ? chain[i - 1] : null
    if (before === null || before[1].actor === expected) continue
    const core = found.get(s.core)
    const blob = core && core.type === 'tree' && core.entries.has(FORK_ENTRY) ? found.get(core.entries.get(FORK_ENTRY)) ?? null : null
    const origin = forkOrigin(blob)
    if (origin === null || origin.actor !== before[1].actor || origin.step !== before[0] || s.core !== expected) {
      problems.push([id, `a step of ${expected} continues ${before[0]} without a fork`])
      break
    }
    expected = before[1].actor
  }
  return problems
}

/** Whether `older` is on the `previous` chain of message `newer`, `newer` included. */
function onChain (space, newer, older) {
  for (let at = newer; at !== null;) {
    if (at === older) return true
    const m = space.get(at)
    at = m.type === 'message' ? m.previous : null
  }
  return false
}

/** RUN-010.3: each cursor stays, moves forward along its sender's chain, or is replaced by a signal. */
function checkCursors (space, chain) {
  const problems = []
  let before = new Map()
  for (const [id, s] of chain) {
    let inbox
    try {
      inbox = mailboxMap(space, s.inbox)
      for (const [sender, old] of before) {
        const now = inbox.get(sender)
        if (now === undefined) {
          problems.push([id, `the cursor for ${sender} disappeared`])
        } else if (!onChain(space, now, old)) {
          const m = space.get(now)
          if (!(m.type === 'message' && m.previous === null)) problems.push([id, `the cursor for ${sender} moved backwards`])
        }
      }
    } catch (err) {
      if (!(err instanceof GritError)) throw err
      continue // an unreadable inbox or message: the walk reported it
    }
    before = inbox
  }
  return problems
}

/**
 * RUN-011: drop a blob's bytes and keep a tombstone with the reason, atomically
 * (durable.mjs). An absent id → `not-found`; not a blob → `invalid-object`, nothing
 * changes (RUN-011.6); erasing an erased blob changes nothing.
 */
export function eraseBlob (space, id, reason) {
  let obj
  try {
    obj = space.get(id)
  } catch (err) {
    if (err instanceof GritError && err.errorClass === 'erased') return
    throw err
  }
  if (obj.type !== 'blob') fail('invalid-object', 'RUN-011.6', `${id} is a ${obj.type}, not a blob`)
  space.backend.erase(id, reason)
  space.forget(id)
}
