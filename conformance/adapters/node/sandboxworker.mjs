// One sandboxed run in a worker thread (sandbox.mjs): a fresh interpreter instance
// (SBX-003.1) whose every WASI import is served by this host (sandboxcalls.mjs) over an
// in-memory filesystem (sandboxfs.mjs), metered for fuel (SBX-006.1, SBX-006.5), its
// run classified in the order of SBX-008.1. The answer goes back on a message port and
// the adapter is woken through shared memory, so that it can stop waiting when the run
// outlives its time budget.
//
// A run starts cold (`_start`: CPython's start-up and the prelude, some 5 × 10⁸
// instructions, most of a second) or from the process's snapshot (SBX-003.4): the
// linear memory and globals at the snapshot point, copied into the fresh instance, whose
// runner the host then calls as it does at the point of a cold run. The snapshot is
// taken once per process by a worker started with `take`: a start-up with the
// reference's start-up state (an empty program, core and input), stopped at the point.

import { workerData } from 'node:worker_threads'
import { createHash } from 'node:crypto'
import { Directory, EFAULT, File, Filesystem } from './sandboxfs.mjs'
import { Bounded, CALL_FUEL, Fuel, Guest, ProcExit, RANDOM_FUEL, RandomStream, RunEnd } from './sandboxguest.mjs'
import { wasiFunctions } from './sandboxcalls.mjs'

const EXIT_FORBIDDEN = 120
const EXIT_MEMORY = 121
const MIB = 1024 * 1024
/** WASI preview 1 clock ids are 0 … 3; a larger id at start-up marks the snapshot point (SBX-005.14). */
const WASI_CLOCKS = 4
/** Offset of `vectorcall` in CPython 3.12's PyFunctionObject on wasm32 (8 + 14 pointers). */
const VECTORCALL_OFFSET = 64
/** The seed of the start-up stream random_get serves before the snapshot point (SBX-005.14). */
const STARTUP_SEED = createHash('sha256').update('gritwit-sandbox/1 start-up').digest()
/** Random bytes made and written at a time. */
const RANDOM_CHUNK = 1 << 16

// --- the core, in and out (SBX-004.1, SBX-004.2) ----------------------------------------

/**
 * The mounted core: its entries as [depth, name, bytes] (a file) or [depth, name, null] (a
 * directory), depth first, each tree's entries in its own order; depth 0 is /core's own.
 * No entry carries its path: the host holds the core in memory linear in its size,
 * whatever its depth (SBX-006.14).
 */
function mount (items) {
  const root = new Directory()
  const open = [root]
  for (const [depth, name, data] of items) {
    open.length = depth + 1
    if (data === null) {
      const directory = new Directory()
      open[depth].entries.set(name, directory)
      open.push(directory)
    } else {
      open[depth].entries.set(name, new File(data))
    }
  }
  return root
}

const byUtf8 = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))

/**
 * What the run left under /core, as `mount` takes it: depth first, each directory's
 * entries in the order of their names' UTF-8 bytes; empty directories too (the adapter
 * drops them, SBX-004.2). An explicit stack: a tree of any depth, no path per entry.
 */
function unmount (root) {
  const items = []
  const stack = [[-1, '', root]]
  while (stack.length) {
    const [depth, name, node] = stack.pop()
    if (node instanceof File) {
      items.push([depth, name, node.bytes()])
      continue
    }
    if (depth >= 0) items.push([depth, name, null])
    const sorted = [...node.entries.keys()].sort(byUtf8) // pushed last first: the first is visited next
    for (const child of sorted.reverse()) stack.push([depth + 1, child, node.entries.get(child)])
  }
  return items
}

// --- the snapshot point (SBX-005.14, SBX-006.4) -----------------------------------------

/**
 * The point's `clock_res_get` and `random_get`. Before the point `random_get` draws the
 * start-up stream and host work is paid from the start-up's fuel; at the point — the
 * first `clock_res_get` of a clock id that is no WASI clock, the address of the prelude's
 * runner — the run's stream and fuel begin, and the host calls the runner there, as the
 * reference does in a cold run and after restoring a snapshot, so that the run executes
 * the same instructions (SBX-003.4).
 */
function snapshotPoint (state, data) {
  const { seed, limits: { fuel }, tableExport, take } = data
  const point = { reached: false }
  const startup = new RandomStream(STARTUP_SEED)
  const run = new RandomStream(seed)
  const { guest } = state

  function reach (runner) {
    point.reached = true
    if (runner + VECTORCALL_OFFSET + 4 > guest.size) throw new RunEnd('trap', 'SBX-005.14', 'the snapshot point names no runner')
    if (take) throw new Taken(capture(state, data, runner))
    const index = new DataView(guest.memory.buffer).getUint32(runner + VECTORCALL_OFFSET, true)
    const call = state.instance.exports[tableExport].get(index)
    if (typeof call !== 'function') throw new RunEnd('trap', 'SBX-005.14', 'the runner is not a function')
    guest.fuel.set(fuel) // the run's fuel starts here (SBX-006.4)
    call(runner, 0, 0, 0) // vectorcall(runner, NULL, 0, NULL): runs the program, ends with proc_exit
    throw new RunEnd('trap', 'SBX-008.4', "the interpreter's runner returned instead of exiting")
  }

  return {
    point,
    reach,
    clock_res_get (clock, ptr) {
      clock >>>= 0
      ptr >>>= 0
      guest.charge(CALL_FUEL, 'clock_res_get')
      if (clock >= WASI_CLOCKS && !point.reached) reach(clock)
      if (ptr + 8 > guest.size) return EFAULT
      guest.u64(ptr, 1n) // every clock's resolution: 1 ns (SBX-005.4)
      return 0
    },
    random_get (ptr, length) { // SBX-005.5: checked, then paid for, then made in chunks
      ptr >>>= 0
      length >>>= 0
      if (ptr + length > guest.size) return EFAULT
      guest.charge(CALL_FUEL + RANDOM_FUEL * length, 'random_get')
      const stream = point.reached ? run : startup
      for (let at = 0; at < length; at += RANDOM_CHUNK) guest.write(ptr + at, stream.next(Math.min(RANDOM_CHUNK, length - at)))
      return 0
    }
  }
}

// --- the snapshot (SBX-003.4) ------------------------------------------------------------

/** Thrown at the snapshot point of a start-up that takes the snapshot: what it copied. */
class Taken {
  constructor (snapshot) { this.snapshot = snapshot }
}

/** The instance's globals other than fuel, as hostModule (sandbox.mjs) exports them: the stack pointer. */
const globalsOf = (instance, prefix) => Object.keys(instance.exports).filter((name) => name.startsWith(prefix)).sort()

/**
 * Whether a trap is the interpreter's stack exhausted (SBX-008.6): V8's own call stack
 * (a RangeError), or the interpreter's stack in its linear memory, which the pinned build
 * lays first, growing down toward address 0: a frame it cannot hold takes the stack
 * pointer (its one global, exported by hostModule) below 0 as a signed 32-bit integer.
 */
const STACK_END = 65536
function stackExhausted (state, data, err) {
  if (err instanceof RangeError) return true
  return globalsOf(state.instance, data.globalPrefix).some((name) => {
    const value = state.instance.exports[name].value
    return typeof value === 'number' && value < STACK_END
  })
}

/** The interpreter at the point: its memory (shared, so runs read it without a copy per message), its globals, its runner. */
function capture (state, data, runner) {
  const bytes = state.guest.bytes
  const memory = new SharedArrayBuffer(bytes.length)
  new Uint8Array(memory).set(bytes)
  const globals = globalsOf(state.instance, data.globalPrefix).map((name) => [name, state.instance.exports[name].value])
  return { memory, pages: bytes.length / 65536, globals, runner }
}

/** Copy `snapshot` into the fresh instance (after its data segments were written: they are in the copy). */
function restore (state, snapshot) {
  new Uint8Array(state.guest.memory.buffer).set(new Uint8Array(snapshot.memory))
  for (const [name, value] of snapshot.globals) state.instance.exports[name].value = value
}

/** The reference's start-up state (its `_startup_state`): no program, core or input; nothing may be written. */
function startupFilesystem (data, stdout, stderr) {
  const inputs = new Map([['main.py', new Uint8Array(0)], ['gritwit_prelude.py', data.prelude], ['transition.json', Buffer.from('{}')]])
  return new Filesystem(new Directory(), inputs, { budget: 0, stdout, stderr })
}

// --- the run ---------------------------------------------------------------------------

/** The run's failure: { class, requirement, message }. */
const failure = (errorClass, requirement, message) => ({ class: errorClass, requirement, message })

/** The directories tempfile tries when it is given none: all outside the preopens (SBX-005.24). */
const TEMP_DIRS = ['/tmp/', '/var/tmp/', '/usr/tmp/']
const TEMP_HINT = " (there is no temporary directory: give tempfile one, dir='/out' or " +
  "tempfile.tempdir = '/out' for scratch files, dropped after the run, or a directory " +
  'under /core, whose files are kept in the new core)'

/** The run's forbidden-operation, naming what was tried, and what to do instead when it was tempfile (SBX-008.2, SBX-005.24). */
function forbiddenFailure (state) {
  const lines = state.stderr.bytes().subarray(-400).toString('utf8').trim().split('\n')
  let what = state.forbidden.join(', ') || JSON.stringify(lines.at(-1).slice(0, 300))
  if (state.forbiddenMore) what += `, and ${state.forbiddenMore} more` // the first 16 named (SBX-008.5)
  if (TEMP_DIRS.some((where) => lines.at(-1).includes(`forbidden: open ${where}`))) what += TEMP_HINT
  return failure('forbidden-operation', 'SBX-008.2', `the program tried a forbidden operation: ${what}`)
}

/** A memory limit the interpreter cannot start in (SBX-006.8). */
const belowFloor = (memory, why) => failure('memory-limit', 'SBX-006.8', `the interpreter cannot start in ${memory} bytes of memory (${why}); it needs about 11 MiB`)

/** Start the interpreter; its exit status, or the failure that ended it (SBX-008.1's first classes). */
function start (state, data) {
  const imports = { ...wasiFunctions(state) }
  const { point, reach, ...pointFunctions } = snapshotPoint(state, data)
  Object.assign(imports, pointFunctions)
  const { snapshot } = data
  let code = 0
  let error = null
  try { // from a snapshot, the memory starts at the snapshot's size (sandbox.mjs: never past the limit)
    const memory = new WebAssembly.Memory(snapshot ? { ...data.memoryPages, initial: snapshot.pages } : data.memoryPages) // the limit is its maximum (SBX-006.2)
    const [module, name] = data.memoryImport
    state.instance = new WebAssembly.Instance(data.module, { wasi_snapshot_preview1: imports, [module]: { [name]: memory } })
  } catch (err) { // no memory of the module's minimum within the limit
    return { code, error: belowFloor(data.limits.memory, String(err.message).slice(0, 120)) }
  }
  state.guest.memory = state.instance.exports.memory
  state.guest.fuel.global = state.instance.exports[data.fuelExport]
  if (snapshot) restore(state, snapshot)
  try {
    if (snapshot) reach(snapshot.runner) // the point, as a cold start reaches it (SBX-003.4)
    else state.instance.exports._start()
  } catch (err) {
    if (err instanceof Taken) throw err
    if (err instanceof ProcExit) {
      code = err.code
    } else if (err instanceof RunEnd) { // a host function's typed end: fuel, trap (SBX-005.19)
      error = state.forbidden.length ? forbiddenFailure(state) : failure(err.errorClass, err.requirement, err.message)
    } else if (err instanceof WebAssembly.RuntimeError || err instanceof RangeError) { // a trap; RangeError: V8's stack overflow
      const outOfFuel = state.guest.fuel.global.value < 0n // the metered code's own check (wasmfuel.mjs)
      const atLimit = state.guest.size + 16 * MIB > data.limits.memory
      if (state.forbidden.length) error = forbiddenFailure(state)
      else if (outOfFuel) error = failure('fuel-exhausted', 'SBX-006.1', 'the run ran out of fuel')
      else if (atLimit) error = failure('memory-limit', 'SBX-006.2', 'the program trapped at its memory limit')
      else if (stackExhausted(state, data, err)) error = failure('stack-exhausted', 'SBX-008.6', 'the interpreter exhausted its stack (deep recursion in C)')
      else error = failure('trap', 'SBX-008.4', `the interpreter trapped: ${String(err.message).slice(0, 200)}`)
    } else {
      throw err // this host's own bug
    }
  }
  if (!point.reached && (error !== null || code !== 0)) error = belowFloor(data.limits.memory, 'its start-up failed') // no program ran yet
  return { code, error }
}

/** Start the interpreter up to the snapshot point and copy it there: `{ snapshot }`, or `{ failure }`. */
function take (data) {
  const stdout = new Bounded(0)
  const stderr = new Bounded(0)
  const state = { fs: startupFilesystem(data, stdout, stderr), guest: new Guest(null, new Fuel(null)), forbidden: [], stderr, instance: null }
  try {
    const { error, code } = start(state, data)
    return { failure: error ?? failure('trap', 'SBX-003.4', `the start-up ended (status ${code}) before the snapshot point`) }
  } catch (err) {
    if (!(err instanceof Taken)) throw err
    if (stdout.overflow || stderr.overflow || state.forbidden.length) { // the reference's takes none then either
      return { failure: failure('trap', 'SBX-003.4', 'the start-up wrote or tried a forbidden operation') }
    }
    return { snapshot: err.snapshot }
  }
}

/** Classify the run in the order of SBX-008.1, or its output. */
function run (data) {
  const stdout = new Bounded(data.limits.output)
  const stderr = new Bounded(data.limits.output)
  const inputs = new Map([['main.py', data.program], ['gritwit_prelude.py', data.prelude], ['transition.json', data.transition]])
  const fs = new Filesystem(mount(data.core), inputs, { budget: data.limits.budget, stdout, stderr })
  const state = { fs, guest: new Guest(null, new Fuel(null)), forbidden: [], stderr, instance: null }
  const { code, error } = start(state, data)
  if (error !== null) return { failure: error }
  const tail = stderr.bytes().subarray(-300).toString('utf8').trim()
  if (state.forbidden.length || code === EXIT_FORBIDDEN) return { failure: forbiddenFailure(state) }
  if (code === EXIT_MEMORY) return { failure: failure('memory-limit', 'SBX-006.2', 'the program ran out of memory (MemoryError)') }
  if (stdout.overflow || stderr.overflow) return { failure: failure('output-too-large', 'SBX-007.2', `the program wrote more than ${data.limits.output} bytes`) }
  if (fs.overflow) return { failure: failure('output-too-large', 'SBX-007.4', "the program's writes to files exceeded the write budget") }
  if (code !== 0) return { failure: failure('program-exit', 'SBX-008.3', `the program exited with status ${code}: ${tail}`) }
  return { stdout: stdout.bytes(), core: unmount(fs.core), sends: fs.outBytes('sends.json') }
}

const { shared, port } = workerData
let answer
try {
  answer = workerData.take ? take(workerData) : run(workerData)
} catch (err) {
  answer = { internal: String(err?.stack ?? err) }
}
port.postMessage(answer)
Atomics.store(shared, 0, 1)
Atomics.notify(shared, 0)
