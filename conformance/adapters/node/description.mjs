// The JSON description of objects (OBJ-018), in both directions.
//
// Reading a description builds the CBOR-level value the description stands
// for and hands it to the *same* validator that checks decoded bytes
// (objects.mjs), so a description is refused with the class a decoder would
// report for the corresponding bytes (OBJ-017). JSON has no byte strings, so:
//   - a hex string in a position that holds bytes (blob data, ids) becomes a
//     Uint8Array when it is well-formed lowercase hex (64 digits for an id);
//   - anything else is carried over as it is (a text string, a number, ...)
//     and then fails that field's type rule exactly where a decoder would
//     fail a text string there: bad data hex -> invalid-object (OBJ-008,
//     OBJ-018), a malformed id -> invalid-id (OBJ-005, ID-003).
// `null` for an absent optional id and `{}` for no headers mean "omitted"; an
// omitted optional field is accepted too (OBJ-018 allows it). `"headers": null`
// is not a description of "no headers": it stays null and fails OBJ-004.

import { fail } from './errors.mjs'
import { optionalFields } from './objects.mjs'
import { compareKeys, fromHex, toHex } from './bytes.mjs'

// --- reading a description -------------------------------------------------------------

const TEXT_ID = /^[0-9a-f]{64}$/ // ID-003
const ID_FIELDS = new Set(['content', 'previous', 'actor', 'core', 'inbox', 'outbox', 'base'])
const isJsonObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)

/** A text-form id becomes its 32 bytes; anything else stays as it is (and fails OBJ-005). */
const idFromJson = (v) => (typeof v === 'string' && TEXT_ID.test(v) ? fromHex(v) : v)

/** A Map in canonical key order (ENC-010), as a decoder would have produced it. */
const canonicalMap = (entries) => new Map(entries.sort(([a], [b]) => compareKeys(a, b)))

/** ENC-008: JSON strings may hold lone surrogates, which have no UTF-8 form (also ADP-004.8). */
export function checkWellFormed (value) {
  if (typeof value === 'string') {
    if (!value.isWellFormed()) fail('invalid-utf8', 'ENC-008', 'text with a lone surrogate has no UTF-8 form')
  } else if (Array.isArray(value)) {
    value.forEach(checkWellFormed)
  } else if (isJsonObject(value)) {
    for (const [k, v] of Object.entries(value)) { checkWellFormed(k); checkWellFormed(v) }
  }
}

function fieldFromJson (key, value) {
  if (key === 'data') return (typeof value === 'string' && fromHex(value)) || value
  if (ID_FIELDS.has(key)) return idFromJson(value)
  if (key === 'headers' && isJsonObject(value)) return canonicalMap(Object.entries(value))
  if (key === 'entries' && isJsonObject(value)) {
    // tree: name -> id; mailbox: text-form actor id (stays text, OBJ-014) -> id
    return canonicalMap(Object.entries(value).map(([k, v]) => [k, idFromJson(v)]))
  }
  return value // `type` and unknown fields: as they are
}

/** JSON description -> CBOR-level Map (not yet validated: see codec.mjs encodeObject). */
export function objectFromJson (description) {
  if (!isJsonObject(description)) fail('invalid-object', 'OBJ-018', 'a description is a JSON object')
  // Encoding rules come before object rules (OBJ-016): text that cannot be UTF-8 first.
  checkWellFormed(description)
  const optional = optionalFields(description.type)
  const entries = []
  for (const [key, value] of Object.entries(description)) {
    if (optional.includes(key)) {
      if (value === null && ID_FIELDS.has(key)) continue // an absent optional id (OBJ-018)
      if (key === 'headers' && isJsonObject(value) && Object.keys(value).length === 0) continue // OBJ-007
    }
    entries.push([key, fieldFromJson(key, value)])
  }
  return canonicalMap(entries)
}

// --- writing a description -------------------------------------------------------------

const idOrNull = (value) => (value === undefined ? null : toHex(value))
// Object.fromEntries defines own properties, so a header named "__proto__" survives.
const describeMap = (map, describe) => Object.fromEntries([...(map ?? [])].map(([k, v]) => [k, describe(v)]))

/** The JSON description of a *validated* object: every field present, null / {} when absent. */
export function objectToJson (obj) {
  const get = (key) => obj.get(key)
  switch (get('type')) {
    case 'blob':
      return { type: 'blob', data: toHex(get('data')), headers: describeMap(get('headers'), (t) => t) }
    case 'tree':
      return { type: 'tree', entries: describeMap(get('entries'), toHex) }
    case 'message':
      return {
        type: 'message',
        content: toHex(get('content')),
        previous: idOrNull(get('previous')),
        headers: describeMap(get('headers'), (t) => t)
      }
    case 'mailbox':
      return { type: 'mailbox', entries: describeMap(get('entries'), toHex), base: idOrNull(get('base')) } // OBJ-018.1
    default: // step
      return {
        type: 'step',
        actor: toHex(get('actor')),
        core: toHex(get('core')),
        previous: idOrNull(get('previous')),
        inbox: idOrNull(get('inbox')),
        outbox: idOrNull(get('outbox'))
      }
  }
}
