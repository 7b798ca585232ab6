// Fork: a new actor continuing another's history at one of its steps (RUN-008).
// Constant time: the child's first step points back at the parent's step, so no
// history is read or copied (RUN-008.8).

import { fail } from './errors.mjs'
import { encode, step as stepRecord, textBlob, tree } from './witobjects.mjs'

export const FORK_ENTRY = 'fork'

/** The `fork` blob (RUN-008.2): `{"actor": "<parent>", "step": "<step>"}` -- keys sorted, a space after `:` and `,`. */
export const forkBlob = (parent, at) =>
  textBlob(`{"actor": "${parent}", "step": "${at}"}`, [['content-type', 'application/json']])

/** The parent and step a `fork` blob names, or null when it is not one (RUN-010.2). */
export function forkOrigin (blob) {
  if (blob === null || blob.type !== 'blob') return null
  try {
    const record = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(blob.data))
    const ok = (v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)
    return ok(record?.actor) && ok(record?.step) ? { actor: record.actor, step: record.step } : null
  } catch {
    return null
  }
}

/**
 * RUN-008.1 … RUN-008.9, checked in the order of RUN-008.9: `at` present (`not-found`,
 * or its store's class), a step of `parent` (`invalid-ref-target`), `state` not naming
 * `fork` (`invalid-object`), the child's core (object rules, ADP-004.10), then the
 * child's head set by compare-and-swap from unset (`ref-conflict`).
 * `state` maps entry names to blob records. Returns the child's id.
 */
export function fork (space, parent, at, state) {
  const atStep = space.get(at)
  if (atStep.type !== 'step' || atStep.actor !== parent) fail('invalid-ref-target', 'RUN-008.1', `${at} is not a step of ${parent}`)
  const core = space.get(atStep.core)
  if (core.type !== 'tree') fail('invalid-ref-target', 'RUN-008.1', `the core of ${at} is not a tree`)
  if (state.has(FORK_ENTRY)) fail('invalid-object', 'RUN-008.3', 'the entry `fork` is set by fork itself')
  const entries = new Map(core.entries)
  const objects = []
  const add = (obj) => { const e = encode(obj); objects.push([e.id, e.bytes, obj]); return e.id }
  for (const [name, obj] of state) entries.set(name, add(obj))
  entries.set(FORK_ENTRY, add(forkBlob(parent, at)))
  const child = add(tree(entries)) // the child's id is its core's (RUN-008.4)
  // RUN-008.5: no outbox -- carried over, every message the parent sent would be pending again, from the child
  const first = add(stepRecord({ actor: child, core: child, previous: at, inbox: atStep.inbox }))
  space.putAll(objects)
  space.cas(`heads/${child}`, null, first) // RUN-008.6
  return child
}
