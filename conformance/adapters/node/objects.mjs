// The five object types (spec/02-objects.md): validation and the JSON description.
//
// Everything here works on the *CBOR-level* value that strict.mjs produces: a
// Map with text keys whose values are Uint8Array (byte strings), string, Map,
// BigInt, Array, boolean or null. The same `validateObject` runs when bytes are
// decoded and when a JSON description is encoded, so building and decoding
// refuse exactly the same things with the same class (OBJ-017).

import { fail } from './errors.mjs'

const ID_LENGTH = 32 // ID-002
const MAX_NAME_BYTES = 255 // OBJ-011
const TEXT_ID = /^[0-9a-f]{64}$/ // ID-003: exactly 64 lowercase hex digits

// --- field rules ---------------------------------------------------------------------

/** OBJ-005: an id-valued field is a byte string of exactly 32 bytes. */
function checkId (value, what) {
  if (!(value instanceof Uint8Array) || value.length !== ID_LENGTH) {
    fail('invalid-id', 'OBJ-005', `${what} must be a byte string of ${ID_LENGTH} bytes`)
  }
}

/** OBJ-008: blob data is a byte string (possibly empty). */
function checkData (value) {
  if (!(value instanceof Uint8Array)) fail('invalid-object', 'OBJ-008', 'blob data must be a byte string')
}

/** OBJ-006, OBJ-007: a present `headers` is a non-empty map of non-empty text names to text. */
function checkHeaders (value) {
  if (!(value instanceof Map)) fail('invalid-object', 'OBJ-006', 'headers must be a map')
  if (value.size === 0) fail('invalid-object', 'OBJ-007', 'no headers is encoded by omitting the key, not as {}')
  for (const [name, text] of value) { // entry by entry, name before value (OBJ-016)
    if (name === '') fail('invalid-object', 'OBJ-006', 'a header name must not be empty')
    if (typeof text !== 'string') fail('invalid-object', 'OBJ-006', `header ${JSON.stringify(name)} is not text`)
  }
}

/** OBJ-011: 1..255 UTF-8 bytes, no "/" or NUL, not "." or "..". Compared as bytes. */
function checkTreeName (name) {
  const size = Buffer.byteLength(name, 'utf8')
  if (size === 0 || size > MAX_NAME_BYTES || name === '.' || name === '..' ||
      name.includes('/') || name.includes('\0')) {
    fail('invalid-name', 'OBJ-011', `tree name ${JSON.stringify(name).slice(0, 80)} is not allowed`)
  }
}

/** OBJ-009, OBJ-010, OBJ-011: tree entries, a non-empty map of names to ids. */
function checkTreeEntries (value) {
  if (!(value instanceof Map)) fail('invalid-object', 'OBJ-009', 'tree entries must be a map')
  if (value.size === 0) fail('invalid-object', 'OBJ-010', 'a tree has at least one entry')
  for (const [name, id] of value) { // in key order, name before id (OBJ-016)
    checkTreeName(name)
    checkId(id, `tree entry ${JSON.stringify(name).slice(0, 60)}`)
  }
}

/** OBJ-013, OBJ-014: mailbox entries, a non-empty map of text-form actor ids to message ids. */
function checkMailboxEntries (value) {
  if (!(value instanceof Map)) fail('invalid-object', 'OBJ-013', 'mailbox entries must be a map')
  if (value.size === 0) fail('invalid-object', 'OBJ-013', 'a mailbox has at least one entry')
  for (const [actor, id] of value) { // in key order, key before value (OBJ-016)
    if (!TEXT_ID.test(actor)) fail('invalid-id', 'OBJ-014', 'a mailbox key is a text-form id (64 lowercase hex digits)')
    checkId(id, 'mailbox entry')
  }
}

const idField = (name) => (value) => checkId(value, name)

// --- the five shapes (OBJ-008 ... OBJ-015) -----------------------------------------------
// For each type: every field with its rule, and which fields are required (OBJ-003).
// `type` itself is checked by OBJ-002 before anything else.

const SHAPES = new Map([
  ['blob', { required: ['data'], fields: new Map([['data', checkData], ['headers', checkHeaders]]) }],
  ['tree', { required: ['entries'], fields: new Map([['entries', checkTreeEntries]]) }],
  ['message', {
    required: ['content'],
    fields: new Map([['content', idField('content')], ['previous', idField('previous')], ['headers', checkHeaders]])
  }],
  // OBJ-013: `base` optional, checked as an id only (OBJ-019.2); canonical key order puts it first
  ['mailbox', { required: ['entries'], fields: new Map([['entries', checkMailboxEntries], ['base', idField('base')]]) }],
  ['step', {
    required: ['actor', 'core'],
    fields: new Map(['actor', 'core', 'previous', 'inbox', 'outbox'].map((f) => [f, idField(f)]))
  }]
])

/** The optional fields of `type` (those a JSON description may give as null or omit). */
export function optionalFields (type) {
  const shape = SHAPES.get(type)
  return shape ? [...shape.fields.keys()].filter((f) => !shape.required.includes(f)) : []
}

/**
 * Check a decoded, canonically ordered value against the object rules, in the
 * order OBJ-016 fixes; the first failing rule decides the class. Returns the type.
 */
export function validateObject (value) {
  if (!(value instanceof Map)) fail('invalid-object', 'OBJ-001', 'an object is a map')
  const type = value.get('type')
  const shape = typeof type === 'string' ? SHAPES.get(type) : undefined
  if (shape === undefined) fail('invalid-object', 'OBJ-002', 'type must be blob, tree, message, mailbox or step')
  // OBJ-003: unknown keys first, then missing keys.
  for (const key of value.keys()) {
    if (key !== 'type' && !shape.fields.has(key)) fail('invalid-object', 'OBJ-003', `a ${type} has no field ${JSON.stringify(key).slice(0, 40)}`)
  }
  for (const key of shape.required) {
    if (!value.has(key)) fail('invalid-object', 'OBJ-003', `a ${type} needs the field ${key}`)
  }
  // Then each field in canonical key order -- the order of the Map (see header comment).
  for (const [key, field] of value) {
    if (key === 'type') continue
    if (field === null) fail('invalid-object', 'OBJ-004', `${key} is null; omit absent fields`)
    shape.fields.get(key)(field)
  }
  return type
}
