// The codec profile's building blocks: canonical encoding (with cborg), BLAKE3
// ids (with @noble/hashes) and strict object decoding (strict.mjs + objects.mjs).

import { encode as cborgEncode } from 'cborg'
import { blake3 } from '@noble/hashes/blake3.js'
import { fail } from './errors.mjs'
import { compareKeys } from './bytes.mjs'
import { decodeStrict, MAX_SIZE } from './strict.mjs'
import { validateObject } from './objects.mjs'
import { objectFromJson } from './description.mjs'

// cborg's default map sorter is the length-first rule of RFC 7049, which for
// text keys coincides with the RFC 8949 bytewise order ENC-010 asks for; we pass
// our own sorter anyway so that the rule is visible here, not implied by a default.
const ENCODE_OPTIONS = {
  // cborg hands the sorter [keyToken, valueTokens] pairs; our keys are always text.
  mapSorter: (e1, e2) => compareKeys(e1[0].value, e2[0].value)
}

/**
 * Canonically encode a value of the subset (ENC-014). Accepts what strict.mjs
 * produces: BigInt, Uint8Array, string, Array, Map with text keys, booleans, null.
 * cborg writes every argument in its shortest form (ENC-007) and definite lengths.
 */
export function encodeValue (value) {
  const bytes = cborgEncode(value, ENCODE_OPTIONS)
  if (bytes.length > MAX_SIZE) fail('too-large', 'ENC-013', `the encoding would be ${bytes.length} bytes`)
  return bytes
}

// --- objects and ids --------------------------------------------------------------------

/** BLAKE3-256 in its default mode, 32-byte output (ID-001). */
export const hash = (bytes) => blake3(bytes)

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

/** Encode a JSON description (OBJ-018): the same rules as decoding (OBJ-017), then cborg. */
export function encodeObject (description) {
  const value = objectFromJson(description)
  validateObject(value)
  const bytes = encodeValue(value)
  return { bytes, id: hash(bytes) }
}
