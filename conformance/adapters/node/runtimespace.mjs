// The runtime's object space: the durable store (durable.mjs) seen as the Wit
// executor sees its in-memory ObjectSpace (witobjects.mjs) -- records by text-form
// id, refs by name -- plus what the runtime needs beyond it: compare-and-swap of
// refs (REF-004, RUN-001.2), a transition's objects stored together before its head
// moves (RUN-001.1), and erased blobs (RUN-011).
//
// Decoded records are cached by id: an id names immutable bytes (ID-001), so the
// cache answers what the store would -- except for an erased blob, whose tombstone
// is looked for on every read (RUN-011.3), since another runtime on the same
// directory may erase it.

import { compareBytes } from './bytes.mjs'
import { fail } from './errors.mjs'
import { decodeObject } from './codec.mjs'
import { encode, fromValue } from './witobjects.mjs'
import { Store } from './store.mjs'
import { DirectoryBackend } from './durable.mjs'
import { MemoryRuntimeBackend } from './runtimememory.mjs'

const CACHE_LIMIT = 50_000 // decoded records kept; the cache starts afresh past it

export class RuntimeSpace {
  /** `dir`: the durable store's directory, or null for a store in memory (ADP-018.6). */
  constructor (dir) {
    this.backend = dir === null ? new MemoryRuntimeBackend() : new DirectoryBackend(dir)
    this.store = new Store(this.backend)
    this.records = new Map()
  }

  // --- objects ---

  has (id) { return this.store.has(id) } // an erased id is still present (RUN-011.4)

  /** The stored bytes of `id`, re-hashed (STO-004); `erased` (RUN-011.3) or `not-found`. */
  bytes (id) {
    if (this.backend.erased(id)) fail('erased', 'RUN-011.3', `blob ${id} was erased`)
    return this.store.get(id)
  }

  get (id) {
    let obj = this.records.get(id)
    if (obj === undefined) {
      obj = fromValue(decodeObject(this.bytes(id)))
      if (this.records.size >= CACHE_LIMIT) this.records.clear()
      this.records.set(id, obj)
    } else if (obj.type === 'blob' && this.backend.erased(id)) {
      fail('erased', 'RUN-011.3', `blob ${id} was erased`)
    }
    return obj
  }

  put (obj) {
    const { bytes, id } = encode(obj)
    this.putEncoded(id, bytes, obj)
    return id
  }

  putEncoded (id, bytes, obj) { this.putAll([[id, bytes, obj]]) }

  /**
   * Store many objects, `[id, bytes, record?]` each, durable before this returns
   * (DUR-001, RUN-001.1): each file is written and fsynced, then the directory once.
   * An erased id stays erased (RUN-011.5); an object already stored is left as it is
   * (STO-002.2) unless its stored copy is corrupt, which these bytes replace (STO-002.3,
   * as a put does). A record given is cached, so reading it back decodes nothing. Returns
   * the bytes it added: those of the objects the store did not hold, each once (RUN-022.1).
   */
  putAll (items) {
    let added = 0
    let wrote = false
    for (const [id, bytes, obj] of items) {
      if (obj !== undefined && this.records.size < CACHE_LIMIT) this.records.set(id, obj)
      if (this.backend.erased(id)) continue
      if (this.backend.contains(id)) {
        const stored = this.backend.read(id)
        if (stored !== null && compareBytes(stored, bytes) !== 0) this.backend.mend(id, bytes)
        continue
      }
      if (this.backend.publish(bytes, this.backend.objectPath(id), { syncDirectory: false }) !== false) added += bytes.length
      wrote = true
    }
    if (wrote) this.backend.syncObjects()
    return added
  }

  /** Drop the cached record of `id` (after `erase`, which removes its bytes). */
  forget (id) { this.records.delete(id) }

  // --- refs ---

  getRef (name) { return this.backend.ref(name) }

  /** REF-004 through the store's rules; a lost swap throws `ref-conflict` with `current`. */
  cas (name, expected, next) { this.store.casRef(name, expected, next) }

  /** Every ref: name -> target. */
  refTable () { return this.backend.refs() }

  refNames (prefix) { return [...this.refTable().keys()].filter((n) => n.startsWith(prefix)).sort() }
}
