// The host functions of ABI 1 (WASM-007 … WASM-014, WASM-018) and the guest's
// working copy of its core (WASM-011), over a `guest` (wasmengine.mjs) that
// gives the calling instance's memory and charges fuel:
//   guest.size()  guest.read(ptr, len)  guest.write(ptr, bytes)  guest.charge(units)
// The host does all encoding and hashing; a guest sees payload bytes, header
// text, text-form ids and core paths (WASM-008).

import { fail } from './errors.mjs'
import { compareKeys } from './bytes.mjs'
import { blob, getTyped, idOf, Overlay, tree } from './witobjects.mjs'
import { mtOf } from './witsteps.mjs'

export const ABSENT = -1
export const INVALID = -2
const SIGNAL = 1
const HIDDEN = 'genesis' // read by the host, never shown to the guest (WASM-010)
export const OUTPUT_BYTES = 1024 * 1024 // WASM-016
export const OUTPUT_EFFECTS = 1024

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const encoder = new TextEncoder()
const TEXT_ID = /^[0-9a-f]{64}$/
const trap = (req, msg) => fail('trap', req, msg)

/** `len` bytes at `ptr`; a range outside memory traps (WASM-007); costs one unit a byte. */
function take (g, ptr, len) {
  if (ptr + len > g.size()) trap('WASM-007', `range ${ptr}+${len} is outside the guest's memory`)
  g.charge(len)
  return g.read(ptr, len)
}

/** Copy-out: write min(n, cap) bytes at `buf`, return n (WASM-007). */
function give (g, value, buf, cap) {
  if (buf + cap > g.size()) trap('WASM-007', `buffer ${buf}+${cap} is outside the guest's memory`)
  if (value === null) return ABSENT
  const part = value.subarray(0, cap)
  g.charge(part.length)
  if (part.length) g.write(buf, part)
  return value.length
}

function decodeText (raw) {
  try { return utf8.decode(raw) } catch { return null }
}

/** A path: names joined by "/", each a valid entry name (WASM-008, OBJ-011); null if not. */
export function parsePath (raw) {
  const text = decodeText(raw)
  if (text === null) return null
  const names = text.split('/')
  for (const name of names) {
    if (name === '' || name === '.' || name === '..' || name.includes('\0') || Buffer.byteLength(name) > 255) return null
  }
  return names
}

/** A header block: NUL-terminated name, value, name, value … (WASM-008); null if malformed. */
function parseHeaders (raw) {
  if (!raw.length) return new Map()
  if (raw[raw.length - 1] !== 0) return null
  const text = decodeText(raw.subarray(0, raw.length - 1))
  if (text === null) return null
  const parts = text.split('\0')
  if (parts.length % 2) return null
  const headers = new Map()
  for (let i = 0; i < parts.length; i += 2) {
    if (parts[i] === '' || headers.has(parts[i])) return null
    headers.set(parts[i], parts[i + 1])
  }
  return headers
}

function textId (raw) {
  const text = decodeText(raw)
  return text !== null && TEXT_ID.test(text) ? text : null
}

function walk (reader, id, names) {
  for (const name of names) {
    const t = getTyped(reader, id, 'tree')
    const found = t?.entries.get(name)
    if (found === undefined) return null
    id = found
  }
  return id
}

const blobData = (obj) => (obj !== null && obj.type === 'blob' ? obj.data : null)
const getOrNull = (reader, id) => (reader.has(id) ? reader.get(id) : null)

/** A tree being edited: name -> id (unchanged object) or another Node. */
class Node { constructor (entries = new Map()) { this.entries = new Map(entries) } }

/** The core as the guest sees it during one call: the input core plus its writes (WASM-011). */
export class WorkingCore {
  constructor (reader, core) { this.reader = reader; this.root = new Node(core.entries) }

  lookup (names) {
    let entry = this.root
    for (const name of names) {
      entry = this.child(entry, name)
      if (entry === null) return null
    }
    if (entry instanceof Node) return this.build(entry, [])
    return getOrNull(this.reader, entry)
  }

  child (entry, name) {
    if (entry instanceof Node) return entry.entries.get(name) ?? null
    return getTyped(this.reader, entry, 'tree')?.entries.get(name) ?? null
  }

  parent (names, create) {
    let node = this.root
    for (const name of names.slice(0, -1)) {
      let child = node.entries.get(name)
      if (child === undefined) {
        if (!create) return null
        child = new Node()
        node.entries.set(name, child)
      } else if (!(child instanceof Node)) {
        const t = getTyped(this.reader, child, 'tree')
        if (t === null) return null
        child = new Node(t.entries)
        node.entries.set(name, child)
      }
      node = child
    }
    return node
  }

  set (names, id) {
    const parent = this.parent(names, true)
    if (parent === null) return false
    parent.entries.set(names[names.length - 1], id)
    return true
  }

  delete (names) {
    const parent = this.parent(names, false)
    const last = names[names.length - 1]
    if (parent === null || !parent.entries.has(last)) return false
    parent.entries.delete(last)
    return true
  }

  /** The new core and the trees created for it. */
  finish () {
    const created = []
    const core = this.build(this.root, created)
    if (core === null) fail('invalid-transition', 'WIT-015', 'the guest deleted every entry of its core')
    return { core, created }
  }

  build (node, created) {
    const entries = new Map()
    for (const [name, entry] of node.entries) {
      if (entry instanceof Node) {
        const t = this.build(entry, created)
        if (t !== null) entries.set(name, idOf(t)) // an emptied tree disappears (OBJ-010)
      } else {
        entries.set(name, entry)
      }
    }
    if (!entries.size) return null
    const t = tree(entries)
    created.push(t)
    return t
  }
}

/** What every call shares: the working core, output accounting, trapping defaults. */
class Host {
  constructor (reader, core) {
    this.reader = new Overlay(reader)
    this.core = new WorkingCore(this.reader, core)
    this.created = []
    this.bytes = 0
    this.effects = 0
  }

  /** The host function `name`, bound; one this call may not use traps (WASM-014). */
  function (name) {
    const found = this['h_' + name]
    if (typeof found !== 'function') return () => trap('WASM-014', `host function ${name} is not available in this call`)
    return found.bind(this)
  }

  account (size, effects = 1) { // WASM-018
    this.bytes += size
    this.effects += effects
    if (this.bytes > OUTPUT_BYTES || this.effects > OUTPUT_EFFECTS) {
      fail('output-too-large', 'WASM-018', `output of ${this.bytes} bytes / ${this.effects} effects exceeds the limits`)
    }
  }

  h_core_read (g, path, pathLen, buf, cap) {
    const names = parsePath(take(g, path, pathLen))
    if (names === null) return INVALID
    return give(g, blobData(this.core.lookup(names)), buf, cap)
  }
}

/** The host of one transition (WASM-009 … WASM-013). */
export class StepHost extends Host {
  constructor (inp) {
    super(inp.objects, inp.core)
    this.inp = inp
    this.visible = []
    for (const sender of [...inp.pending.keys()].sort()) {
      inp.pending.get(sender).forEach((item, index) => {
        if (mtOf(item) !== HIDDEN) this.visible.push([sender, index, item])
      })
    }
    this.marked = new Map()
    this.sends = []
  }

  message (i) {
    if (i >= this.visible.length) trap('WASM-009', `message index ${i} of ${this.visible.length}`)
    return this.visible[i]
  }

  h_msg_count () { return this.visible.length }
  h_msg_sender (g, i, buf, cap) { return give(g, encoder.encode(this.message(i)[0]), buf, cap) }

  h_msg_header (g, i, name, nameLen, buf, cap) {
    const item = this.message(i)[2]
    const key = decodeText(take(g, name, nameLen))
    if (key === null) return INVALID
    const value = item.message.headers.get(key)
    return give(g, value === undefined ? null : encoder.encode(value), buf, cap)
  }

  content (g, i, path, pathLen) {
    const item = this.message(i)[2]
    const raw = take(g, path, pathLen)
    const names = raw.length ? parsePath(raw) : []
    if (names === null) return INVALID
    return walk(this.reader, item.message.content, names)
  }

  h_msg_content (g, i, path, pathLen, buf, cap) {
    const found = this.content(g, i, path, pathLen)
    if (found === INVALID) return found
    return give(g, found === null ? null : encoder.encode(found), buf, cap)
  }

  h_msg_read (g, i, path, pathLen, buf, cap) {
    const found = this.content(g, i, path, pathLen)
    if (found === INVALID) return found
    return give(g, found === null ? null : blobData(getOrNull(this.reader, found)), buf, cap)
  }

  h_msg_entry (g, i, path, pathLen, k, buf, cap) {
    const found = this.content(g, i, path, pathLen)
    if (found === INVALID) return found
    const t = found === null ? null : getTyped(this.reader, found, 'tree')
    const names = t === null ? [] : [...t.entries.keys()].sort(compareKeys)
    return give(g, k < names.length ? encoder.encode(names[k]) : null, buf, cap)
  }

  h_mark_read (g, i) {
    const [sender, index] = this.message(i)
    this.marked.set(sender, Math.max(this.marked.get(sender) ?? 0, index + 1))
    return 0
  }

  h_core_set (g, path, pathLen, data, size, hdrs, hdrsLen) {
    const names = parsePath(take(g, path, pathLen))
    const payload = take(g, data, size)
    const headers = parseHeaders(take(g, hdrs, hdrsLen))
    if (names === null || headers === null) return INVALID
    // Validity (the path can hold a blob), then the output count, then encoding (WASM-018.4)
    const parent = this.core.parent(names, true)
    if (parent === null) return ABSENT
    this.account(size + hdrsLen)
    const b = blob(payload, headers)
    parent.entries.set(names[names.length - 1], idOf(b))
    this.created.push(b)
    this.reader.add(b)
    return 0
  }

  h_core_link (g, path, pathLen, id, idLen) {
    const names = parsePath(take(g, path, pathLen))
    const target = textId(take(g, id, idLen))
    if (names === null || target === null) return INVALID
    if (!this.core.set(names, target)) return ABSENT
    this.account(0)
    return 0
  }

  h_core_delete (g, path, pathLen) {
    const names = parsePath(take(g, path, pathLen))
    if (names === null) return INVALID
    if (!this.core.delete(names)) return ABSENT
    this.account(0)
    return 0
  }

  parseSend (g, to, toLen, hdrs, hdrsLen, flags) {
    const recipient = textId(take(g, to, toLen))
    const headers = parseHeaders(take(g, hdrs, hdrsLen))
    if (recipient === null || headers === null || (flags & ~SIGNAL)) return null
    return { recipient, headers, signal: Boolean(flags & SIGNAL) }
  }

  h_send (g, to, toLen, hdrs, hdrsLen, data, size, flags) {
    const payload = take(g, data, size)
    const parsed = this.parseSend(g, to, toLen, hdrs, hdrsLen, flags)
    if (parsed === null) return INVALID
    this.account(size + hdrsLen) // counted before encoded (WASM-018.4)
    const b = blob(payload)
    this.created.push(b)
    this.sends.push({ ...parsed, content: idOf(b) })
    return 0
  }

  h_send_object (g, to, toLen, hdrs, hdrsLen, id, idLen, flags) {
    const content = textId(take(g, id, idLen))
    const parsed = this.parseSend(g, to, toLen, hdrs, hdrsLen, flags)
    if (parsed === null || content === null) return INVALID
    this.sends.push({ ...parsed, content })
    this.account(hdrsLen)
    return 0
  }

  /** Each sender's marked prefix, extended over hidden genesis messages (WASM-010). */
  reads () {
    const read = new Map()
    for (const [sender, items] of this.inp.pending) {
      let count = this.marked.get(sender) ?? 0
      while (count < items.length && mtOf(items[count]) === HIDDEN) count++
      if (count) read.set(sender, count)
    }
    return read
  }

  /** The transition's output, to be assembled as any other (WASM-013). */
  output () {
    const { core, created } = this.core.finish()
    return { core, read: this.reads(), sends: this.sends, newObjects: [...this.created, ...created] }
  }
}

/** The host of one query (WASM-014). */
export class QueryHost extends Host {
  constructor (name, inp) {
    super(inp.objects, inp.core)
    this.name = name
    this.answer = null
  }

  h_query_name (g, buf, cap) { return give(g, encoder.encode(this.name), buf, cap) }

  h_answer (g, data, size, hdrs, hdrsLen) {
    const payload = take(g, data, size)
    const headers = parseHeaders(take(g, hdrs, hdrsLen))
    if (headers === null) return INVALID
    this.account(size + hdrsLen) // counted before the answer is encoded (WASM-018.4)
    this.answer = blob(payload, headers)
    return 0
  }

  h_answer_core (g, path, pathLen) {
    const names = parsePath(take(g, path, pathLen))
    if (names === null) return INVALID
    const found = this.core.lookup(names)
    if (found === null || found.type !== 'blob') return ABSENT
    this.account(found.data.length)
    this.answer = found
    return 0
  }
}
