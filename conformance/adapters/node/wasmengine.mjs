// Wasm Wits on V8's WebAssembly (spec/08-wasm.md, ABI 1): the load checks (WASM-002
// … WASM-004, WASM-017), one fresh instance per call (WASM-005) of the rewritten
// module (wasmfuel.mjs: fuel, memory and table limits), traps to error classes
// (WASM-015, WASM-020), and image actors restored before and captured after a call
// (wasmimage.mjs, WASM-023 … WASM-028). A loaded module is cached by the id of its
// `wit` blob.

import { GritError, fail } from './errors.mjs'
import { getTyped } from './witobjects.mjs'
import { parseModule } from './wasmbinary.mjs'
import { instrument } from './wasmfuel.mjs'
import { QueryHost, StepHost } from './wasmhost.mjs'
import { IMAGE_ENTRY, captureImage, readImage, restoreInstance } from './wasmimage.mjs'

export const LIMITS = Object.freeze({ // WASM-016
  fuel: 100_000_000,
  memoryPages: 256,
  tableElements: 10_000,
  moduleBytes: 4 * 1024 * 1024
})
const HOST_CALL_COST = 10_000 // WASM-019
const MAGIC = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

/** Host function name -> number of i32 parameters; each returns one i32 (WASM-007). */
export const IMPORTS = {
  msg_count: 0, msg_sender: 3, msg_header: 5, msg_content: 5, msg_read: 5, msg_entry: 6,
  mark_read: 1, core_read: 4, core_set: 6, core_link: 4, core_delete: 2, send: 7, send_object: 7,
  query_name: 2, answer: 4, answer_core: 2
}

const isVoid = (t) => t !== undefined && t.params.length === 0 && t.results.length === 0

/** Check and compile `wasm` under ABI 1, in the order of WASM-002; throws its class. */
export function loadModule (wasm) {
  if (wasm.length > LIMITS.moduleBytes) fail('invalid-module', 'WASM-002', `module of ${wasm.length} bytes exceeds ${LIMITS.moduleBytes}`)
  if (wasm.length < 8 || MAGIC.some((b, i) => wasm[i] !== b)) fail('invalid-module', 'WASM-002', 'not a binary WebAssembly core module (version 1)')
  if (!WebAssembly.validate(wasm)) fail('invalid-module', 'WASM-003', 'the module does not validate')
  const m = parseModule(wasm) // ABI 1's feature set (WASM-003)
  for (const imp of m.imports) { // WASM-002
    const arity = imp.module === 'gritwit' && Object.hasOwn(IMPORTS, imp.name) ? IMPORTS[imp.name] : undefined
    const type = imp.kind === 0 ? m.types[imp.type] : undefined
    if (arity === undefined || type === undefined || type.params.length !== arity ||
        type.params.some((p) => p !== 'i32') || type.results.length !== 1 || type.results[0] !== 'i32') {
      fail('forbidden-import', 'WASM-002', `import ${JSON.stringify(imp.module).slice(0, 60)}.${JSON.stringify(imp.name).slice(0, 60)} is not in ABI 1`)
    }
  }
  const exports = new Map(m.exports.map((e) => [e.name, e])) // WASM-004
  const funcType = (index) => m.types[index < m.importedFuncs ? m.imports.filter((i) => i.kind === 0)[index].type : m.funcTypes[index - m.importedFuncs]]
  if (exports.get('memory')?.kind !== 2) fail('invalid-module', 'WASM-004', "the module must export its memory as 'memory'")
  for (const name of ['step', 'query']) {
    const e = exports.get(name)
    if (name === 'query' && e === undefined) continue
    if (e === undefined || e.kind !== 0 || !isVoid(funcType(e.index))) fail('invalid-module', 'WASM-004', `export ${name} must be a function [] -> []`)
  }
  const memory = m.memories[0]
  if (memory !== undefined && memory.min > LIMITS.memoryPages) {
    fail('memory-limit', 'WASM-017', `memory minimum ${memory.min} pages exceeds ${LIMITS.memoryPages}`)
  }
  const tablesOk = m.tables.length <= 1 && m.tables.every((t) => t.min <= LIMITS.tableElements)
  const { bytes, fuelExport, startExport } = instrument(m, LIMITS)
  const module = new WebAssembly.Module(bytes)
  // Exported mutable globals, which an image keeps (WASM-024); only functions are imported.
  const imageGlobals = m.exports.filter((e) => e.kind === 3)
    .map((e) => ({ name: e.name, ...m.globals[e.index - m.importedGlobals] }))
    .filter((g) => g.mutable)
  return { module, fuelExport, startExport, hasQuery: exports.has('query'), hasStart: m.start !== null, tablesOk, imageGlobals }
}

/** The instance's exported mutable globals: [export name, { type, global }] (WASM-024). */
const mutableGlobals = (loaded, instance) =>
  loaded.imageGlobals.map(({ name, type }) => [name, { type, global: instance.exports[name] }])

/**
 * Run `exportName` of `loaded` in a fresh instance serving `host` (WASM-005); throws
 * typed errors. Returns the fuel the call consumed, as this host meters it (WASM-019).
 * With an `image` ({ restored, save }) whose `restored` is an image, the instance is
 * restored from it instead of running its start function (WASM-025); with `save`, a
 * successful call's image is captured into `image.saved` (WASM-026).
 */
export function callModule (loaded, exportName, host, image = null) {
  if (!loaded.tablesOk) fail('memory-limit', 'WASM-017', 'the tables exceed ABI 1 limits (one table, 10 000 elements)')
  let memory = null
  let fuel = null
  const guest = {
    size: () => memory.buffer.byteLength,
    read: (ptr, len) => new Uint8Array(memory.buffer, ptr, len).slice(),
    write: (ptr, data) => new Uint8Array(memory.buffer).set(data, ptr),
    charge (units) {
      const left = fuel.value
      if (BigInt(units) > left) {
        fuel.value = -1n
        fail('fuel-exhausted', 'WASM-020', "a host call's cost exceeds the fuel left")
      }
      fuel.value = left - BigInt(units)
    }
  }
  const functions = {}
  for (const name of Object.keys(IMPORTS)) {
    const fn = host.function(name)
    functions[name] = (...args) => {
      guest.charge(HOST_CALL_COST)
      return fn(guest, ...args.map((a) => a >>> 0))
    }
  }
  try {
    const instance = new WebAssembly.Instance(loaded.module, { gritwit: functions })
    memory = instance.exports.memory
    fuel = instance.exports[loaded.fuelExport]
    if (image?.restored) restoreInstance(memory, mutableGlobals(loaded, instance), image.restored)
    else if (loaded.hasStart) instance.exports[loaded.startExport]()
    instance.exports[exportName]()
    if (image?.save) image.saved = captureImage(image.restored, memory, mutableGlobals(loaded, instance))
    return LIMITS.fuel - Number(fuel.value)
  } catch (err) {
    if (err instanceof GritError) throw err
    if (err instanceof WebAssembly.RuntimeError) {
      if (fuel !== null && fuel.value < 0n) fail('fuel-exhausted', 'WASM-020', 'the call ran out of fuel')
      fail('trap', 'WASM-015', `the guest trapped: ${err.message}`)
    }
    if (err instanceof RangeError) fail('trap', 'WASM-015', `the guest exhausted the call stack: ${err.message}`)
    throw err
  }
}

/**
 * One loaded module as a Wit: call it with a transition input; it also answers queries.
 * `blobId` is its `wit` blob's id: a core whose `wit` is that blob and that has an
 * `image` entry is an image actor (WASM-023); null for test actors, which never are.
 */
export function wasmWit (loaded, blobId) {
  const imageOf = (core, reader, save) => {
    const entry = core.entries.get(IMAGE_ENTRY)
    if (entry === undefined || blobId === null || core.entries.get('wit') !== blobId) return null
    return { restored: readImage(reader, entry, LIMITS.memoryPages), save, saved: null }
  }
  const wit = (inp) => {
    const host = new StepHost(inp)
    const image = imageOf(inp.core, inp.objects, true)
    callModule(loaded, 'step', host, image)
    if (image !== null) { // the host's entry, whatever the guest wrote there (WASM-026)
      host.core.set([IMAGE_ENTRY], image.saved.id)
      host.created.push(...image.saved.objects)
    }
    return host.output()
  }
  wit.query = (name, inp) => {
    if (!loaded.hasQuery) fail('unknown-query', 'WASM-014', "the module exports no 'query' function")
    const host = new QueryHost(name, inp)
    callModule(loaded, 'query', host, imageOf(inp.core, inp.objects, false)) // discarded (WASM-027)
    if (host.answer === null) fail('unknown-query', 'WASM-014', `the module does not answer the query ${JSON.stringify(name).slice(0, 60)}`)
    return host.answer
  }
  return wit
}

/** Compiled modules kept per WasmWits, least recently used dropped first (as the reference). */
const CACHE_SIZE = 256

/** Turns `wit` blobs holding Wasm modules into Wits (WASM-001, WASM-002); cached by blob id. */
export class WasmWits {
  constructor () { this.cache = new Map() } // insertion order = least recently used first

  witFor (reader, blobId) {
    let loaded = this.cache.get(blobId)
    if (loaded === undefined) {
      const wit = getTyped(reader, blobId, 'blob')
      if (wit === null) fail('unknown-wit', 'WIT-001', `${blobId} is not a present blob`)
      if (wit.headers.get('runtime') !== 'wasm') fail('unknown-wit', 'WASM-001', "the blob's runtime is not 'wasm'")
      const abi = wit.headers.get('abi')
      if (abi !== '1') fail('unknown-wit', 'WASM-001', `Wasm ABI ${JSON.stringify(abi ?? null).slice(0, 40)} is not known (only '1')`)
      loaded = loadModule(wit.data)
      if (this.cache.size >= CACHE_SIZE) this.cache.delete(this.cache.keys().next().value)
    } else {
      this.cache.delete(blobId) // re-inserted below as the most recently used
    }
    this.cache.set(blobId, loaded)
    return wasmWit(loaded, blobId)
  }
}
