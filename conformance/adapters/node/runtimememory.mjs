// The runtime's object space in process memory: the interface of the directory
// backend (durable.mjs) that runtimespace.mjs uses, over store.mjs's MemoryBackend.
// The runtime workloads of the perf profile run the runtime on it (ADP-018.6:
// `runtime-counter` and `runtime-ping-pong`, in memory). Nothing is durable: a
// publish stores the bytes under their id and no sync moves anything to a disk.

import { MemoryBackend } from './store.mjs'

export class MemoryRuntimeBackend extends MemoryBackend {
  constructor () {
    super()
    this.tombstones = new Map() // id -> reason (RUN-011)
  }

  /** The key an object is published under: its id (the directory backend's file path). */
  objectPath (id) { return id }

  /** Store `data` under `target` unless something is there already: false then (STO-002). */
  publish (data, target) {
    if (this.objects.has(target)) return false
    this.objects.set(target, data)
    return true
  }

  syncObjects () {} // nothing to make durable

  tombstone (id) { return this.tombstones.get(id) ?? null }
  erased (id) { return this.tombstones.has(id) }

  /** The tombstone first, then the bytes go (RUN-011.2); an erased blob stays erased. */
  erase (id, reason) {
    if (!this.tombstones.has(id)) this.tombstones.set(id, reason)
    this.objects.delete(id)
  }
}
