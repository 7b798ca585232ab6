// The strict decoder: bytes -> a value of the canonical CBOR subset (spec/01-encoding.md).
//
// Why not cborg's decoder? Two reasons, both worth knowing if you port this:
//  1. The spec fixes which error class is reported when input breaks several
//     rules (ENC-016: one left-to-right pass, first violation wins, checks in a
//     fixed order at every data item). A general-purpose decoder checks in its
//     own order and reports its own messages, so we could not name our classes.
//  2. cborg 6.1.5 decodes text with a default `TextDecoder`, which silently
//     drops a leading U+FEFF (byte order mark): the text string 64efbbbf61
//     ("\uFEFFa") comes back as "a" and re-encodes as 6161. That breaks
//     ENC-014 (encode(decode(b)) == b). We decode text with `ignoreBOM: true`.
// So this module walks the bytes exactly once, in the order of ENC-016, and
// builds the value as it goes. Encoding is encoder.mjs's, also our own.
//
// Values produced (and accepted by codec.mjs `encodeValue`):
//   unsigned/negative integer -> BigInt   (the whole range -2^64 .. 2^64-1, ENC-015)
//   byte string -> Uint8Array             text string -> string
//   array -> Array                        map -> Map (text keys, in encoded order)
//   false / true / null -> false / true / null

import { fail } from './errors.mjs'
import { compareBytes } from './bytes.mjs'

/** ENC-013: the largest accepted encoding, in bytes (16 MiB). */
export const MAX_SIZE = 16 * 1024 * 1024
/** ENC-012: at most this many nested arrays and maps (the outermost one counted). */
export const MAX_DEPTH = 32

// `fatal` turns invalid UTF-8 into an exception (ENC-008: overlong forms,
// surrogates, > U+10FFFF and truncated sequences are all rejected by the
// WHATWG decoder); `ignoreBOM` keeps a leading U+FEFF as a character.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** Strictly decode `bytes` (a Uint8Array) as exactly one data item; throws GritError. */
export function decodeStrict (bytes) {
  // ENC-016 step 1: the size limit is checked once, before anything else (ENC-013).
  if (bytes.length > MAX_SIZE) fail('too-large', 'ENC-013', `input is ${bytes.length} bytes`)
  const reader = new Reader(bytes)
  const value = reader.item(0)
  // ENC-016 step 11 / ENC-001: exactly one data item.
  if (reader.pos < bytes.length) fail('trailing-bytes', 'ENC-001', `${bytes.length - reader.pos} bytes after the item`)
  return value
}

class Reader {
  constructor (bytes) {
    this.bytes = bytes
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.pos = 0
  }

  get remaining () { return this.bytes.length - this.pos }

  /** Decode one data item; `depth` is the number of arrays/maps around it. */
  item (depth) {
    // Step 2: no byte left for the initial byte (ENC-002).
    if (this.remaining === 0) fail('truncated', 'ENC-002', 'input ends where a data item should start')
    const initial = this.bytes[this.pos++]
    const major = initial >> 5
    const info = initial & 0x1f
    // Step 3: reserved additional information (ENC-005).
    if (info >= 28 && info <= 30) fail('malformed', 'ENC-005', `reserved additional information ${info}`)
    // Step 4: major type 7 -- only false, true, null (ENC-004); 0xff is a stray break (ENC-005).
    if (major === 7) {
      if (info === 20) return false
      if (info === 21) return true
      if (info === 22) return null
      if (info === 31) fail('malformed', 'ENC-005', 'break stop code where a data item is expected')
      fail('forbidden-type', 'ENC-004', `simple value or float (0x${initial.toString(16)})`)
    }
    // Step 5: tags (ENC-003).
    if (major === 6) {
      if (info === 31) fail('malformed', 'ENC-005', 'additional information 31 on a tag')
      fail('forbidden-type', 'ENC-003', 'tags are not part of the subset')
    }
    // Step 6: additional information 31 (ENC-005, ENC-006).
    if (info === 31) {
      if (major <= 1) fail('malformed', 'ENC-005', 'additional information 31 on an integer')
      fail('indefinite-length', 'ENC-006', 'indefinite-length string, array or map')
    }
    // Step 7: the argument (ENC-002, ENC-007).
    const arg = this.argument(info)
    switch (major) {
      case 0: return arg // ENC-015: BigInt covers 0 .. 2^64-1
      case 1: return -1n - arg // -1 - n covers -2^64 .. -1
      case 2: return this.byteString(arg)
      case 3: return this.textString(arg)
      case 4: return this.array(arg, depth)
      default: return this.map(arg, depth)
    }
  }

  /** Read the argument of the current head as a BigInt; ENC-016 step 7. */
  argument (info) {
    if (info < 24) return BigInt(info)
    const width = 1 << (info - 24) // 1, 2, 4 or 8 following bytes
    if (this.remaining < width) fail('truncated', 'ENC-002', 'input ends inside an argument')
    const at = this.pos
    this.pos += width
    let value, smallest
    if (width === 1) [value, smallest] = [BigInt(this.bytes[at]), 24n]
    else if (width === 2) [value, smallest] = [BigInt(this.view.getUint16(at)), 0x100n]
    else if (width === 4) [value, smallest] = [BigInt(this.view.getUint32(at)), 0x10000n]
    else [value, smallest] = [this.view.getBigUint64(at), 0x100000000n]
    // ENC-007: a value that fits a shorter form must use it.
    if (value < smallest) fail('non-shortest', 'ENC-007', `${value} encoded in ${width} bytes`)
    return value
  }

  /** Step 8 for both string types: move past `length` bytes, or report truncation. */
  advance (length) {
    // ENC-002: compare the claim with what is left *before* touching memory.
    if (length > BigInt(this.remaining)) fail('truncated', 'ENC-002', `string claims ${length} bytes, ${this.remaining} remain`)
    this.pos += Number(length)
    return this.pos
  }

  byteString (length) {
    const start = this.pos
    const end = this.advance(length)
    return this.bytes.slice(start, end) // a copy: the value outlives the input buffer
  }

  textString (length) {
    const start = this.pos
    const end = this.advance(length)
    try {
      return utf8.decode(this.bytes.subarray(start, end))
    } catch {
      fail('invalid-utf8', 'ENC-008', 'text string is not valid UTF-8')
    }
  }

  /** Step 9: nesting limit, then the count against the remaining input. */
  container (count, depth, bytesPerEntry) {
    if (depth + 1 > MAX_DEPTH) fail('too-deep', 'ENC-012', `more than ${MAX_DEPTH} nested arrays and maps`)
    // ENC-002: an array entry takes at least 1 byte, a map entry (key + value) at least 2.
    if (count * bytesPerEntry > BigInt(this.remaining)) fail('truncated', 'ENC-002', `count ${count} exceeds the remaining input`)
    return Number(count)
  }

  array (count, depth) {
    const n = this.container(count, depth, 1n)
    const out = [] // grows with the input actually read, never with the claim (ENC-002)
    for (let i = 0; i < n; i++) out.push(this.item(depth + 1))
    return out
  }

  map (count, depth) {
    const n = this.container(count, depth, 2n)
    const out = new Map() // a Map, not an object: "__proto__" is an ordinary key here
    let previous = null // the encoded bytes of the previous key
    for (let i = 0; i < n; i++) {
      // Step 10: each key. No byte left -> truncated; not a text string -> non-text-key (ENC-009).
      if (this.remaining === 0) fail('truncated', 'ENC-002', 'input ends where a map key should start')
      if (this.bytes[this.pos] >> 5 !== 3) fail('non-text-key', 'ENC-009', 'map keys must be text strings')
      const start = this.pos
      const key = this.item(depth + 1) // steps 2-8 on the key
      const encoded = this.bytes.subarray(start, this.pos)
      if (previous !== null) {
        // ENC-010 / ENC-011: keys strictly increase in bytewise order of their encodings.
        const order = compareBytes(previous, encoded)
        if (order === 0) fail('duplicate-key', 'ENC-011', `key ${JSON.stringify(key)} repeated`)
        if (order > 0) fail('unsorted-keys', 'ENC-010', `key ${JSON.stringify(key)} out of order`)
      }
      previous = encoded
      out.set(key, this.item(depth + 1))
    }
    return out
  }
}
