// The object store and its refs (spec/04-store.md), over a backend that only moves bytes.
//
// `Store` holds every rule of the chapter; a backend (the in-memory one below,
// or the directory of files in durable.mjs) stores objects by id and swaps refs.
// Backend interface -- ids are 64-digit text-form ids, bytes are Uint8Array:
//   read(id) -> bytes | null      insert(id, bytes)      contains(id) -> boolean
//   mend(id, bytes)               (replace a corrupt copy, STO-002.3)
//   flipBit(id) -> boolean        refs() -> Map name->id       ref(name) -> id | null
//   swap(name, expected, next) -> { ok, current }   (atomic compare-and-swap)
//   tombstone(id) -> reason | null                  erase(id, reason)   (RUN-011)
//   close()

import { fail, BadRequest } from './errors.mjs'
import { decodeObject, hash } from './codec.mjs'
import { toHex, compareBytes } from './bytes.mjs'

// REF-001: heads/<text-form actor id> or names/<seg>(/<seg>)*, at most 255 bytes.
const SEGMENT = '[A-Za-z0-9][A-Za-z0-9._-]{0,63}'
const REF_NAME = new RegExp(`^(?:heads/[0-9a-f]{64}|names/${SEGMENT}(?:/${SEGMENT})*)$`)
const MAX_REF_NAME_BYTES = 255

export function checkRefName (name) {
  // The grammar is ASCII, so once it matches, characters and bytes count the same.
  if (typeof name !== 'string' || name.length > MAX_REF_NAME_BYTES || !REF_NAME.test(name)) {
    fail('invalid-ref-name', 'REF-001', `${JSON.stringify(name).slice(0, 80)} is not heads/<actor id> or names/<segment>...`)
  }
}

export class Store {
  constructor (backend) { this.backend = backend }

  /**
   * STO-001, STO-002: strictly decode, then store under the BLAKE3 id; idempotent.
   * A stored copy that differs from `bytes` cannot hash to `id`: it is corrupt, and
   * the put mends it (STO-002.3).
   */
  put (bytes) {
    decodeObject(bytes) // throws the decode/validate class; nothing is stored (STO-001)
    const id = toHex(hash(bytes))
    if (this.backend.tombstone(id) !== null) return id // an erased blob stays erased (RUN-011.5)
    const stored = this.backend.read(id)
    if (stored === null) this.backend.insert(id, bytes)
    else if (compareBytes(stored, bytes) !== 0) this.backend.mend(id, bytes)
    return id
  }

  /** STO-003, STO-004: exactly the bytes put, re-hashed before they are returned. */
  get (id) {
    const bytes = this.backend.read(id)
    if (bytes === null) {
      if (this.backend.tombstone(id) !== null) fail('erased', 'RUN-011.3', `blob ${id} was erased`)
      fail('not-found', 'STO-003', `no object ${id}`)
    }
    if (toHex(hash(bytes)) !== id) fail('corrupt-object', 'STO-004', `stored bytes of ${id} do not re-hash to it`)
    return bytes
  }

  /** STO-005: never an error for an absent id. */
  has (id) { return this.backend.contains(id) || this.backend.tombstone(id) !== null } // RUN-011.4

  /** REF-005 */
  getRef (name) {
    checkRefName(name)
    return this.backend.ref(name)
  }

  /**
   * REF-001 ... REF-004. The spec gives no order among these store errors; we check
   * the name, then that `next` is present, then a head's target, then swap.
   */
  casRef (name, expected, next) {
    checkRefName(name)
    if (next !== null) {
      if (!this.backend.contains(next)) fail('not-found', 'REF-003', `${name} cannot point at absent ${next}`)
      if (name.startsWith('heads/')) this.checkHeadTarget(name, next)
    }
    // Objects are never removed (STO-006), so `next` is still present at the swap.
    const { ok, current } = this.backend.swap(name, expected, next)
    if (!ok) fail('ref-conflict', 'REF-004', `${name} is ${current}, not ${expected}`, { current })
  }

  /** REF-002: heads/<actor> points at a step whose `actor` field is <actor>. */
  checkHeadTarget (name, id) {
    const target = decodeObject(this.get(id)) // get re-hashes (STO-004)
    if (target.get('type') !== 'step' || toHex(target.get('actor')) !== name.slice('heads/'.length)) {
      fail('invalid-ref-target', 'REF-002', `${name} must point at a step of that actor`)
    }
  }

  /** REF-006: names starting with `prefix`, in bytewise order; any prefix (REF-007.3, REF-007.4). */
  listRefs (prefix) {
    const names = [...this.backend.refs().keys()].filter((n) => n.startsWith(prefix))
    return names.sort((a, b) => compareBytes(Buffer.from(a), Buffer.from(b)))
  }

  /** Test hook (`store-corrupt`): flip one bit of the stored bytes of `id` in place. */
  corrupt (id) {
    if (!this.backend.flipBit(id)) throw new BadRequest(`no object ${id} to corrupt`)
  }

  close () { this.backend.close() }
}

/** Objects and refs in process memory; a single-threaded process makes `swap` atomic. */
export class MemoryBackend {
  constructor () {
    this.objects = new Map()
    this.table = new Map()
  }

  read (id) { return this.objects.get(id) ?? null }
  insert (id, bytes) { this.objects.set(id, Uint8Array.from(bytes)) }
  mend (id, bytes) { this.insert(id, bytes) }
  contains (id) { return this.objects.has(id) }
  refs () { return new Map(this.table) }
  ref (name) { return this.table.get(name) ?? null }
  tombstone () { return null } // the runtime, which erases, runs on the durable backend

  flipBit (id) {
    const bytes = this.objects.get(id)
    if (bytes === undefined) return false
    bytes[bytes.length >> 1] ^= 0x01
    return true
  }

  swap (name, expected, next) {
    const current = this.table.get(name) ?? null
    if (current !== expected) return { ok: false, current }
    if (next === null) this.table.delete(name)
    else this.table.set(name, next)
    return { ok: true, current: next }
  }

  close () {}
}
