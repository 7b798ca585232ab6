// The codec profile's building blocks: canonical encoding (encoder.mjs), BLAKE3 ids
// (with hash-wasm) and strict object decoding (strict.mjs + objects.mjs).

import { createBLAKE3 } from 'hash-wasm'
import { fail } from './errors.mjs'
import { canonicalBytes } from './encoder.mjs'
import { decodeStrict, MAX_SIZE } from './strict.mjs'
import { validateObject } from './objects.mjs'
import { objectFromJson } from './description.mjs'

/**
 * Canonically encode a value of the subset (ENC-014). Accepts what strict.mjs
 * produces: BigInt, Uint8Array, string, Array, Map with text keys, booleans, null.
 * encoder.mjs writes every argument in its shortest form (ENC-007), definite
 * lengths, and map keys in the order of their encodings (ENC-010).
 */
export function encodeValue (value) {
  const bytes = canonicalBytes(value)
  if (bytes.length > MAX_SIZE) fail('too-large', 'ENC-013', `the encoding would be ${bytes.length} bytes`)
  return bytes
}

// --- objects and ids --------------------------------------------------------------------

// One BLAKE3 hasher, reused: hash-wasm's WebAssembly build hashes a small object
// about six times faster than a pure-JavaScript BLAKE3, and every id is a hash
// (ID-001) -- the `perf` profile's encode workload hashes two objects per repetition.
const blake3 = await createBLAKE3()

/** BLAKE3-256 in its default mode, 32-byte output (ID-001). */
export const hash = (bytes) => blake3.init().update(bytes).digest('binary')

/** Strictly decode the bytes of an object: encoding rules first, then object rules (OBJ-016). */
export function decodeObject (bytes) {
  const value = decodeStrict(bytes)
  validateObject(value)
  return value
}

/** The id of the object `bytes` encode; only for bytes the strict decoder accepts (ID-004). */
export function objectId (bytes) {
  decodeObject(bytes)
  return hash(bytes)
}

/** Encode an object given as its CBOR-level Map: the rules of decoding first (OBJ-017). */
export function encodeObjectValue (value) {
  validateObject(value)
  const bytes = encodeValue(value)
  return { bytes, id: hash(bytes) }
}

/** Encode a JSON description (OBJ-018): the same rules as decoding (OBJ-017), then the encoder. */
export const encodeObject = (description) => encodeObjectValue(objectFromJson(description))
