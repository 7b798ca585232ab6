// Small byte helpers shared by the other modules: hex (ADP-004) and orderings.

/** Uint8Array -> lowercase hex (ADP-004: byte strings and ids travel as lowercase hex). */
export const toHex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

const NIBBLE = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) NIBBLE['0123456789abcdef'.charCodeAt(i)] = i

/** Lowercase hex -> Uint8Array, or null if `text` is not lowercase hex of even length. */
export function fromHex (text) {
  // By hand: Buffer.from(text, 'hex') silently stops at the first bad digit, and a
  // check first costs a regular expression on every id the runtime decodes.
  if (typeof text !== 'string' || text.length % 2 !== 0) return null
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) {
    const hi = NIBBLE[text.charCodeAt(2 * i)] ?? -1
    const lo = NIBBLE[text.charCodeAt(2 * i + 1)] ?? -1
    if (hi < 0 || lo < 0) return null
    out[i] = hi << 4 | lo
  }
  return out
}

/** Bytewise lexicographic order, a proper prefix first (ENC-010, ID-005, REF-006). */
export function compareBytes (a, b) {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return a.length - b.length
}

/**
 * Order two text map keys by their encodings (ENC-010). A text key's encoding is
 * a length head and then its UTF-8 bytes, so this is "shorter UTF-8 first, then
 * bytewise": "b" < "aa", "z" < "é". (JavaScript's default string sort compares
 * UTF-16 code units with no length rule -- not the same thing.)
 */
export function compareKeys (a, b) {
  if (a === b) return 0
  const x = Buffer.byteLength(a, 'utf8')
  const y = Buffer.byteLength(b, 'utf8')
  if (x !== y) return x - y
  // Same UTF-8 length: UTF-8 orders as code points do, which is UTF-16 order except
  // where a surrogate pair meets U+E000 ... U+FFFF -- so at the first difference,
  // compare code points, not code units. (Text here is well-formed: ENC-008.1.)
  for (let i = 0; i < a.length; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.codePointAt(i) - b.codePointAt(i)
  }
  return 0
}
