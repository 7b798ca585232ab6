// Fuel metering and limits by rewriting a checked module before V8 compiles it
// (WASM-016, WASM-017, WASM-019, WASM-020). V8 has neither fuel nor per-instance
// memory limits, so the host runs a rewritten module, never the original:
//
//  * fuel: a new mutable i64 global holds the fuel left, exported under FUEL_EXPORT.
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
//  * start: the start section is removed and the start function exported under
//    START_EXPORT; the host calls it right after instantiation, when the memory and
//    the fuel global are reachable (WASM-005: it runs as part of the call).
// No import is added, so no function, global or memory index changes.

import { decodeBody, nameBytes, sleb, u32leb } from './wasmbinary.mjs'

export const FUEL_EXPORT = '\u0000gritwit-fuel'
export const START_EXPORT = '\u0000gritwit-start'

const FREE = new Set([0x00, 0x01, 0x02, 0x03, 0x05, 0x0b, 0x0f, 0x1a]) // WASM-019: cost nothing
const SEGMENT_AFTER = new Set([0x03, 0x04, 0x05, 0x0b, 0x0d]) // loop, if, else, end, br_if
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

// global.get g; i64.const 0; i64.lt_s; if; unreachable; end
const check = (g) => [0x23, ...u32leb(g), 0x42, 0x00, 0x53, 0x04, 0x40, 0x00, 0x0b]

/** The rewritten body of one function (WASM-019). */
function meterBody (bytes, body, paramCount, g) {
  const { localsStart, localsEnd, localCount, instructions } = decodeBody(bytes, body)
  const hasBulk = instructions.some((i) => i.op === 0xfc && BULK.has(i.sub))
  const temp = paramCount + localCount
  // Segments: [insertion offset, cost]; the first one pays for entering the function.
  const segments = [[localsEnd, 1]]
  instructions.forEach((ins, index) => {
    if (!FREE.has(ins.op)) segments[segments.length - 1][1]++
    if (SEGMENT_AFTER.has(ins.op) && index < instructions.length - 1) segments.push([ins.end, 0])
  })
  const inserts = new Map() // offset -> bytes to insert there
  const add = (offset, code) => inserts.set(offset, [...(inserts.get(offset) ?? []), ...code])
  for (const [offset, cost] of segments) if (cost > 0) add(offset, charge(g, cost))
  for (const ins of instructions) if (ins.op === 0xfc && BULK.has(ins.sub)) add(ins.start, chargeTop(g, temp))

  const out = []
  // Locals: the original declarations, plus one i32 temporary when needed.
  const r = bytes.subarray(localsStart, localsEnd)
  if (hasBulk) {
    let pos = 0
    let n = 0
    let shift = 0
    for (;;) { const b = r[pos++]; n += (b & 0x7f) * 2 ** shift; shift += 7; if (!(b & 0x80)) break }
    out.push(u32leb(n + 1), r.subarray(pos), [0x01, 0x7f])
  } else {
    out.push(r)
  }
  let pos = localsEnd
  const offsets = [...inserts.keys()].sort((a, b) => a - b)
  for (const offset of offsets) {
    out.push(bytes.subarray(pos, offset), inserts.get(offset))
    pos = offset
  }
  out.push(bytes.subarray(pos, body.end))
  const code = cat(out)
  return cat([u32leb(code.length), code])
}

function limitsBytes (min, max) { return [0x01, ...u32leb(min), ...u32leb(max)] }

/**
 * The module `m` (parsed by parseModule) rewritten for the host: metered, limited,
 * start exported. `fuel` is the global's initial value; `limits` the ABI's limits.
 */
export function instrument (m, { fuel, memoryPages, tableElements }) {
  const { bytes } = m
  const g = m.importedGlobals + m.globalCount // the new global's index
  const exportNames = new Set(m.exports.map((e) => e.name))
  if (exportNames.has(FUEL_EXPORT) || exportNames.has(START_EXPORT)) throw new Error('reserved export name in use')
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
      case 6: {
        const r = { pos: 0 } // skip the count
        while (payload[r.pos++] & 0x80);
        emitGlobal(payload.subarray(r.pos))
        break
      }
      case 7: {
        const extra = [[...nameBytes(FUEL_EXPORT), 0x03, ...u32leb(g)]]
        if (m.start !== null) extra.push([...nameBytes(START_EXPORT), 0x00, ...u32leb(m.start)])
        let pos = 0
        while (payload[pos++] & 0x80);
        out.push(section(7, cat([u32leb(m.exports.length + extra.length), payload.subarray(pos), ...extra])))
        break
      }
      case 8: break // the start function is called by the host instead
      case 10:
        out.push(section(10, vec(m.bodies.map((body, i) =>
          meterBody(bytes, body, funcType(i).params.length, g)))))
        break
      default:
        out.push(bytes.subarray(s.headerStart, s.end))
    }
  }
  if (!globalDone) emitGlobal(null)
  return cat(out)
}
