// What the WASI host needs of the guest (SBX-005.15, SBX-005.16, SBX-006.5): its memory,
// every range checked before a byte is copied, and its fuel, from which the host pays
// for its own work before it does it. Also the random streams (SBX-005.5, SBX-005.14)
// and the bounded standard streams (SBX-007.2).

import { createHash } from 'node:crypto'
import { EFAULT, ENAMETOOLONG, WasiError } from './sandboxfs.mjs'

// The rates of SBX-006.5 and SBX-006.6: the same on every host, so every host runs out at
// the same point.
export const CALL_FUEL = 20_000 // every call of a WASI function
export const PATH_FUEL = 20_000 // every path a call is given (SBX-006.13)
export const COMPONENT_FUEL = 2_000 // every component of it, every level above a directory rename's target
export const BYTE_FUEL = 1 // every byte moved between guest memory and the host
export const IOVEC_FUEL = 2_000 // every entry of an iovec array
export const RANDOM_FUEL = 256 // every byte random_get makes
export const ENTRY_FUEL = 5_000 // every entry fd_readdir lists
export const WALK_FUEL = 2_000 // every entry a directory rename's check walks (SBX-005.20)
export const SORT_FUEL = 500 // every entry of a directory sorted, once per version of it

/** The longest path a path_* function takes, in bytes (SBX-005.17). */
export const MAX_PATH_BYTES = 4096

/** A run ends with a class of SBX-008.1 from inside a host call (fuel, a host trap). */
export class RunEnd extends Error {
  constructor (errorClass, requirement, message) {
    super(message)
    this.errorClass = errorClass
    this.requirement = requirement
  }
}

/** The program called proc_exit(code): the run ends with that status. */
export class ProcExit extends Error {
  constructor (code) {
    super(`exit ${code}`)
    this.code = code
  }
}

/**
 * The run's fuel: the metered module's fuel global (wasmfuel.mjs), an i64 the guest's
 * code counts down. The host takes its charges from the same global (SBX-006.5).
 */
export class Fuel {
  constructor (global) { this.global = global }

  /** The fuel left (none when the guest has overrun it). */
  left () {
    const value = this.global.value
    return value > 0n ? value : 0n
  }

  set (fuel) { this.global.value = BigInt(fuel) }

  /** Pay `fuel` for host work about to be done; fuel-exhausted, the work not done, if the run cannot. */
  charge (fuel, what) {
    if (fuel <= 0) return
    const cost = BigInt(fuel)
    const left = this.left()
    if (left < cost) {
      this.global.value = 0n // the run's fuel used is then its whole fuel
      throw new RunEnd('fuel-exhausted', 'SBX-006.5', `the run's fuel cannot pay for ${what} (${fuel} fuel)`)
    }
    this.global.value = left - cost
  }
}

/**
 * The guest's memory, seen afresh at each host call (a grow replaces its buffer). Every
 * range is checked before anything is copied or made on its account: EFAULT, nothing
 * copied (SBX-005.15). Pointers and lengths are the guest's unsigned i32s.
 */
export class Guest {
  constructor (memory, fuel) {
    this.memory = memory // the instance's WebAssembly.Memory
    this.fuel = fuel
  }

  get bytes () { return new Uint8Array(this.memory.buffer) }

  /** The guest's memory size in bytes: what one host call copies at most (SBX-005.16). */
  get size () { return this.memory.buffer.byteLength }

  charge (fuel, what) { this.fuel.charge(fuel, what) }

  /** EFAULT unless ptr … ptr + length lies in the guest's memory. */
  check (ptr, length) {
    if (ptr + length > this.size) throw new WasiError(EFAULT)
  }

  /** A copy of the guest's bytes at ptr … ptr + length. */
  read (ptr, length) {
    this.check(ptr, length)
    return this.bytes.slice(ptr, ptr + length)
  }

  write (ptr, data) {
    this.check(ptr, data.length)
    this.bytes.set(data, ptr)
  }

  u32 (ptr, value) {
    this.check(ptr, 4)
    new DataView(this.memory.buffer).setUint32(ptr, value, true)
  }

  u64 (ptr, value) {
    this.check(ptr, 8)
    new DataView(this.memory.buffer).setBigUint64(ptr, BigInt(value), true)
  }

  /**
   * A path argument: at most MAX_PATH_BYTES (SBX-005.17), checked, paid for, then copied;
   * then its walk, before it is walked: the path and its components, one more than its
   * `/` (SBX-006.13).
   */
  path (ptr, length) {
    if (length > MAX_PATH_BYTES) throw new WasiError(ENAMETOOLONG)
    this.check(ptr, length)
    this.charge(BYTE_FUEL * length, 'a path')
    const raw = this.read(ptr, length)
    let components = 1
    for (const byte of raw) if (byte === 0x2f) components++
    this.charge(PATH_FUEL + COMPONENT_FUEL * components, "a path's walk")
    return raw
  }

  /**
   * The [buf, length] pairs of an iovec array: the array must lie in memory and is paid
   * for (SBX-006.5) now; each entry is checked as it is reached (EFAULT), read in place.
   */
  iovecs (ptr, count) {
    this.check(ptr, 8 * count)
    this.charge(IOVEC_FUEL * count, 'an iovec array')
    return this.entries(ptr, count)
  }

  * entries (ptr, count) {
    const view = new DataView(this.memory.buffer)
    const size = this.size
    for (let i = 0; i < count; i++) {
      const buf = view.getUint32(ptr + 8 * i, true)
      const length = view.getUint32(ptr + 8 * i + 4, true)
      if (buf + length > size) throw new WasiError(EFAULT)
      yield [buf, length]
    }
  }

  /** The sum of an iovec array's lengths, every entry checked, nothing copied. */
  measure (ptr, count) {
    let total = 0
    for (const [, length] of this.iovecs(ptr, count)) total += length
    return total
  }

  /**
   * The first `take` bytes of an iovec array (measure checked it first). No more than
   * `take` bytes are copied, so one buffer listed many times is not copied many times
   * (SBX-005.15); `paid` of them (all by default) are paid for before the copy.
   */
  gather (ptr, count, take) {
    this.charge(BYTE_FUEL * take, 'the bytes of a write') // every byte copied is paid (SBX-006.5)
    const out = new Uint8Array(take)
    const memory = this.bytes
    let done = 0
    for (const [buf, length] of this.entries(ptr, count)) {
      if (done >= take) break
      const step = Math.min(length, take - done)
      out.set(memory.subarray(buf, buf + step), done)
      done += step
    }
    return out
  }

  /**
   * Fill an iovec array from `source` from `start` (a BigInt) on; the bytes filled. Each
   * chunk is paid for before it is copied; a call fills at most the guest's memory size.
   */
  scatter (ptr, count, source, start) {
    const available = start < BigInt(source.length) ? source.length - Number(start) : 0
    const left = Math.min(available, this.size)
    const from = Number(start < BigInt(source.length) ? start : 0n)
    let done = 0
    for (const [buf, length] of this.iovecs(ptr, count)) {
      const step = Math.min(length, left - done)
      if (step > 0) {
        this.charge(BYTE_FUEL * step, 'the bytes of a read')
        this.bytes.set(source.subarray(from + done, from + done + step), buf)
        done += step
      }
      if (step < length) break
    }
    return done
  }
}

/** SHA-256(seed ‖ n) for n = 0, 1, … (n as 8 bytes, little-endian), as one stream (SBX-005.5). */
export class RandomStream {
  constructor (seed) {
    this.seeded = createHash('sha256').update(seed)
    this.counter = 0n
    this.pending = Buffer.alloc(0)
  }

  next (length) {
    if (this.pending.length < length) {
      const blocks = [this.pending]
      for (let have = this.pending.length; have < length; have += 32) {
        const n = Buffer.alloc(8)
        n.writeBigUInt64LE(this.counter++)
        blocks.push(this.seeded.copy().update(n).digest())
      }
      this.pending = Buffer.concat(blocks)
    }
    const out = this.pending.subarray(0, length)
    this.pending = this.pending.subarray(length)
    return out
  }
}

/** A standard stream kept up to `limit` bytes; past it the run fails (SBX-007.2). */
export class Bounded {
  constructor (limit) {
    this.limit = limit
    this.chunks = []
    this.length = 0
    this.overflow = false
  }

  /** The bytes it can still keep: the host copies no more of a write (SBX-005.16). */
  room () { return Math.max(0, this.limit - this.length) }

  write (chunk) {
    const kept = chunk.subarray(0, this.room())
    if (kept.length < chunk.length) this.overflow = true
    if (kept.length) this.chunks.push(kept)
    this.length += kept.length
    return chunk.length
  }

  bytes () { return Buffer.concat(this.chunks) }
}
