// Objects as the Wit executor handles them, and the in-memory space that holds them.
//
// The codec (codec.mjs, objects.mjs) works on CBOR-level Maps; the executor
// prefers plain records with text-form ids (ID-003), which compare and sort
// like the binary ids (ID-005) and serve as Map keys:
//   blob    { type, data: Uint8Array, headers: Map name->text }
//   tree    { type, entries: Map name->id }
//   message { type, content: id, previous: id|null, headers: Map }
//   mailbox { type, entries: Map actor id->message id, base: id|null }   (OBJ-013, OBJ-019)
//   step    { type, actor, core, previous, inbox, outbox }   (ids or null)
// `encode` turns a record into its canonical bytes through the same validator
// that checks decoded bytes (OBJ-017), so a bad name is `invalid-name` here too.

import { fail } from './errors.mjs'
import { compareKeys, fromHex, toHex } from './bytes.mjs'
import { decodeObject, encodeValue, hash } from './codec.mjs'
import { validateObject } from './objects.mjs'
import { MemoryBackend } from './store.mjs'

const NO_HEADERS = new Map()

export const blob = (data, headers = NO_HEADERS) => ({ type: 'blob', data, headers: new Map(headers) })
export const tree = (entries) => ({ type: 'tree', entries: new Map(entries) })
export const message = (content, previous = null, headers = NO_HEADERS) =>
  ({ type: 'message', content, previous, headers: new Map(headers) })
export const mailbox = (entries, base = null) => ({ type: 'mailbox', entries: new Map(entries), base })
export const step = ({ actor, core, previous = null, inbox = null, outbox = null }) =>
  ({ type: 'step', actor, core, previous, inbox, outbox })

const utf8 = new TextEncoder()
/** A blob of UTF-8 text. */
export const textBlob = (text, headers) => blob(utf8.encode(text), headers)

/** A Map in canonical key order (ENC-010). */
const canonical = (pairs) => {
  const list = [...pairs]
  if (list.length > 1) list.sort(([a], [b]) => compareKeys(a, b))
  return new Map(list)
}
const idBytes = (id) => fromHex(id) ?? fail('invalid-id', 'OBJ-005', `${String(id).slice(0, 70)} is not an id`)

/** Text with a lone surrogate has no UTF-8 form: refuse it as a decoder would (ENC-008.1). */
const text = (value) => {
  if (typeof value === 'string' && !value.isWellFormed()) {
    fail('invalid-utf8', 'ENC-008.1', 'text with a lone surrogate has no UTF-8 form')
  }
  return value
}
const texts = (map) => { for (const [k, v] of map) { text(k); text(v) } return map }

/** Every field name of a record, in canonical key order (ENC-010): shorter first, then bytewise. */
const FIELD_ORDER = ['base', 'core', 'data', 'type', 'actor', 'inbox', 'outbox', 'content', 'entries', 'headers', 'previous']

/** The CBOR-level value of a record (not yet validated), its fields already in canonical order. */
function toValue (obj) {
  if (obj.headers) texts(obj.headers)
  if (obj.entries) for (const k of obj.entries.keys()) text(k)
  const fields = { type: obj.type }
  switch (obj.type) {
    case 'blob':
      fields.data = obj.data
      if (obj.headers.size) fields.headers = canonical(obj.headers)
      break
    case 'tree':
    case 'mailbox':
      fields.entries = canonical([...obj.entries].map(([k, v]) => [k, idBytes(v)]))
      if (obj.type === 'mailbox' && obj.base !== null && obj.base !== undefined) fields.base = idBytes(obj.base)
      break
    case 'message':
      fields.content = idBytes(obj.content)
      if (obj.previous !== null) fields.previous = idBytes(obj.previous)
      if (obj.headers.size) fields.headers = canonical(obj.headers)
      break
    default:
      for (const key of ['actor', 'core', 'previous', 'inbox', 'outbox']) {
        if (obj[key] !== null) fields[key] = idBytes(obj[key])
      }
  }
  const value = new Map()
  for (const key of FIELD_ORDER) {
    if (fields[key] !== undefined && fields[key] !== null) value.set(key, fields[key])
  }
  return value
}

/** A validated CBOR-level value -> its record. */
export function fromValue (value) {
  const get = (key) => value.get(key)
  const id = (key) => (value.has(key) ? toHex(get(key)) : null)
  const entries = () => new Map([...get('entries')].map(([k, v]) => [k, toHex(v)]))
  switch (get('type')) {
    case 'blob': return blob(get('data'), get('headers') ?? NO_HEADERS)
    case 'tree': return tree(entries())
    case 'mailbox': return mailbox(entries(), id('base'))
    case 'message': return message(id('content'), id('previous'), get('headers') ?? NO_HEADERS)
    default: return step({ actor: id('actor'), core: id('core'), previous: id('previous'), inbox: id('inbox'), outbox: id('outbox') })
  }
}

/** The canonical encoding and text-form id of a record (OBJ-017, ID-001). */
export function encode (obj) {
  const value = toValue(obj)
  validateObject(value)
  const bytes = encodeValue(value)
  return { bytes, id: toHex(hash(bytes)) }
}

export const idOf = (obj) => encode(obj).id

/**
 * An in-memory store of one Wit runtime: objects by id (bytes and decoded
 * records) and refs, on the store profile's MemoryBackend. Refs are the
 * reference's: `heads/<actor>` and the outside's mailboxes `names/outside-outbox/<h>`
 * (WIT-003, RUN-003.4).
 */
export class ObjectSpace {
  constructor () {
    this.backend = new MemoryBackend()
    this.records = new Map()
  }

  put (obj) {
    const { bytes, id } = encode(obj)
    this.putEncoded(id, bytes, obj)
    return id
  }

  putEncoded (id, bytes, obj) {
    if (!this.backend.contains(id)) this.backend.insert(id, bytes)
    if (!this.records.has(id)) this.records.set(id, obj)
  }

  has (id) { return this.backend.contains(id) }

  bytes (id) {
    const bytes = this.backend.read(id)
    if (bytes === null) fail('not-found', 'STO-003', `no object ${id}`)
    return bytes
  }

  get (id) {
    let obj = this.records.get(id)
    if (obj === undefined) {
      obj = fromValue(decodeObject(this.bytes(id)))
      this.records.set(id, obj)
    }
    return obj
  }

  getRef (name) { return this.backend.table.get(name) ?? null }
  setRef (name, id) { this.backend.swap(name, this.getRef(name), id) }
  refNames (prefix) { return [...this.backend.table.keys()].filter((n) => n.startsWith(prefix)).sort() }
}

/** A reader plus objects not yet stored: what a transition sees while it runs. */
export class Overlay {
  constructor (base, extra = new Map()) {
    this.base = base
    this.extra = new Map(extra)
  }

  add (obj) {
    const id = idOf(obj)
    if (!this.extra.has(id)) this.extra.set(id, obj)
    return id
  }

  has (id) { return this.extra.has(id) || this.base.has(id) }
  get (id) { return this.extra.get(id) ?? this.base.get(id) }
}

/** The object `id` if present and of `type`, else null. */
export function getTyped (reader, id, type) {
  if (id === null || id === undefined || !reader.has(id)) return null
  const obj = reader.get(id)
  return obj.type === type ? obj : null
}
