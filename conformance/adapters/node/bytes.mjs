// Small byte helpers shared by the other modules: hex (ADP-004) and orderings.

const HEX = /^(?:[0-9a-f]{2})*$/

/** Uint8Array -> lowercase hex (ADP-004: byte strings and ids travel as lowercase hex). */
export const toHex = (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')

/** Lowercase hex -> Uint8Array, or null if `text` is not lowercase hex of even length. */
export function fromHex (text) {
  // Buffer.from(text, 'hex') silently stops at the first bad digit: validate first.
  if (typeof text !== 'string' || !HEX.test(text)) return null
  return new Uint8Array(Buffer.from(text, 'hex'))
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
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length - y.length || compareBytes(x, y)
}
