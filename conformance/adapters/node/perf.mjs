// The optional `perf` profile (ADP-018): `perf-run` times a fixed workload inside
// this process with process.hrtime.bigint(), a monotonic clock (ADP-018.3), and
// answers a `check` id that proves the work was done (ADP-018.2).
//
// The Wit workloads run on the same Executor and test actors as the `wit` profile
// (witcommands.mjs), so they time this host's test actors: the Wasm builds of
// conformance/wasm/actors, not JavaScript twins. The runtime workloads (ADP-018.6)
// run on this adapter's Runtime (runtime.mjs), in memory (runtimememory.mjs) or on
// the directory the harness gives, with the Wasm modules the harness sends: the same
// guest code the reference's Runtime runs.

import fs from 'node:fs'
import { BadRequest } from './errors.mjs'
import { toHex } from './bytes.mjs'
import { encodeObjectValue } from './codec.mjs'
import { blob, idOf, tree } from './witobjects.mjs'
import { coreWith, Executor, testActorCore } from './witexecutor.mjs'
import { loadModule, WasmWits } from './wasmengine.mjs'
import { TEST_ACTORS, TEST_UPDATERS } from './wittestactors.mjs'
import { wasmWitBlob } from './witcommands.mjs'
import { MAX_STEPS as RUN_BOUND, Runtime } from './runtime.mjs'

const MAX_N = 1_000_000 // ADP-018.1's table
const MAX_STEPS = 1000 // per wit-run: far above the 3 steps a repetition needs
const utf8 = new TextEncoder()
/** The decimal of i as bytes: ASCII digits, written by hand (TextEncoder costs more than the digits). */
const decimal = (i) => {
  const text = String(i)
  const bytes = new Uint8Array(text.length)
  for (let k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k)
  return bytes
}

/** A monotonic stopwatch: call the result to get nanoseconds since start, as a Number. */
function stopwatch () {
  const start = process.hrtime.bigint()
  return () => Number(process.hrtime.bigint() - start)
}

/**
 * `encode`: a blob of the decimal of i, then a tree {x: blob}; check = the last tree.
 * The objects are the codec's (CBOR-level Maps, as the `codec` profile encodes them):
 * each is checked by the object rules (OBJ-017), canonically encoded and hashed (ID-001).
 * The Wit records of witobjects.mjs would add a text-form id and back per object.
 */
function encodeWorkload (n) {
  let last = null
  const elapsed = stopwatch()
  for (let i = 0; i < n; i++) {
    const { id } = encodeObjectValue(new Map([['data', decimal(i)], ['type', 'blob']]))
    last = encodeObjectValue(new Map([['type', 'tree'], ['entries', new Map([['x', id]])]])).id
  }
  return { elapsed: elapsed(), check: toHex(last) }
}

function newActor (executor, name) {
  const { core, objects } = testActorCore(name, new Map())
  const actor = executor.genesis(core, objects)
  executor.run(MAX_STEPS)
  return actor
}

function headOf (executor, actor) {
  const head = executor.head(actor)
  if (head === null) throw new Error(`actor ${actor} has no step after its workload`)
  return head
}

/** `counter`: n incs of an empty blob, each run to quiescence; check = the counter's head. */
function counterWorkload (n, wasm) {
  const executor = new Executor({ actors: TEST_ACTORS, updaters: TEST_UPDATERS, wasm })
  const counter = newActor(executor, 'counter')
  const empty = blob(new Uint8Array(0))
  const emptyId = idOf(empty)
  const elapsed = stopwatch()
  for (let i = 0; i < n; i++) {
    executor.inject(counter, emptyId, [['mt', 'inc']], { objects: [empty] })
    executor.run(MAX_STEPS)
  }
  return { elapsed: elapsed(), check: headOf(executor, counter) }
}

/** `ping-pong`: n asks of a requester to an echo; check = the requester's head. */
function pingPongWorkload (n, wasm) {
  const executor = new Executor({ actors: TEST_ACTORS, updaters: TEST_UPDATERS, wasm })
  const requester = newActor(executor, 'requester')
  const echo = newActor(executor, 'echo')
  const to = blob(utf8.encode(echo))
  const toId = idOf(to)
  const elapsed = stopwatch()
  for (let i = 0; i < n; i++) {
    const question = blob(decimal(i))
    const ask = tree([['to', toId], ['question', idOf(question)]])
    executor.inject(requester, idOf(ask), [['mt', 'ask']], { objects: [to, question, ask] })
    executor.run(MAX_STEPS)
  }
  return { elapsed: elapsed(), check: headOf(executor, requester) }
}

const WORKLOADS = { encode: encodeWorkload, counter: counterWorkload, 'ping-pong': pingPongWorkload }

// --- the runtime workloads (ADP-018.6) -------------------------------------------------

/** A Wasm actor created as ADP-016's wit-genesis builds it, no state, run to quiescence (setup). */
function newWasmActor (runtime, module) {
  const { core, objects } = coreWith(wasmWitBlob(module), new Map())
  const actor = runtime.genesis(core, objects)
  runtime.run(RUN_BOUND)
  return actor
}

function runtimeHead (runtime, actor) {
  const head = runtime.head(actor)
  if (head === null) throw new Error(`actor ${actor} has no step after its workload`)
  return head
}

/** `counter` on the runtime: n sends of `inc` from the outside, each run to quiescence. */
function runtimeCounter (runtime, n, modules) {
  const counter = newWasmActor(runtime, modules.counter)
  const empty = blob(new Uint8Array(0))
  const emptyId = idOf(empty)
  const elapsed = stopwatch()
  for (let i = 0; i < n; i++) {
    runtime.send(counter, emptyId, [['mt', 'inc']], { objects: [empty] })
    runtime.run(RUN_BOUND)
  }
  return { elapsed: elapsed(), check: runtimeHead(runtime, counter) }
}

/** `ping-pong` on the runtime: n asks of the requester to the echo, each run to quiescence. */
function runtimePingPong (runtime, n, modules) {
  const requester = newWasmActor(runtime, modules.requester)
  const echo = newWasmActor(runtime, modules.echo)
  const to = blob(utf8.encode(echo))
  const toId = idOf(to)
  const elapsed = stopwatch()
  for (let i = 0; i < n; i++) {
    const question = blob(decimal(i))
    const ask = tree([['to', toId], ['question', idOf(question)]])
    runtime.send(requester, idOf(ask), [['mt', 'ask']], { objects: [to, question, ask] })
    runtime.run(RUN_BOUND)
  }
  return { elapsed: elapsed(), check: runtimeHead(runtime, requester) }
}

/** workload -> [what it repeats, whether its store is durable, the members of `modules` it runs]. */
const RUNTIME_WORKLOADS = {
  'runtime-counter': [runtimeCounter, false, ['counter']],
  'runtime-ping-pong': [runtimePingPong, false, ['requester', 'echo']],
  'runtime-counter-durable': [runtimeCounter, true, ['counter']],
  'runtime-ping-pong-durable': [runtimePingPong, true, ['requester', 'echo']]
}

const isJsonObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)

/** `path` (durable workloads only), then `modules`, in the order of ADP-018.7. */
function runtimeArguments (args, durable, names, { hexArg, stringArg }) {
  let dir = null
  if (durable) {
    if (!('path' in args)) throw new BadRequest('a durable runtime workload needs path, a directory (ADP-018.7)')
    dir = stringArg(args, 'path')
    let isDirectory = false
    try { isDirectory = fs.statSync(dir).isDirectory() } catch { /* absent, or a name too long */ }
    if (!isDirectory) throw new BadRequest(`path ${JSON.stringify(dir).slice(0, 80)} is not a directory (ADP-018.7)`)
  }
  if (!isJsonObject(args.modules)) throw new BadRequest('modules must be an object of Wasm modules in hex (ADP-018.7)')
  const modules = {}
  for (const name of names) {
    if (!Object.hasOwn(args.modules, name)) throw new BadRequest(`modules lacks ${name}, which this workload runs (ADP-018.7)`)
    try {
      modules[name] = hexArg(args.modules, name)
    } catch (err) {
      throw new BadRequest(`modules: ${err.message} (ADP-018.7)`)
    }
  }
  return { dir, modules }
}

/** Run a runtime workload on a runtime of its own, closed before the answer (ADP-018.6). */
function runRuntimeWorkload (workload, n, args, parsers, wasm) {
  const [body, durable, names] = RUNTIME_WORKLOADS[workload]
  const { dir, modules } = runtimeArguments(args, durable, names, parsers)
  for (const module of Object.values(modules)) loadModule(module) // WASM-002's checks first (ADP-018.7)
  const runtime = new Runtime(dir, {}, wasm) // the defaults: group commit, no idle timeout
  try {
    return body(runtime, n, modules)
  } finally {
    runtime.close()
  }
}

const ALL_WORKLOADS = [...Object.keys(WORKLOADS), ...Object.keys(RUNTIME_WORKLOADS)]

/** The `perf` profile's command, given the adapter's argument parsers. */
export function perfCommands (parsers) {
  const wasm = new WasmWits() // compiled modules cached across runs, as in witcommands.mjs
  return {
    'perf-run' (args) {
      // ADP-004.6: workload, then n; ADP-018.4: anything else is bad-request.
      const workload = args.workload
      if (typeof workload !== 'string' || !ALL_WORKLOADS.includes(workload)) {
        throw new BadRequest(`workload must be one of ${ALL_WORKLOADS.join(', ')} (ADP-018.4)`)
      }
      const n = args.n
      if (!Number.isInteger(n) || n < 1 || n > MAX_N) throw new BadRequest(`n must be an integer from 1 to ${MAX_N} (ADP-018.4)`)
      const { elapsed, check } = Object.hasOwn(RUNTIME_WORKLOADS, workload)
        ? runRuntimeWorkload(workload, n, args, parsers, wasm)
        : WORKLOADS[workload](n, wasm)
      return { elapsed_ns: Math.max(elapsed, 1), check }
    }
  }
}
