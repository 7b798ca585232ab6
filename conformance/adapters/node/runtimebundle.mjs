// Bundles: one actor's whole history in one canonical CBOR value, to move it between
// runtimes (RUN-009). Byte for byte:
//
//   ["gritwit-bundle/1", <actor text id>, <head step text id>, [<object bytes>, …]]
//
// the objects being every object reachable from the head (runtimereach.mjs), each
// once, in ascending id order (ID-005: text-form ids sort like the ids). Equal
// histories give equal bundles, and an importer holds exactly the exporter's
// objects, so its next steps have the same ids (RUN-009.5, WIT-011).

import { fail } from './errors.mjs'
import { decodeObject, encodeValue, hash } from './codec.mjs'
import { decodeStrict } from './strict.mjs'
import { toHex } from './bytes.mjs'
import { fromValue } from './witobjects.mjs'
import { badKinds, kindText, reachable } from './runtimereach.mjs'

export const BUNDLE_FORMAT = 'gritwit-bundle/1'
const TEXT_ID = /^[0-9a-f]{64}$/
const headRef = (actor) => `heads/${actor}`
const byId = (a, b) => (a < b ? -1 : a > b ? 1 : 0)

/** RUN-009.1: the bundle of `actor`'s history; `not-found` without a head, `erased` through an erased blob. */
export function exportBundle (space, actor) {
  const head = space.getRef(headRef(actor))
  if (head === null) fail('not-found', 'RUN-009.1', `${actor} has no head: nothing to export`)
  const raw = new Map()
  reachable(head, (id) => {
    const bytes = space.bytes(id) // re-hashed (STO-004); an erased blob fails `erased` (RUN-011)
    raw.set(id, bytes)
    return fromValue(decodeObject(bytes))
  })
  const objects = [...raw.keys()].sort(byId).map((id) => raw.get(id))
  return encodeValue([BUNDLE_FORMAT, actor, head, objects]) // ENC-013: at most 16 MiB
}

/**
 * RUN-009.2, RUN-009.6: decode and check a whole bundle, storing nothing; in order: the
 * CBOR, the shape and format tag, the two ids, every object strictly, the head present
 * and a step of the actor, everything reachable present, every id of the kind its field
 * names (OBJ-020.2, OBJ-019.2 for a `base`), and nothing else, once, sorted.
 */
export function readBundle (bytes) {
  const value = decodeStrict(bytes) // every ENC rule (truncated, too-large, …)
  if (!Array.isArray(value) || value.length !== 4 || value[0] !== BUNDLE_FORMAT) {
    fail('invalid-object', 'RUN-009.2', `not a ${BUNDLE_FORMAT} array of four items`)
  }
  const [, actor, head, items] = value
  if (typeof actor !== 'string' || typeof head !== 'string' || !Array.isArray(items)) {
    fail('invalid-object', 'RUN-009.6', 'a bundle is [format, actor text, head text, [objects]]')
  }
  if (!items.every((item) => item instanceof Uint8Array)) fail('invalid-object', 'RUN-009.2', 'every bundled object is a byte string')
  for (const id of [actor, head]) if (!TEXT_ID.test(id)) fail('invalid-id', 'RUN-009.6', `${id.slice(0, 70)} is not a text-form id`)
  const raw = new Map()
  const decoded = new Map()
  const order = []
  for (const item of items) {
    const obj = fromValue(decodeObject(item)) // STO-001: strictly, with its class
    const id = toHex(hash(item))
    raw.set(id, item)
    decoded.set(id, obj)
    order.push(id)
  }
  const top = decoded.get(head)
  if (top === undefined) fail('not-found', 'RUN-009.6', `the head ${head} is not in the bundle`)
  if (top.type !== 'step' || top.actor !== actor) fail('invalid-ref-target', 'RUN-009.2', `the head ${head} is not a step of ${actor}`)
  const found = reachable(head, (id) => decoded.get(id) ?? null)
  const missing = [...found].filter(([, obj]) => obj === null).map(([id]) => id).sort(byId)
  if (missing.length) fail('not-found', 'RUN-009.2', `${missing.length} reachable objects are missing, the first ${missing[0]}`)
  const bad = badKinds(found) // a history routing and the next transition could not read
  if (bad.length) fail('invalid-object', bad[0].clause, kindText(bad[0]))
  if (found.size !== order.length || order.some((id, i) => i > 0 && byId(order[i - 1], id) >= 0)) {
    fail('invalid-object', 'RUN-009.2', 'a bundle holds exactly the reachable objects, once each, in id order')
  }
  return { actor, head, raw, decoded }
}

/**
 * RUN-009.3, RUN-009.4: check the whole bundle, then read the actor's head: already the
 * bundle's head → accepted, nothing changes; another step → `ref-conflict`, nothing
 * stored; unset → every object stored, then the head set by compare-and-swap from unset.
 * `bound(get, core)` refuses a head's core the runtime's runs could not mount (SBX-006.18).
 */
export function importBundle (space, bytes, bound = null) {
  const { actor, head, raw, decoded } = readBundle(bytes)
  // SBX-006.18: after every check of RUN-009.2, before the head is read
  const core = decoded.get(decoded.get(head).core)
  if (bound !== null && core !== undefined && core.type === 'tree') bound((id) => decoded.get(id), core)
  const name = headRef(actor)
  const current = space.getRef(name)
  if (current === head) return { actor, head }
  if (current !== null) fail('ref-conflict', 'RUN-009.4', `${name} is ${current}, not unset`, { current })
  space.putAll([...raw].map(([id, item]) => [id, item, decoded.get(id)])) // objects before the head (RUN-001.1)
  space.cas(name, null, head)
  return { actor, head }
}
