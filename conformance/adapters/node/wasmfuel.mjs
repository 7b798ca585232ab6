// Fuel metering and limits by rewriting a checked module before V8 compiles it
// (WASM-016, WASM-017, WASM-019, WASM-020). V8 has neither fuel nor per-instance
// memory limits, so the host runs a rewritten module, never the original:
//
//  * fuel: a new mutable i64 global holds the fuel left, exported under a reserved
//    name (FUEL_EXPORT, lengthened with NULs while the module already uses it).
//    A *segment* is a run of instructions entered only at its start: the function
//    entry and the instruction after every `loop`, `if`, `else`, `end` and `br_if`.
//    At the start of each segment the rewritten code subtracts the segment's static
//    cost (WASM-019: one per instruction except nop, drop, block, loop, end, else,
//    return, unreachable; plus one at function entry) and executes `unreachable` when
//    the fuel is negative; the host maps that trap to `fuel-exhausted`. Before
//    memory.copy/fill/init and table.copy/fill/init it subtracts the length operand
//    the same way. Host calls subtract 10 000 + bytes copied from JavaScript.
//  * memory: the memory's maximum becomes min(declared maximum, 256 pages), so a
//    memory.grow past the limit returns -1 and changes nothing (WASM-017); tables
//    likewise get a maximum of min(declared, 10 000) elements.
//  * start: the start section is removed and the start function exported under a
//    reserved name likewise (START_EXPORT); the host calls it right after
//    instantiation, when the memory and the fuel global are reachable (WASM-005: it
//    runs as part of the call). Any name is a valid export (WASM-004: other exports
//    are ignored), so a reserved name must not be refused: it is made unused instead.
// No import is added, so no function, global or memory index changes.
//
// With `asWasmtime` (the sandbox, whose fuel must equal the reference's to the unit,
// SBX-006.1) two more rules make the count wasmtime's, as measured against wasmtime 50:
//  * a `call` or `call_indirect` ends its segment, so the instructions after a call are
//    charged only once it returns (a run that ends inside a call, by proc_exit, never
//    pays for them, as wasmtime, which counts the instructions executed);
//  * `memory.grow` also costs the pages it asks for when the memory's size plus them
//    fits in 65 536 pages, whether the grow succeeds or not (wasmtime charges them so).

import { Reader, decodeBody, nameBytes, sleb, u32leb } from './wasmbinary.mjs'

const FUEL_EXPORT = '\u0000gritwit-fuel'
const START_EXPORT = '\u0000gritwit-start'

/** `base`, lengthened with NULs until no name of `taken` is it. */
function unusedName (taken, base) {
  let name = base
  while (taken.has(name)) name += '\u0000'
  return name
}

const FREE = new Set([0x00, 0x01, 0x02, 0x03, 0x05, 0x0b, 0x0f, 0x1a]) // WASM-019: cost nothing
const SEGMENT_AFTER = new Set([0x03, 0x04, 0x05, 0x0b, 0x0d]) // loop, if, else, end, br_if
const SEGMENT_AFTER_WASMTIME = new Set([...SEGMENT_AFTER, 0x10, 0x11]) // and call, call_indirect
const MEMORY_GROW = 0x40
const BULK = new Set([8, 10, 11, 12, 14, 17]) // 0xfc: memory.init/copy/fill, table.init/copy/fill
const SECTION_RANK = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 }

/** Concatenate byte arrays and Uint8Arrays (no spreading: modules may be megabytes). */
const cat = (parts) => new Uint8Array(Buffer.concat(parts.map((p) => (p instanceof Uint8Array ? p : Uint8Array.from(p)))))
const section = (id, payload) => cat([[id, ...u32leb(payload.length)], payload])
const vec = (items) => cat([u32leb(items.length), ...items])

/** Subtract `cost` from the fuel global `g` and trap when it goes negative. */
function charge (g, cost) {
  return [0x23, ...u32leb(g), 0x42, ...sleb(cost), 0x7d, 0x24, ...u32leb(g), ...check(g)]
}

/** Subtract the i32 on top of the stack (kept there, via local `t`) from the fuel. */
function chargeTop (g, t) {
  return [0x22, ...u32leb(t), 0x23, ...u32leb(g), 0x20, ...u32leb(t), 0xad, 0x7d, 0x24, ...u32leb(g), ...check(g)]
}

/**
 * Subtract the pages a `memory.grow` asks for (the i32 on top of the stack, kept there via
 * local `t`) when the memory's size plus them fits in 65 536 pages, as wasmtime does.
 */
function chargeGrow (g, t) {
  const pages = [0x20, ...u32leb(t), 0xad] // local.get t; i64.extend_i32_u
  const fits = [...pages, 0x3f, 0x00, 0xad, 0x7c, 0x42, ...sleb(65536), 0x58] // + memory.size <= 65536
  return [0x22, ...u32leb(t), 0x23, ...u32leb(g), ...pages, 0x42, 0x00, ...fits, 0x1b, 0x7d, 0x24, ...u32leb(g), ...check(g)]
}

// global.get g; i64.const 0; i64.lt_s; if; unreachable; end
const check = (g) => [0x23, ...u32leb(g), 0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b]

/** Bytes appended to a growing buffer (no arrays of small arrays: a body may be megabytes). */
class Writer {
  constructor (size) { this.buf = new Uint8Array(size); this.length = 0 }
  write (bytes) {
    if (this.length + bytes.length > this.buf.length) {
      const grown = new Uint8Array(Math.max(2 * this.buf.length, this.length + bytes.length))
      grown.set(this.buf.subarray(0, this.length))
      this.buf = grown
    }
    this.buf.set(bytes, this.length)
    this.length += bytes.length
  }

  bytes () { return this.buf.subarray(0, this.length) }
}

/** The rewritten body of one function (WASM-019). */
function meterBody (bytes, body, paramCount, g, asWasmtime) {
  const { localsStart, localsEnd, localCount, count, ops, subs, starts } = decodeBody(bytes, body)
  const segmentAfter = asWasmtime ? SEGMENT_AFTER_WASMTIME : SEGMENT_AFTER
  const isGrow = (i) => asWasmtime && ops[i] === MEMORY_GROW
  const isBulk = (i) => (ops[i] === 0xfc && BULK.has(subs[i])) || isGrow(i)
  const temp = paramCount + localCount
  // costs[i]: the static cost of the segment starting at instruction i (0 where none
  // does); the first one pays for entering the function.
  const costs = new Uint32Array(count)
  let segment = 0
  costs[0] = 1
  let hasBulk = false
  for (let i = 0; i < count; i++) {
    if (!FREE.has(ops[i])) costs[segment]++
    if (segmentAfter.has(ops[i]) && i < count - 1) segment = i + 1
    if (isBulk(i)) hasBulk = true
  }

  const out = new Writer(2 * (body.end - body.start) + 64)
  // Locals: the original declarations, plus one i32 temporary when needed.
  if (hasBulk) {
    const groups = new Reader(bytes, localsStart, localsEnd)
    out.write(u32leb(groups.u32() + 1))
    out.write(bytes.subarray(groups.pos, localsEnd))
    out.write([0x01, 0x7f])
  } else {
    out.write(bytes.subarray(localsStart, localsEnd))
  }
  // The instructions, with the charges inserted before the ones they are due at.
  let copied = localsEnd
  for (let i = 0; i < count; i++) {
    if (costs[i] === 0 && !isBulk(i)) continue
    out.write(bytes.subarray(copied, starts[i]))
    copied = starts[i]
    if (costs[i] > 0) out.write(charge(g, costs[i]))
    if (isBulk(i)) out.write(isGrow(i) ? chargeGrow(g, temp) : chargeTop(g, temp))
  }
  out.write(bytes.subarray(copied, body.end))
  const code = out.bytes()
  return cat([u32leb(code.length), code])
}

function limitsBytes (min, max) { return [0x01, ...u32leb(min), ...u32leb(max)] }

/** A vector section's payload after its item count: the items, to be appended to. */
function afterCount (payload) {
  const r = new Reader(payload)
  r.u32()
  return payload.subarray(r.pos)
}

/**
 * The module `m` (parsed by parseModule) rewritten for the host: metered, limited,
 * start exported. `fuel` is the global's initial value; `limits` the ABI's limits;
 * `asWasmtime` adds wasmtime's two rules (above).
 * Returns `{ bytes, fuelExport, startExport }`: the rewritten module and the names
 * of the fuel global's and the start function's exports.
 */
export function instrument (m, { fuel, memoryPages, tableElements, asWasmtime = false }) {
  const { bytes } = m
  const g = m.importedGlobals + m.globalCount // the new global's index
  const exportNames = new Set(m.exports.map((e) => e.name))
  const fuelExport = unusedName(exportNames, FUEL_EXPORT)
  const startExport = unusedName(exportNames, START_EXPORT)
  const funcType = (i) => m.types[m.funcTypes[i]]
  const newGlobal = [0x7e, 0x01, 0x42, ...sleb(fuel), 0x0b]
  const out = [bytes.subarray(0, 8)]
  let globalDone = false
  const emitGlobal = (existing) => {
    const payload = existing === null
      ? vec([newGlobal])
      : cat([u32leb(m.globalCount + 1), existing, newGlobal])
    out.push(section(6, payload))
    globalDone = true
  }
  for (const s of m.sections) {
    const rank = SECTION_RANK[s.id]
    if (!globalDone && rank !== undefined && rank > SECTION_RANK[6]) emitGlobal(null)
    const payload = bytes.subarray(s.start, s.end)
    switch (s.id) {
      case 4:
        out.push(section(4, vec(m.tables.map((t) =>
          [t.reftype, ...limitsBytes(t.min, Math.max(t.min, Math.min(t.max ?? tableElements, tableElements)))]))))
        break
      case 5:
        out.push(section(5, vec(m.memories.map((mem) =>
          limitsBytes(mem.min, Math.min(mem.max ?? memoryPages, memoryPages))))))
        break
      case 6:
        emitGlobal(afterCount(payload))
        break
      case 7: {
        const extra = [[...nameBytes(fuelExport), 0x03, ...u32leb(g)]]
        if (m.start !== null) extra.push([...nameBytes(startExport), 0x00, ...u32leb(m.start)])
        out.push(section(7, cat([u32leb(m.exports.length + extra.length), afterCount(payload), ...extra])))
        break
      }
      case 8: break // the start function is called by the host instead
      case 10:
        out.push(section(10, vec(m.bodies.map((body, i) =>
          meterBody(bytes, body, funcType(i).params.length, g, asWasmtime)))))
        break
      default:
        out.push(bytes.subarray(s.headerStart, s.end))
    }
  }
  if (!globalDone) emitGlobal(null)
  return { bytes: cat(out), fuelExport, startExport }
}
