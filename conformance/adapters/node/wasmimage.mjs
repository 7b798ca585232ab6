// Image persistence (spec/08-wasm.md, WASM-023 … WASM-029): a guest's linear memory
// and exported mutable globals, kept in its core as content-addressed objects.
//
//   readImage(reader, id, limit)       the core's `image` entry, checked (WASM-023,
//                                      WASM-024, WASM-028): null for the empty image,
//                                      else { pages, chunks: Map index -> { id, data },
//                                      globals: Map name -> bit pattern }
//   restoreInstance(memory, globals, image)   a fresh instance made the image's (WASM-025)
//   captureImage(restored, memory, globals)   the finished instance's image: the new tree's
//                                      id and the objects it needs (WASM-026)
//
// `memory` is the instance's WebAssembly.Memory; `globals` its exported mutable
// globals as [export name, { type, global: WebAssembly.Global }] pairs. The image tree:
//
//   pages    blob, 4-byte little-endian page count
//   memory   tree "00000", "00001" …: one 65 536-byte blob per non-zero page
//   globals  tree export name -> little-endian bit pattern (4 or 8 bytes)

import { fail } from './errors.mjs'
import { blob, getTyped, idOf, tree } from './witobjects.mjs'
import { parsePath } from './wasmhost.mjs'

export const IMAGE_ENTRY = 'image'
const PAGES = 'pages'
const MEMORY = 'memory'
const GLOBALS = 'globals'
const ENTRIES = new Set([PAGES, MEMORY, GLOBALS])
const CHUNK_BYTES = 65536 // one page (WASM-024)
const ZERO_CHUNK = Buffer.alloc(CHUNK_BYTES) // never stored: an absent chunk is zero
const CHUNK_NAME = /^[0-9]{5}$/
const GLOBAL_BYTES = { i32: 4, i64: 8, f32: 4, f64: 8 }
const CANONICAL_NAN = { f32: [0x00, 0x00, 0xc0, 0x7f], f64: [0, 0, 0, 0, 0, 0, 0xf8, 0x7f] } // WASM-006

const invalidImage = (req, msg) => fail('invalid-image', req, msg)
export const chunkName = (index) => String(index).padStart(5, '0')

function plainBlob (reader, id, what) {
  const found = getTyped(reader, id, 'blob')
  if (found === null || found.headers.size) invalidImage('WASM-024', `${what} must be a blob without headers`)
  return found.data
}

function treeEntries (reader, id, what) {
  const found = getTyped(reader, id, 'tree')
  if (found === null) invalidImage('WASM-024', `${what} must be a tree`)
  return found.entries
}

function readChunks (reader, id, pages) {
  const chunks = new Map()
  for (const [name, chunk] of treeEntries(reader, id, "the image's memory")) {
    if (!CHUNK_NAME.test(name)) invalidImage('WASM-024', `chunk name ${JSON.stringify(name).slice(0, 40)} is not 5 decimal digits`)
    const index = Number(name)
    if (index >= pages) invalidImage('WASM-024', `chunk ${index} lies beyond the ${pages} pages`)
    const data = plainBlob(reader, chunk, `chunk ${index}`)
    if (data.length !== CHUNK_BYTES) invalidImage('WASM-024', `chunk ${index} has ${data.length} bytes, not 65536`)
    if (ZERO_CHUNK.equals(data)) invalidImage('WASM-024', `chunk ${index} is all zero and must be omitted`)
    chunks.set(index, { id: chunk, data })
  }
  return chunks
}

/**
 * The image `id` (a core's `image` entry): null for the empty image (WASM-023), else
 * the checked image tree (WASM-024). `memory-limit` when its size exceeds `limitPages`,
 * checked before any chunk is read (WASM-028).
 */
export function readImage (reader, id, limitPages) {
  const found = reader.has(id) ? reader.get(id) : null
  if (found?.type === 'blob') {
    if (found.data.length || found.headers.size) invalidImage('WASM-023', "a blob 'image' must be empty: no data, no headers")
    return null
  }
  if (found?.type !== 'tree') invalidImage('WASM-023', "'image' must be the empty blob or an image tree")
  const entries = found.entries
  const extra = [...entries.keys()].filter((name) => !ENTRIES.has(name))
  if (extra.length) invalidImage('WASM-024', `unknown image entries ${JSON.stringify(extra.sort()).slice(0, 80)}`)
  if (!entries.has(PAGES)) invalidImage('WASM-024', "the image has no 'pages' entry")
  const raw = plainBlob(reader, entries.get(PAGES), "'pages'")
  if (raw.length !== 4) invalidImage('WASM-024', `'pages' must be 4 bytes, not ${raw.length}`)
  const pages = new DataView(raw.buffer, raw.byteOffset, 4).getUint32(0, true)
  if (pages > limitPages) fail('memory-limit', 'WASM-028', `an image of ${pages} pages exceeds the limit of ${limitPages}`)
  const chunks = entries.has(MEMORY) ? readChunks(reader, entries.get(MEMORY), pages) : new Map()
  const globals = new Map()
  if (entries.has(GLOBALS)) {
    for (const [name, id] of treeEntries(reader, entries.get(GLOBALS), 'globals')) {
      const bits = plainBlob(reader, id, `global ${JSON.stringify(name).slice(0, 40)}`)
      if (bits.length !== 4 && bits.length !== 8) invalidImage('WASM-024', `global ${JSON.stringify(name).slice(0, 40)} is not 4 or 8 bytes`)
      globals.set(name, bits)
    }
  }
  return { pages, chunks, globals }
}

/** The value of a global of `type` from its little-endian bit pattern (WASM-025). */
function decodeGlobal (type, bits) {
  const size = GLOBAL_BYTES[type]
  if (size === undefined) invalidImage('WASM-025', `an exported mutable global of type ${type} is not kept`)
  if (bits.length !== size) invalidImage('WASM-025', `a ${type} global needs ${size} bytes, not ${bits.length}`)
  const view = new DataView(bits.buffer, bits.byteOffset, size)
  switch (type) {
    case 'i32': return view.getInt32(0, true)
    case 'i64': return view.getBigInt64(0, true)
    case 'f32': return view.getFloat32(0, true)
    default: return view.getFloat64(0, true)
  }
}

/** The little-endian bit pattern of a global; every NaN as the canonical NaN (WASM-024). */
function encodeGlobal (type, value) {
  const size = GLOBAL_BYTES[type]
  if (size === undefined) invalidImage('WASM-026', `an exported mutable global of type ${type} is not kept`)
  if ((type === 'f32' || type === 'f64') && Number.isNaN(value)) return Uint8Array.from(CANONICAL_NAN[type])
  const bits = new Uint8Array(size)
  const view = new DataView(bits.buffer)
  switch (type) {
    case 'i32': view.setInt32(0, value, true); break
    case 'i64': view.setBigInt64(0, value, true); break
    case 'f32': view.setFloat32(0, value, true); break
    default: view.setFloat64(0, value, true)
  }
  return bits
}

/**
 * Make a fresh instance (instantiated without its start function) the image's
 * (WASM-025): grow the memory to `pages`, write every chunk, zero every other page
 * the data segments may have written, set the exported mutable globals the image
 * names. Costs no fuel: nothing here runs guest code.
 */
export function restoreInstance (memory, globals, image) {
  const initial = memory.buffer.byteLength / CHUNK_BYTES
  if (image.pages < initial) invalidImage('WASM-025', `an image of ${image.pages} pages is below the memory's ${initial}`)
  try {
    memory.grow(image.pages - initial) // the rewritten maximum is min(declared, limit)
  } catch {
    invalidImage('WASM-025', `the memory cannot be ${image.pages} pages`)
  }
  const bytes = new Uint8Array(memory.buffer)
  for (let index = 0; index < initial; index++) { // grown pages are zero already
    if (!image.chunks.has(index)) bytes.fill(0, index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES)
  }
  for (const [index, { data }] of image.chunks) bytes.set(data, index * CHUNK_BYTES)
  const byName = new Map(globals)
  for (const [name, bits] of image.globals) {
    const found = byName.get(name) // an entry naming no exported mutable global is ignored
    if (found !== undefined) found.global.value = decodeGlobal(found.type, bits)
  }
}

/**
 * The image of a finished instance (WASM-024, WASM-026): `{ id, objects }`, the new
 * image tree's id and every object it needs that `restored` (the image the call
 * started from, or null) does not hold. A chunk equal to the restored one keeps its
 * id without being hashed; only changed, non-zero pages become new blobs.
 */
export function captureImage (restored, memory, globals) {
  const bytes = Buffer.from(memory.buffer) // a view, not a copy
  const pages = bytes.length / CHUNK_BYTES
  const objects = []
  const add = (obj) => { objects.push(obj); return idOf(obj) }
  const chunks = new Map()
  for (let index = 0; index < pages; index++) {
    const page = bytes.subarray(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES)
    const previous = restored?.chunks.get(index)
    if (previous !== undefined && page.equals(previous.data)) chunks.set(chunkName(index), previous.id)
    else if (!page.equals(ZERO_CHUNK)) chunks.set(chunkName(index), add(blob(new Uint8Array(page))))
  }
  const kept = new Map()
  for (const [name, { type, global }] of globals) {
    const names = parsePath(Buffer.from(name, 'utf8'))
    if (names === null || names.length !== 1) invalidImage('WASM-026', `global export ${JSON.stringify(name).slice(0, 40)} is not an entry name`)
    kept.set(name, add(blob(encodeGlobal(type, type in GLOBAL_BYTES ? global.value : null))))
  }
  const pagesBits = new Uint8Array(4)
  new DataView(pagesBits.buffer).setUint32(0, pages, true)
  const entries = new Map([[PAGES, add(blob(pagesBits))]])
  if (chunks.size) entries.set(MEMORY, add(tree(chunks)))
  if (kept.size) entries.set(GLOBALS, add(tree(kept)))
  return { id: add(tree(entries)), objects }
}
