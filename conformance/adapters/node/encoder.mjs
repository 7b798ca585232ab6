// The canonical encoder: a value of the subset -> its one encoding (spec/01-encoding.md).
//
// Written out rather than taken from a CBOR library because the subset is small and
// every id is the hash of an encoding: this is the hot path of every object the
// runtime stores and of the `perf` profile's encode workload, and a general encoder's
// token stream and map sorting cost several times the bytes it writes.
//
// Values (what strict.mjs produces): BigInt (or a safe-integer Number), Uint8Array,
// string, Array, Map with text keys, false, true, null. The rules:
//   - every argument in its shortest form (ENC-007), every length definite;
//   - map keys in the bytewise order of their encodings (ENC-010): for text keys,
//     shorter UTF-8 first, then bytewise -- the head encodes the length.

import { compareKeys } from './bytes.mjs'

const utf8 = new TextEncoder()

/** A growing byte buffer; one serves every encoding (JavaScript runs one at a time). */
class Writer {
  constructor () {
    this.bytes = new Uint8Array(4096)
    this.at = 0
  }

  room (n) {
    if (this.at + n <= this.bytes.length) return
    let size = this.bytes.length * 2
    while (size < this.at + n) size *= 2
    const bigger = new Uint8Array(size)
    bigger.set(this.bytes.subarray(0, this.at))
    this.bytes = bigger
  }

  byte (b) { this.room(1); this.bytes[this.at++] = b }

  raw (data) { this.room(data.length); this.bytes.set(data, this.at); this.at += data.length }

  /** A head: major type and argument, shortest form (ENC-007). `n` a Number (< 2^53) or BigInt. */
  head (major, n) {
    const top = major << 5
    if (n < 24) return this.byte(top | Number(n))
    if (n < 0x100) { this.room(2); this.bytes[this.at++] = top | 24; this.bytes[this.at++] = Number(n); return }
    if (n < 0x10000) { this.room(3); this.bytes[this.at++] = top | 25; this.put(Number(n), 2); return }
    if (n < 0x100000000) { this.room(5); this.bytes[this.at++] = top | 26; this.put(Number(n), 4); return }
    this.room(9)
    this.bytes[this.at++] = top | 27
    const big = BigInt(n)
    this.put(Number(big >> 32n), 4)
    this.put(Number(big & 0xffffffffn), 4)
  }

  /** `n` as `size` big-endian bytes (room made by the caller). */
  put (n, size) {
    for (let i = size - 1; i >= 0; i--) { this.bytes[this.at + i] = n & 0xff; n = Math.floor(n / 256) }
    this.at += size
  }

  text (s) {
    if (s.length < 24 && isAscii(s)) { // most names and keys: one byte a character, no encoder call
      this.room(1 + s.length)
      this.bytes[this.at++] = 0x60 | s.length
      for (let i = 0; i < s.length; i++) this.bytes[this.at++] = s.charCodeAt(i)
      return
    }
    const data = utf8.encode(s) // callers refuse lone surrogates first (ENC-008.1)
    this.head(3, data.length)
    this.raw(data)
  }

  value (v) {
    if (typeof v === 'bigint') return v >= 0n ? this.head(0, v) : this.head(1, -1n - v)
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new TypeError(`${v} is no integer of the subset`)
      return v >= 0 ? this.head(0, v) : this.head(1, -1 - v)
    }
    if (typeof v === 'string') return this.text(v)
    if (v instanceof Uint8Array) { this.head(2, v.length); return this.raw(v) }
    if (Array.isArray(v)) { this.head(4, v.length); for (const item of v) this.value(item); return }
    if (v instanceof Map) return this.map(v)
    if (v === false) return this.byte(0xf4)
    if (v === true) return this.byte(0xf5)
    if (v === null) return this.byte(0xf6)
    throw new TypeError(`${typeof v} is no value of the subset`)
  }

  map (m) {
    this.head(5, m.size)
    const keys = [...m.keys()]
    if (!inOrder(keys)) keys.sort(compareKeys) // ENC-010; a record's fields come in order already
    for (const key of keys) {
      this.text(key)
      this.value(m.get(key))
    }
  }
}

function inOrder (keys) {
  for (let i = 1; i < keys.length; i++) if (compareKeys(keys[i - 1], keys[i]) > 0) return false
  return true
}

function isAscii (s) {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false
  return true
}

const writer = new Writer()

/** The canonical encoding of `value` (ENC-014): a copy of what the shared writer wrote. */
export function canonicalBytes (value) {
  writer.at = 0
  writer.value(value)
  const bytes = writer.bytes.slice(0, writer.at)
  if (writer.bytes.length > 1 << 20) writer.bytes = new Uint8Array(4096) // keep no 16 MiB buffer alive
  return bytes
}
