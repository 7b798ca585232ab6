// Just enough of the WebAssembly binary format (core spec 2.0, chapter 5) to check a
// module against ABI 1 (WASM-002 … WASM-004, WASM-017) and to instrument it
// (wasmfuel.mjs). It runs only on modules WebAssembly.validate accepted, so it is
// not a validator; it rejects what V8 validates but ABI 1 excludes (WASM-003):
// shared memories and atomics, 64-bit memories, exception handling, GC types,
// relaxed SIMD, more than one memory.

import { fail } from './errors.mjs'

const invalid = (msg) => fail('invalid-module', 'WASM-003', msg)

export class Reader {
  constructor (bytes, pos = 0, end = bytes.length) { this.bytes = bytes; this.pos = pos; this.end = end }
  byte () {
    if (this.pos >= this.end) invalid('unexpected end of section')
    return this.bytes[this.pos++]
  }

  u32 () {
    let value = 0
    let shift = 0
    for (;;) {
      const b = this.byte()
      value += (b & 0x7f) * 2 ** shift
      if (!(b & 0x80)) return value
      shift += 7
      if (shift > 35) invalid('LEB128 too long')
    }
  }

  /** Skip a signed LEB128 (s32, s33, s64). */
  sleb () { while (this.byte() & 0x80); }
  skip (n) { if (this.pos + n > this.end) invalid('unexpected end'); this.pos += n }
  name () {
    const n = this.u32()
    const start = this.pos
    this.skip(n)
    return Buffer.from(this.bytes.subarray(start, start + n)).toString('utf8')
  }

  limits (what) {
    const flags = this.byte()
    if (flags & 0x02) invalid(`a shared ${what} needs threads, which ABI 1 excludes`)
    if (flags & 0x04) invalid(`a 64-bit ${what} is not allowed`)
    if (flags & ~0x01) invalid(`unknown ${what} limits flags ${flags}`)
    const min = this.u32()
    const max = flags & 0x01 ? this.u32() : null
    return { min, max }
  }
}

const NUM_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b]) // i32 i64 f32 f64 v128
const REF_TYPES = new Set([0x70, 0x6f]) // funcref externref
const VALTYPE_NAMES = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' }

function valtype (r) {
  const t = r.byte()
  if (!NUM_TYPES.has(t) && !REF_TYPES.has(t)) invalid(`value type 0x${t.toString(16)} is outside ABI 1's feature set`)
  return VALTYPE_NAMES[t]
}

function reftype (r) {
  const t = r.byte()
  if (!REF_TYPES.has(t)) invalid(`reference type 0x${t.toString(16)} is outside ABI 1's feature set`)
  return t
}

/** Parse the sections and the parts of them ABI 1 checks. */
export function parseModule (bytes) {
  const m = {
    bytes, sections: [], types: [], imports: [], funcTypes: [], tables: [], memories: [],
    globalCount: 0, globals: [], exports: [], start: null, bodies: []
  }
  const r = new Reader(bytes, 8)
  while (r.pos < bytes.length) {
    const headerStart = r.pos
    const id = r.byte()
    const size = r.u32()
    const start = r.pos
    const end = start + size
    if (end > bytes.length) invalid('section runs past the end')
    m.sections.push({ id, headerStart, start, end })
    const s = new Reader(bytes, start, end)
    switch (id) {
      case 1: for (let n = s.u32(); n > 0; n--) m.types.push(funcType(s)); break
      case 2: for (let n = s.u32(); n > 0; n--) m.imports.push(importEntry(s, m)); break
      case 3: for (let n = s.u32(); n > 0; n--) m.funcTypes.push(s.u32()); break
      case 4: for (let n = s.u32(); n > 0; n--) m.tables.push({ reftype: reftype(s), ...s.limits('table') }); break
      case 5: for (let n = s.u32(); n > 0; n--) m.memories.push(s.limits('memory')); break
      case 6: m.globalCount = s.u32(); for (let n = m.globalCount; n > 0; n--) m.globals.push(globalEntry(s)); break
      case 7: for (let n = s.u32(); n > 0; n--) m.exports.push({ name: s.name(), kind: s.byte(), index: s.u32() }); break
      case 8: m.start = s.u32(); break
      case 10: for (let n = s.u32(); n > 0; n--) { const len = s.u32(); m.bodies.push({ start: s.pos, end: s.pos + len }); s.skip(len) } break
      case 13: invalid('tags (exception handling) are outside ABI 1')
      default: break
    }
    r.pos = end
  }
  if (m.memories.length + m.imports.filter((i) => i.kind === 2).length > 1) invalid('more than one memory')
  m.importedFuncs = m.imports.filter((i) => i.kind === 0).length
  m.importedGlobals = m.imports.filter((i) => i.kind === 3).length
  return m
}

function funcType (r) {
  const form = r.byte()
  if (form !== 0x60) invalid(`type form 0x${form.toString(16)} is outside ABI 1 (GC types)`)
  const params = []
  const results = []
  for (let n = r.u32(); n > 0; n--) params.push(valtype(r))
  for (let n = r.u32(); n > 0; n--) results.push(valtype(r))
  return { params, results }
}

function importEntry (r, m) {
  const module = r.name()
  const name = r.name()
  const kind = r.byte()
  const entry = { module, name, kind }
  if (kind === 0) entry.type = r.u32()
  else if (kind === 1) { reftype(r); r.limits('table') } else if (kind === 2) r.limits('memory')
  else if (kind === 3) { valtype(r); r.byte() } else invalid(`import kind ${kind} is outside ABI 1`)
  return entry
}

/** A defined global: its value type and mutability (images keep the mutable ones, WASM-024). */
function globalEntry (r) {
  const type = valtype(r)
  const mutable = r.byte() === 0x01
  for (let op = r.byte(); op !== 0x0b; op = r.byte()) immediates(r, op) // the constant initialiser
  return { type, mutable }
}

// --- instructions -----------------------------------------------------------------------

function blocktype (r) {
  const b = r.bytes[r.pos]
  if (b === 0x40 || NUM_TYPES.has(b) || REF_TYPES.has(b)) r.pos++
  else r.sleb() // a type index (s33)
}

function memarg (r) {
  const align = r.u32()
  if (align & 0x40) invalid('a memory index (multiple memories) is outside ABI 1')
  r.u32()
}

function zeroByte (r) { if (r.byte() !== 0) invalid('a memory index (multiple memories) is outside ABI 1') }

const NO_IMMEDIATE = new Set([0x00, 0x01, 0x05, 0x0b, 0x0f, 0x1a, 0x1b, 0xd1])

/** The immediates of opcode `op` (after the opcode byte); returns the sub-opcode of prefixed ones. */
function immediates (r, op) {
  if (NO_IMMEDIATE.has(op) || (op >= 0x45 && op <= 0xc4)) return null
  switch (op) {
    case 0x02: case 0x03: case 0x04: blocktype(r); return null
    case 0x0c: case 0x0d: case 0x10: case 0x12: case 0x20: case 0x21: case 0x22:
    case 0x23: case 0x24: case 0x25: case 0x26: case 0xd2: r.u32(); return null
    case 0x0e: for (let n = r.u32(); n >= 0; n--) r.u32(); return null // labels + default
    case 0x11: case 0x13: r.u32(); r.u32(); return null
    case 0x1c: for (let n = r.u32(); n > 0; n--) valtype(r); return null
    case 0x3f: case 0x40: zeroByte(r); return null
    case 0x41: case 0x42: r.sleb(); return null
    case 0x43: r.skip(4); return null
    case 0x44: r.skip(8); return null
    case 0xd0: reftype(r); return null
    case 0xfc: return miscOp(r)
    case 0xfd: return simdOp(r)
    default:
      if (op >= 0x28 && op <= 0x3e) { memarg(r); return null }
      if (op === 0xfe) invalid('atomics (threads) are outside ABI 1')
      if ((op >= 0x06 && op <= 0x0a) || op === 0x18 || op === 0x19 || op === 0x1f) invalid('exception handling is outside ABI 1')
      return invalid(`opcode 0x${op.toString(16)} is outside ABI 1's feature set`)
  }
}

function miscOp (r) {
  const sub = r.u32()
  if (sub <= 7) return sub
  switch (sub) {
    case 8: r.u32(); zeroByte(r); break // memory.init
    case 9: case 13: case 15: case 16: case 17: r.u32(); break
    case 10: zeroByte(r); zeroByte(r); break // memory.copy
    case 11: zeroByte(r); break // memory.fill
    case 12: case 14: r.u32(); r.u32(); break // table.init, table.copy
    default: invalid(`0xfc ${sub} is outside ABI 1's feature set`)
  }
  return sub
}

function simdOp (r) {
  const sub = r.u32()
  if (sub <= 0x0b || sub === 0x5c || sub === 0x5d) memarg(r)
  else if (sub === 0x0c || sub === 0x0d) r.skip(16)
  else if (sub >= 0x15 && sub <= 0x22) r.skip(1)
  else if (sub >= 0x54 && sub <= 0x5b) { memarg(r); r.skip(1) } else if (sub > 0xff) invalid('relaxed SIMD is outside ABI 1')
  return sub
}

/**
 * Decode function body `body` ({start, end}) into its locals and instructions:
 * { localsStart, localsEnd, localCount, count, ops, subs, starts }. Instruction i is
 * opcode ops[i] (sub-opcode subs[i] for prefixed ones, else -1) at bytes starts[i]
 * up to starts[i + 1]. Typed arrays, not objects: a 4 MiB body can hold 4 million
 * instructions.
 */
export function decodeBody (bytes, body) {
  const r = new Reader(bytes, body.start, body.end)
  const localsStart = r.pos
  let localCount = 0
  for (let n = r.u32(); n > 0; n--) { localCount += r.u32(); valtype(r) }
  const localsEnd = r.pos
  const capacity = body.end - localsEnd // every instruction takes at least one byte
  const ops = new Uint8Array(capacity)
  const subs = new Int32Array(capacity)
  const starts = new Uint32Array(capacity + 1)
  let count = 0
  while (r.pos < body.end) {
    starts[count] = r.pos
    const op = r.byte()
    ops[count] = op
    subs[count] = immediates(r, op) ?? -1
    count++
  }
  starts[count] = r.pos
  return {
    localsStart, localsEnd, localCount, count,
    ops: ops.subarray(0, count), subs: subs.subarray(0, count), starts: starts.subarray(0, count + 1)
  }
}

// --- encoding helpers -------------------------------------------------------------------

export function u32leb (value) {
  const out = []
  do {
    let b = value % 128
    value = Math.floor(value / 128)
    if (value) b |= 0x80
    out.push(b)
  } while (value)
  return out
}

export function sleb (value) {
  let v = BigInt(value)
  const out = []
  for (;;) {
    const b = Number(v & 0x7fn)
    v >>= 7n
    if ((v === 0n && !(b & 0x40)) || (v === -1n && (b & 0x40))) { out.push(b); return out }
    out.push(b | 0x80)
  }
}

export const nameBytes = (text) => { const b = Buffer.from(text, 'utf8'); return [...u32leb(b.length), ...b] }
