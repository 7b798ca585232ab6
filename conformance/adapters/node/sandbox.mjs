// The optional `sandbox` profile (ADP-019): untrusted Python runs on CPython for WASI
// under this adapter's own WASI preview 1 host (sandboxworker.mjs, sandboxcalls.mjs,
// sandboxfs.mjs, sandboxguest.mjs): every import of the interpreter is served here, over
// a filesystem in memory, checked before it copies and paid for in fuel (SBX-005,
// SBX-006.5).
//
// The interpreter is the file named by GRITWIT_SANDBOX_PYTHON (the pinned build,
// checked by SHA-256, SBX-002.2); without it the adapter does not claim the profile.
// Each run (SBX-003.1) is a fresh instance in a worker thread, metered for fuel by
// wasmfuel.mjs's rewriting (SBX-006.1) and stopped after 8 s of wall-clock time as a
// backstop (time-limit, SBX-006.10). The core travels to the worker as its entries and
// comes back the same way. A run starts from the process's snapshot of the interpreter
// at the snapshot point (SBX-003.4, taken once, as the reference does), not from
// CPython's start-up, which takes most of a second of the run otherwise.

import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { MessageChannel, Worker, receiveMessageOnPort } from 'node:worker_threads'
import { BadRequest, GritError, fail } from './errors.mjs'
import { compareKeys, fromHex, toHex } from './bytes.mjs'
import { decodeObject, hash } from './codec.mjs'
import { ObjectSpace, blob, fromValue, idOf, tree } from './witobjects.mjs'
import { parseModule } from './wasmbinary.mjs'
import { instrument } from './wasmfuel.mjs'
import { remainingMs, TransitionTimeout } from './deadline.mjs'

export const ENV_PATH = 'GRITWIT_SANDBOX_PYTHON'
const PINNED_SHA256 = 'e5dc5a398b07b54ea8fdb503bf68fb583d533f10ec3f930963e02b9505f7a763' // SBX-002.2
const CHUNK_BYTES = 8 * 1024 * 1024 // SBX-002.3
const MIB = 1024 * 1024
const DEFAULTS = { fuel: 5_000_000_000, memory: 256 * MIB, output: MIB, core: 64 * MIB, sends: MIB } // SBX-006.3, SBX-007
/** A runtime's core limit when it names none: 64 MiB (SBX-007.3, SBX-007.7). */
export const CORE_BYTES = DEFAULTS.core
const MAX_LIMIT = 2 ** 53 - 1

// The host's prelude: the reference's (reference/gritwit/sandbox/_prelude.py), word for
// word. The spec fixes what a program may do and which class each attempt gets
// (SBX-005.6, SBX-008), and the snapshot point (SBX-005.14), not this text; an
// identical copy names forbidden operations the same way (exit 120, MemoryError 121)
// and draws the same start-up randomness before the point.
const PRELUDE = `import os, sys

def _forbid(what, _write=os.write, _exit=os._exit, _str=str, _bytes=bytes):
    try:
        line = "gritwit-sandbox: forbidden: " + _str(what)[:300] + "\\n"
        _write(2, _bytes(line, "utf-8", "replace"))
    finally:
        _exit(120)

_ALLOWED = tuple(p.rstrip("/") for p in ("/core", "/input", "/out", sys.prefix, "/wlr/"))
_EVENTS = ("os.system", "os.exec", "os.fork", "os.forkpty", "os.posix_spawn", "os.spawn",
           "os.kill", "os.killpg", "subprocess.Popen", "socket.__new__", "socket.connect",
           "socket.bind", "socket.getaddrinfo", "pty.spawn", "ctypes.dlopen")
_SETTERS = ("__code__", "__defaults__", "__kwdefaults__")

def _normal(path):
    # the normalised absolute path, by string operations alone (nothing a program can rebind)
    parts = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part and part != ".":
            parts.append(part)
    return "/" + "/".join(parts)

# Everything the hook uses is bound as a default now: no module attribute, global or builtin
# a program can rebind reaches it (SBX-005.21), and its defaults and code cannot be set.
def _hook(event, args, _forbid=_forbid, _normal=_normal, _str=str, _bytes=bytes,
          _int=int, _isinstance=isinstance, _allowed=_ALLOWED, _events=_EVENTS,
          _setters=_SETTERS, _prelude="/input/gritwit_prelude.py", _type=type, _getattr=getattr):
    if event in _events:
        _forbid(event)
    if event == "open":
        path = args[0]
        if _isinstance(path, _bytes):
            path = path.decode("utf-8", "surrogateescape")
        if _isinstance(path, _int):
            return
        if not _isinstance(path, _str):
            _forbid("open of a " + _type(path).__name__ + ", not a path")
        if not _str.startswith(path, "/"):  # str's own, whatever a subclass says
            # relative: it starts from a directory the program holds, a descriptor (dir_fd,
            # which the event does not carry) or the working directory, and the host (or the
            # module's library) resolves it from there, refusing a .. above its preopen
            # (SBX-005.33, SBX-005.8); judged from the working directory, ../../y from a
            # descriptor of /core/a/b, which is /core/y, would pass for /y
            return
        path = _normal(path)
        for allowed in _allowed:
            if path == allowed or path.startswith(allowed + "/"):
                return
        _forbid("open " + path[:200])
    elif event == "object.__setattr__" and args[1] in _setters:
        code = _getattr(args[0], "__code__", None)
        if code is not None and code.co_filename == _prelude:
            _forbid("changing the prelude's " + args[1])

def _stub(name, _forbid=_forbid):
    def stub(*args, **kwargs):
        _forbid(name)
    return stub

for _name in ("system", "popen", "fork", "forkpty", "execv", "execve", "execl", "execle",
              "execlp", "execlpe", "execvp", "execvpe", "spawnl", "spawnle", "spawnv",
              "spawnve", "posix_spawn", "posix_spawnp", "kill", "killpg"):
    setattr(os, _name, _stub("os." + _name))
# with os.fork present the library registers fork handlers; no fork ever happens
os.register_at_fork = lambda **kwargs: None
# On WASI subprocess.Popen raises OSError, and socket.getaddrinfo (create_connection, urllib)
# AttributeError, before their audit events: they are stubbed too.  Importing the modules is
# no attempt (selectors polls once, waiting for nothing).  platform asks \`uname -p\` for the
# processor (and takes the OSError for no): asked here, before the stub, so that
# platform.platform() and platform.processor() are no attempt either.
import platform, socket, subprocess
platform.uname().processor
subprocess.Popen.__init__ = _stub("subprocess.Popen")
socket.getaddrinfo = _stub("socket.getaddrinfo")
sys.addaudithook(_hook)
del _hook, _stub, _forbid, _normal
os.chdir("/core")
del _name

# Warm up what every run would otherwise pay for: the AST types (compile) and the
# modules programs use most (json and base64 for the input); none reads the clock or
# draws randomness when imported (random does: only its own imports are warmed up).
compile("pass", "<prelude>", "exec")
import atexit, gc, time
import base64, bisect, collections, datetime, functools, hashlib, itertools, json, math, re
import string

def _gritwit_main(_exit=os._exit, _sys=sys, _atexit=atexit, _gc=gc):
    status = 0
    namespace = {"__name__": "__main__", "__builtins__": __builtins__}
    try:
        source = open("/input/main.py", encoding="utf-8").read()
        exec(compile(source, "main.py", "exec"), namespace)
    except MemoryError:
        _exit(121)
    except SystemExit as exc:
        if exc.code is None:
            status = 0
        elif isinstance(exc.code, int):
            # a status that is no i32 is still a failure (SBX-008.3)
            status = exc.code if -2**31 <= exc.code < 2**31 else 1
        else:
            try:
                print(exc.code, file=_sys.stderr)
            except BaseException:
                pass
            status = 1
    except BaseException as exc:
        try:
            exc.__traceback__ = exc.__traceback__.tb_next
            _sys.excepthook(type(exc), exc, exc.__traceback__)
        except BaseException:
            pass
        status = 1
    exc = None
    try:
        _atexit._run_exitfuncs()
        namespace.clear()
        _gc.collect()
    except MemoryError:
        _exit(121)
    except BaseException:
        pass
    for stream in (_sys.stdout, _sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    _exit(status)

# What start-up made is never garbage: the collector skips it from here on.
gc.collect()
gc.freeze()

# The snapshot point: the host calls _gritwit_main here and never returns.
_point = id(_gritwit_main).to_bytes(4, "little")
try:
    time.clock_getres(id(_point) + 16)  # the bytes' data: 16 bytes into the object
except OSError:
    pass
_gritwit_main()
`

// --- the interpreter (SBX-002) ----------------------------------------------------------

let held = null // { path, bytes, id }
let compiled = null // { module, minimum }: the host's module, compiled once per process

/** The pinned interpreter, or null when GRITWIT_SANDBOX_PYTHON names none. */
export function interpreter () {
  const path = process.env[ENV_PATH]
  if (!path || !existsSync(path)) return null
  if (held === null || held.path !== path) {
    const bytes = readFileSync(path)
    if (createHash('sha256').update(bytes).digest('hex') !== PINNED_SHA256) return null
    // SBX-002.3: the id of the tree of its 8 MiB chunks, named 000, 001, …
    const entries = []
    for (let at = 0, i = 0; at < bytes.length; at += CHUNK_BYTES, i++) {
      entries.push([String(i).padStart(3, '0'), idOf(blob(bytes.subarray(at, at + CHUNK_BYTES)))])
    }
    held = { path, bytes, id: idOf(tree(entries)) }
  }
  return held
}

function heldOrFail () {
  const found = interpreter()
  if (found === null) fail('unknown-wit', 'SBX-002.1', `no pinned interpreter: set ${ENV_PATH} to python-3.12.0.wasm`)
  return found
}

/** The fuel the interpreter's start-up may use, before the run's own (SBX-006.4). */
const START_UP_FUEL = 3_000_000_000
let meteredBytes = null
let fuelExport = null

/**
 * The interpreter metered as wasmfuel.mjs meters Wasm Wits (WASM-019's costs): a fuel
 * global, charged at the start of each straight-line segment, that traps when negative;
 * with wasmtime's two further rules (`asWasmtime`: a call ends a segment, memory.grow
 * pays its pages), so that a run's fuel is the reference's to the unit (SBX-006.1).
 * Rewritten once (about 2 s); hostModule below makes it the module every run instantiates.
 */
export function metered () {
  if (meteredBytes === null) {
    // Cached on disk, keyed by the interpreter and the metering code: every later
    // adapter process reads it instead of rewriting 26 MB again.
    const key = createHash('sha256').update(PINNED_SHA256).update(readFileSync(new URL('./wasmfuel.mjs', import.meta.url))).update(String(START_UP_FUEL)).digest('hex').slice(0, 32)
    const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'gritwit', 'node-sandbox')
    const file = join(dir, `${key}.wasm`)
    const fuelFile = `${file}.fuel-export`
    try {
      meteredBytes = readFileSync(file)
      fuelExport = readFileSync(fuelFile, 'utf8')
    } catch {
      const out = instrument(parseModule(heldOrFail().bytes), { fuel: START_UP_FUEL, memoryPages: 65536, tableElements: 10_000_000, asWasmtime: true })
      meteredBytes = Buffer.from(out.bytes)
      fuelExport = out.fuelExport
      try {
        mkdirSync(dir, { recursive: true })
        writeFileSync(`${file}.${process.pid}`, meteredBytes)
        renameSync(`${file}.${process.pid}`, file)
        writeFileSync(fuelFile, fuelExport)
      } catch {} // a cache that cannot be written only costs the rewriting again
    }
  }
  return meteredBytes
}

/** Unsigned LEB128 at `at`: [value, next offset]. */
function leb (bytes, at) {
  let value = 0, shift = 0, byte
  do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7 } while (byte & 0x80)
  return [value, at]
}
const uleb = (value) => { const out = []; do { let b = value % 128; value = Math.floor(value / 128); if (value) b |= 0x80; out.push(b) } while (value); return out }
const section = (id, payload) => Buffer.concat([Uint8Array.of(id, ...uleb(payload.length)), payload])

/** The name under which the host's module exports the interpreter's function table. */
const TABLE_EXPORT = '\u0000gritwit-table'
/**
 * The prefix of the names under which it exports the interpreter's own globals, for the
 * snapshot (SBX-003.4). The pinned build has one, the stack pointer, and imports none;
 * wasmfuel.mjs's fuel global comes after it and is exported already.
 */
const GLOBAL_PREFIX = '\u0000gritwit-global-'
/** Where the host's module imports its memory from: [module, name]. */
const MEMORY_IMPORT = ['gritwit', 'memory']
const PAGE = 65536
const name = (text) => { const bytes = Buffer.from(text, 'utf8'); return Buffer.concat([Uint8Array.from(uleb(bytes.length)), bytes]) }

/** A vector section's items with `extra` appended (its count raised by one). */
function appended (bytes, body, end, extra) {
  const [count, p] = leb(bytes, body)
  return Buffer.concat([Uint8Array.from(uleb(count + 1)), bytes.subarray(p, end), extra])
}

/** The module's sections: [id, start, body, end] each. */
function * sections (bytes) {
  for (let at = 8; at < bytes.length;) {
    const [size, body] = leb(bytes, at + 1)
    yield [bytes[at], at, body, body + size]
    at = body + size
  }
}

/** The minimum, in pages, of the module's one memory (WASM-003: one memory). */
function memoryMinimum (bytes) {
  for (const [id, , body] of sections(bytes)) {
    if (id === 5) return leb(bytes, leb(bytes, body)[1] + 1)[0] // count, flags, minimum
  }
  throw new Error('the interpreter defines no memory')
}

/** The number of globals the module defines (its global section's count). */
function globalCount (bytes) {
  for (const [id, , body] of sections(bytes)) if (id === 6) return leb(bytes, body)[0]
  return 0
}

/**
 * Make the engine ready: the host's module compiled and the interpreter's snapshot
 * taken (seconds, once per process). A runtime calls it before a sandboxed
 * transition's bound starts (RUN-005.7 lets a bound start when the transition's turn
 * on the engine comes), so the first transition of a process is not failed for the
 * engine's start-up.
 */
export function sandboxReady () {
  if (interpreter() !== null) snapshotOf()
}

/**
 * The host's module: the metered interpreter with its memory imported instead of defined
 * (MEMORY_IMPORT, of the module's minimum and no maximum), so that one compiled module
 * serves every memory limit, each run's memory having the limit as its maximum
 * (SBX-006.2: V8 then refuses to grow past it, as wasmtime's store limit does for the
 * reference); its function table exported (TABLE_EXPORT), and its globals but the fuel
 * (GLOBAL_PREFIX), for the snapshot. Compiled once.
 */
function hostModule () {
  if (compiled !== null) return compiled
  const bytes = metered()
  const minimum = memoryMinimum(bytes)
  const parts = [bytes.subarray(0, 8)]
  for (const [id, start, body, end] of sections(bytes)) {
    if (id === 2) {
      const memory = Buffer.concat([name(MEMORY_IMPORT[0]), name(MEMORY_IMPORT[1]), Uint8Array.of(2, 0, ...uleb(minimum))])
      parts.push(section(2, appended(bytes, body, end, memory)))
    } else if (id === 7) {
      const own = globalCount(bytes) - 1 // the last is the fuel global (wasmfuel.mjs)
      const globals = Array.from({ length: own }, (_, i) => Buffer.concat([name(GLOBAL_PREFIX + i), Uint8Array.of(3, ...uleb(i))]))
      let exports = bytes.subarray(body, end)
      for (const extra of [Buffer.concat([name(TABLE_EXPORT), Uint8Array.of(1, 0)]), ...globals]) {
        exports = appended(exports, 0, exports.length, extra)
      }
      parts.push(section(7, exports))
    } else if (id !== 5) { // the memory section: the memory is imported instead
      parts.push(bytes.subarray(start, end))
    }
  }
  compiled = { module: new WebAssembly.Module(Buffer.concat(parts)), minimum }
  return compiled
}

// --- the transition input (SBX-003.3, SBX-010.4) ----------------------------------------

/** Python's json.dumps(value, sort_keys=True, separators=(",", ":")): keys by code point, \u escapes. */
function pythonJson (value) {
  if (value === null) return 'null'
  if (value === true) return 'true'
  if (value === false) return 'false'
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : JSON.stringify(value) // floats: JS's repr (README)
  if (typeof value === 'string') {
    let out = '"'
    for (const ch of value) {
      const c = ch.codePointAt(0)
      if (ch === '"') out += '\\"'
      else if (ch === '\\') out += '\\\\'
      else if (ch === '\n') out += '\\n'
      else if (ch === '\r') out += '\\r'
      else if (ch === '\t') out += '\\t'
      else if (ch === '\b') out += '\\b'
      else if (ch === '\f') out += '\\f'
      else if (c < 0x20 || c > 0x7e) {
        for (let i = 0; i < ch.length; i++) out += '\\u' + ch.charCodeAt(i).toString(16).padStart(4, '0')
      } else out += ch
    }
    return out + '"'
  }
  if (Array.isArray(value)) return '[' + value.map(pythonJson).join(',') + ']'
  const byCodePoint = (a, b) => { const x = [...a].map((c) => c.codePointAt(0)), y = [...b].map((c) => c.codePointAt(0)); for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i]; return x.length - y.length }
  return '{' + Object.keys(value).sort(byCodePoint).map((k) => pythonJson(k) + ':' + pythonJson(value[k])).join(',') + '}'
}

// --- the core as a directory (SBX-004) --------------------------------------------------
// The run's filesystem lives in the worker (sandboxfs.mjs); the core travels there and
// back as its entries, [depth, name, bytes or null for a directory], depth first, a
// tree's entries in its own order on the way in (the order a directory's entries were
// made) and in the order of their names' UTF-8 bytes on the way out. No entry carries
// its path, and the way back walks the mounted tree beside the new one: the host holds a
// core in memory linear in its size, whatever its depth (SBX-006.14).

/** The most entries a core may expand to, mounted or read back (SBX-006.15): 2**18. */
const MAX_CORE_ENTRIES = 1 << 18

const tooManyEntries = () => fail('output-too-large', 'SBX-006.15', `the core expands to more than ${MAX_CORE_ENTRIES} entries: refused before it is mounted`)

/**
 * The entries `core` expands to and its files' bytes (each blob at each path it is
 * reached by), counted over its distinct trees (each tree's sums kept by its id), before
 * anything of it is mounted: past MAX_CORE_ENTRIES (SBX-006.15) or past `maxBytes`
 * (SBX-006.16) → output-too-large, the walk stopped as soon as a sum passes, in time
 * linear in the distinct trees' entries whatever the expansion.
 */
function countEntries (space, core, maxBytes = Infinity) {
  const counts = new Map()
  const tooManyBytes = () => fail('output-too-large', 'SBX-006.16', `the core's files hold more than the core limit of ${maxBytes} bytes: refused before it is mounted`)
  const frames = [{ id: core, entries: [...space.get(core).entries.values()], next: 0, total: 0, bytes: 0 }]
  let open = 0 // the bytes of the frames still being walked: a pop moves a child's into its parent
  while (frames.length) {
    const frame = frames.at(-1)
    if (frame.next === frame.entries.length) {
      frames.pop()
      counts.set(frame.id, [frame.total, frame.bytes])
      if (!frames.length) break
      frames.at(-1).total += frame.total
      frames.at(-1).bytes += frame.bytes
      if (frames.at(-1).total > MAX_CORE_ENTRIES) tooManyEntries()
      continue
    }
    const id = frame.entries[frame.next++]
    frame.total += 1
    const known = counts.get(id)
    if (known !== undefined) {
      frame.total += known[0]
      frame.bytes += known[1]
      open += known[1]
    } else {
      const obj = space.get(id)
      if (obj.type === 'tree') frames.push({ id, entries: [...obj.entries.values()], next: 0, total: 0, bytes: 0 })
      else if (obj.type === 'blob') {
        frame.bytes += obj.data.length
        open += obj.data.length
        counts.set(id, [0, obj.data.length])
      }
    }
    if (frame.total > MAX_CORE_ENTRIES) tooManyEntries()
    if (open > maxBytes) tooManyBytes()
  }
  return counts.get(core)[0]
}

/** The core's entries, depth first (SBX-004.1), once their count is within the bound (SBX-006.15). */
function mountFiles (space, core, maxBytes = Infinity) {
  const items = []
  if (core === null) return items
  if (space.get(core).type !== 'tree') fail('invalid-transition', 'SBX-004.1', 'the core is not a tree')
  countEntries(space, core, maxBytes)
  const stack = [[-1, '', core]]
  while (stack.length) {
    const [depth, name, id] = stack.pop()
    const obj = space.get(id)
    if (obj.type === 'tree') {
      if (depth >= 0) items.push([depth, name, null])
      const entries = [...obj.entries].sort(([a], [b]) => compareKeys(a, b)) // ENC-010: the tree's order
      for (const [child, childId] of entries.reverse()) stack.push([depth + 1, child, childId])
    } else if (obj.type === 'blob') {
      items.push([depth, name, obj.data])
    } else {
      fail('invalid-transition', 'SBX-004.1', `core entry ${JSON.stringify(name.slice(0, 200))} is neither a tree nor a blob`)
    }
  }
  return items
}

/** `obj` put into `space`; one too large for an object (ENC-013) → output-too-large (SBX-007.6). */
function putOutput (space, obj, where) {
  try {
    return space.put(obj)
  } catch (err) {
    if (err instanceof GritError && err.errorClass === 'too-large') {
      fail('output-too-large', 'SBX-007.6', `${JSON.stringify(where().slice(0, 200))} is larger than one object can hold (16 MiB, ENC-013)`)
    }
    throw err
  }
}

/**
 * The new core: the entries the run left as a tree put into `space` (SBX-004.2), null
 * when no file is left; output-too-large past `limit` bytes of file data (SBX-007.3). A
 * file whose bytes equal the blob mounted at the same path keeps that blob's id
 * (SBX-004.3): each open directory keeps the tree mounted at its path, if one was.
 */
function unmountFiles (space, items, core, limit) {
  let budget = limit
  const tree0 = core === null ? null : space.get(core)
  const open = [{ name: '', entries: [], old: tree0 }]
  const where = (name) => () => [...open.slice(1).map((frame) => frame.name), name].join('/').slice(0, 200) || '/core'
  const close = () => {
    const { name, entries } = open.pop()
    if (entries.length) open.at(-1).entries.push([name, putOutput(space, tree(entries), where(name))])
  }
  const oldEntry = (name, type) => {
    const id = open.at(-1).old?.entries.get(name)
    if (id === undefined) return null
    const obj = space.get(id)
    return obj.type === type ? { id, obj } : null
  }
  if (items.length > MAX_CORE_ENTRIES) fail('output-too-large', 'SBX-006.15', `the core left in the mount has more than ${MAX_CORE_ENTRIES} entries`)
  for (const [depth, name, data] of items) {
    while (open.length > depth + 1) close()
    if (data === null) {
      open.push({ name, entries: [], old: oldEntry(name, 'tree')?.obj ?? null })
      continue
    }
    budget -= data.length
    if (budget < 0) fail('output-too-large', 'SBX-007.3', 'the files left in the mount exceed the core limit')
    const before = oldEntry(name, 'blob')
    const same = before !== null && Buffer.from(before.obj.data).equals(data)
    open.at(-1).entries.push([name, same ? before.id : putOutput(space, blob(data), where(name))])
  }
  while (open.length > 1) close()
  return open[0].entries.length ? putOutput(space, tree(open[0].entries), () => '/core') : null
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** A header name or value: a JSON string that is text, so no lone surrogate (SBX-004.5). */
const isText = (value) => typeof value === 'string' && value.isWellFormed()

/** The sends declared in /out/sends.json (SBX-004.5); none if the file is absent. */
function readSends (bytes, limit) {
  if (bytes === null) return []
  if (bytes.length > limit) fail('output-too-large', 'SBX-007.3', '/out/sends.json exceeds the sends limit')
  const bad = (why) => fail('invalid-transition', 'SBX-004.5', `/out/sends.json is malformed: ${why}`)
  let items
  try { items = JSON.parse(strictUtf8.decode(bytes)) } catch (err) { bad(err.message) } // also one nested too deep
  if (!Array.isArray(items)) bad('not a list')
  const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value)
  // a send's or a tree entry's headers and data, the data as hex (SBX-004.5)
  const headersAndData = (item) => {
    const headers = 'headers' in item ? item.headers : {} // null is no omission (SBX-004.5)
    if (!isObject(headers)) bad('headers map text to text')
    if (!Object.entries(headers).every(([name, value]) => isText(name) && isText(value))) bad('headers map text to text (no lone surrogate)')
    const data = 'data' in item ? item.data : '' // null is no omission (SBX-004.5)
    if (typeof data !== 'string' || !B64.test(data)) bad('data is not base64 text')
    return { headers, data: Buffer.from(data, 'base64').toString('hex') }
  }
  return items.map((item) => {
    if (!isObject(item) || Object.keys(item).some((k) => !['to', 'headers', 'data', 'tree'].includes(k))) bad('a send is an object with to, headers, data or tree')
    if ('data' in item && 'tree' in item) bad('a send has data or tree, not both')
    const { headers, data } = headersAndData(item)
    if (typeof item.to !== 'string' || fromHex(item.to) === null || item.to.length !== 64) bad('to is not an id')
    if (!('tree' in item)) return { to: item.to, headers, data }
    // SBX-012.5: a tree of blobs, each entry's headers and data
    if (!isObject(item.tree)) bad('tree is an object of entry names')
    const tree = {}
    for (const [name, entry] of Object.entries(item.tree)) {
      if (!isText(name) || !isObject(entry) || Object.keys(entry).some((k) => !['headers', 'data'].includes(k))) bad('a tree entry is an object with headers and data')
      tree[name] = headersAndData(entry)
    }
    return { to: item.to, headers, tree }
  })
}

// --- one run ----------------------------------------------------------------------------

const WORKER = new URL('./sandboxworker.mjs', import.meta.url)
/**
 * Fuel bounds a run (SBX-006.1) and its host work (SBX-006.5); a bound of wall-clock time
 * backs them up, so that no run outlives the harness's time-out (10 s) however much fuel
 * it was given. A run it stops fails → time-limit (SBX-006.10).
 */
const BUDGET_MS = 8000

/**
 * Run the interpreter in a worker; its answer, or null when it outlived BUDGET_MS. Run
 * as a runtime's transition, it is also stopped when the attempt's bound passes
 * (RUN-005.7, deadline.mjs): the attempt fails then, and the run is ended (SBX-006.11).
 */
function execute (data) {
  const shared = new Int32Array(new SharedArrayBuffer(4)) // [done]
  const { port1, port2 } = new MessageChannel()
  const worker = new Worker(WORKER, { workerData: { ...data, shared, port: port2 }, transferList: [port2] })
  const bound = Math.min(BUDGET_MS, remainingMs())
  const waited = Atomics.wait(shared, 0, 0, Math.max(bound, 0))
  const answer = waited === 'timed-out' ? null : receiveMessageOnPort(port1)?.message
  worker.terminate()
  port1.close()
  if (answer === null && bound < BUDGET_MS) throw new TransitionTimeout('the sandboxed transition overran its bound (RUN-005.7)')
  if (answer === undefined) throw new Error('the sandbox worker ended without an answer')
  if (answer?.internal) throw new Error(`the sandbox worker failed: ${answer.internal}`)
  return answer
}

/** What every worker is given: the compiled module and how it is linked. */
const engine = ({ module, minimum }, pages) => ({
  module,
  fuelExport,
  tableExport: TABLE_EXPORT,
  globalPrefix: GLOBAL_PREFIX,
  memoryImport: MEMORY_IMPORT,
  memoryPages: { initial: minimum, maximum: pages },
  prelude: Buffer.from(PRELUDE, 'utf8')
})

let snapshot // the process's snapshot (SBX-003.4): undefined until taken, null if it cannot be

/**
 * The interpreter at the snapshot point, taken once per process, or null: a start-up in
 * a worker of its own, with the default memory limit, stopped at the point (seconds the
 * first time: V8 compiles the functions start-up runs). Every run restored from it
 * skips CPython's start-up, and runs what a cold run runs from the point (SBX-003.4).
 */
function snapshotOf () {
  if (snapshot !== undefined) return snapshot
  const answer = execute({ ...engine(hostModule(), DEFAULTS.memory / PAGE), take: true, seed: Buffer.alloc(32), limits: { fuel: 0 } })
  if (answer === null) return null // out of time (a loaded machine): cold runs, and another try next time
  snapshot = answer.snapshot ?? null
  return snapshot
}

function run (space, program, core, messages, limits) {
  const host = hostModule()
  const pages = Math.min(Math.floor(limits.memory / PAGE), PAGE) // SBX-006.2: the memory's maximum
  if (pages < host.minimum) fail('memory-limit', 'SBX-006.8', `the interpreter cannot start in ${limits.memory} bytes of memory (its minimum is ${host.minimum * PAGE / MIB} MiB); it needs about 11 MiB`)
  const image = snapshotOf()
  const transition = Buffer.from(pythonJson({ format: 'gritwit-sandbox/1', core, messages }))
  const source = Buffer.from(program, 'utf8')
  const seed = createHash('sha256').update(Buffer.concat([Buffer.from('gritwit-sandbox/1\0'), source, Buffer.from('\0'), transition])).digest()
  const files = mountFiles(space, core, limits.core) // SBX-006.16: before the interpreter starts
  const answer = execute({
    ...engine(host, pages),
    snapshot: image !== null && image.pages <= pages ? image : null, // else cold, as the reference (SBX-006.2)
    seed,
    program: source,
    transition,
    core: files,
    limits: { fuel: limits.fuel, memory: limits.memory, output: limits.output, budget: limits.core + limits.sends } // SBX-007.4
  })
  if (answer === null) fail('time-limit', 'SBX-006.10', `the run was stopped after ${BUDGET_MS / 1000} s of wall-clock time`)
  if (answer.failure) fail(answer.failure.class, answer.failure.requirement, answer.failure.message)
  const newCore = unmountFiles(space, answer.core, core, limits.core)
  const sends = readSends(answer.sends, limits.sends)
  return { stdout: toHex(answer.stdout), core: newCore, sends }
}

// --- the commands -----------------------------------------------------------------------

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)

/** The objects a core reaches, as hex encodings in ascending id order (ADP-019.2). */
function reachable (space, core) {
  const seen = new Map()
  const todo = core === null ? [] : [core]
  while (todo.length) {
    const id = todo.pop()
    if (seen.has(id)) continue
    seen.set(id, toHex(space.bytes(id)))
    const obj = space.get(id)
    if (obj.type === 'tree') todo.push(...obj.entries.values())
  }
  return [...seen.keys()].sort().map((id) => seen.get(id))
}

export function sandboxCommands ({ idArg, stringArg }) {
  return {
    'sandbox-info' () { return { interpreter: heldOrFail().id } },

    'sandbox-run' (args) { // ADP-019.3: the arguments in the table's order
      const program = stringArg(args, 'program')
      if (!program.isWellFormed()) throw new BadRequest('program holds a lone surrogate')
      const core = args.core === undefined || args.core === null ? null : idArg(args, 'core')
      const objects = args.objects ?? []
      if (!Array.isArray(objects) || objects.some((o) => typeof o !== 'string' || o.length % 2 || !/^[0-9a-f]*$/.test(o))) throw new BadRequest('objects must be a list of lowercase hex')
      const messages = args.messages ?? []
      if (!Array.isArray(messages) || !messages.every(isObject)) throw new BadRequest('messages must be a list of JSON objects')
      const wellFormed = (v) => (typeof v === 'string' ? v.isWellFormed() : v !== null && typeof v === 'object' ? Object.entries(v).every(([k, x]) => k.isWellFormed() && wellFormed(x)) : true)
      if (!wellFormed(messages)) throw new BadRequest('messages hold a lone surrogate')
      const given = args.limits ?? {}
      if (!isObject(given)) throw new BadRequest('limits must be an object')
      for (const [key, value] of Object.entries(given)) {
        if (!Object.hasOwn(DEFAULTS, key)) throw new BadRequest(`unknown limit ${key}`)
        if (!Number.isSafeInteger(value) || value < 1 || value > MAX_LIMIT) throw new BadRequest(`limit ${key} must be an integer from 1 to 2**53 - 1`)
      }
      const limits = { ...DEFAULTS, ...given }
      const wanted = args.interpreter === undefined || args.interpreter === null ? null : idArg(args, 'interpreter')
      const { id } = heldOrFail()
      if (wanted !== null && wanted !== id) fail('unknown-wit', 'SBX-002.1', `this host holds the interpreter ${id}`)
      const space = new ObjectSpace()
      for (const hex of objects) {
        const bytes = fromHex(hex)
        const obj = fromValue(decodeObject(bytes)) // strict decoding: the codec's class (ID-004)
        space.putEncoded(toHex(hash(bytes)), bytes, obj)
      }
      if (core !== null) { // every object the core reaches is given, trees and blobs only
        // each distinct tree once, a name per frame; the path is joined for a message only
        // (SBX-006.15): a DAG core is checked in time linear in its objects
        if (space.get(core).type !== 'tree') fail('invalid-transition', 'SBX-004.1', 'the core is neither a tree nor a blob')
        const walked = new Set([core])
        const frames = [{ name: 'the core', entries: [...space.get(core).entries], next: 0 }]
        while (frames.length) {
          const frame = frames.at(-1)
          if (frame.next === frame.entries.length) { frames.pop(); continue }
          const [name, id] = frame.entries[frame.next++]
          if (walked.has(id)) continue
          const obj = space.get(id)
          if (obj.type === 'tree') {
            walked.add(id)
            frames.push({ name, entries: [...obj.entries], next: 0 })
          } else if (obj.type !== 'blob') {
            const where = [...frames.map((f) => f.name), name].join('/').slice(0, 300)
            fail('invalid-transition', 'SBX-004.1', `${where} is neither a tree nor a blob`)
          }
        }
      }
      const result = run(space, program, core, messages, limits)
      return { stdout: result.stdout, core: result.core, sends: result.sends, objects: reachable(space, result.core) }
    }
  }
}

// --- Python programs as actors' Wits (ADP-019.7; SBX-010 … SBX-015) ----------------------

export const PYTHON_RUNTIME = 'python-wasi'
const CODE_ENTRIES = ['wit', 'wit_update'] // SBX-011.1: not mounted, kept unchanged
const OUTSIDE = '0'.repeat(64)

/** The `wit` blob of a program (SBX-001): its UTF-8, the interpreter, runtime and version. */
export function pythonWitBlob (program) {
  if (!program.isWellFormed()) throw new BadRequest('program holds a lone surrogate')
  return blob(new TextEncoder().encode(program), [['interpreter', heldOrFail().id], ['runtime', PYTHON_RUNTIME], ['sandbox', '1']])
}

/** The program of a `python-wasi` wit blob, or unknown-wit (SBX-001.1 … SBX-001.4, SBX-002.1). */
function programOf (wit) {
  if (wit.headers.get('sandbox') !== '1') fail('unknown-wit', 'SBX-001.4', 'an unknown sandbox version')
  const named = wit.headers.get('interpreter')
  if (named === undefined) fail('unknown-wit', 'SBX-001.4', 'the blob names no interpreter')
  if (named !== heldOrFail().id) fail('unknown-wit', 'SBX-002.1', `this host does not hold the interpreter ${named}`)
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(wit.data)
  } catch {
    fail('unknown-wit', 'SBX-001.2', 'the program is not UTF-8')
  }
}

/** The input bound: most bytes of `messages` objects one transition is handed (SBX-010.5). */
const INPUT_BYTES = 24 * 1024 * 1024
const textOf = (sender) => (sender === null ? OUTSIDE : sender)

/**
 * The messages a transition is handed, senders in id order and each one's oldest first
 * (SBX-010.2), and how many of each sender's (SBX-012.1): in rounds, the k-th message of
 * each sender, the senders from the first whose id is at least the last step's (the
 * actor's for a first transition), wrapping; a message is handed when its object's bytes
 * fit what the bound leaves, and one that does not ends its sender's part (SBX-010.5). A
 * message larger than the bound alone is handed omitted (SBX-010.6).
 */
function handed (reader, inp) {
  const senders = [...inp.pending.keys()].sort((a, b) => (textOf(a) < textOf(b) ? -1 : textOf(a) > textOf(b) ? 1 : 0))
  const start = inp.lastId ?? inp.actor
  let at = senders.findIndex((sender) => textOf(sender) >= start)
  if (at < 0) at = 0
  const order = [...senders.slice(at), ...senders.slice(0, at)]
  const taken = new Map(senders.map((sender) => [sender, []]))
  let left = INPUT_BYTES
  let open = order.filter((sender) => inp.pending.get(sender).length > 0)
  for (let k = 0; open.length; k++) {
    const still = []
    for (const sender of open) {
      const { id, message } = inp.pending.get(sender)[k]
      const content = reader.has(message.content) ? reader.get(message.content) : null
      const isBlob = content !== null && content.type === 'blob'
      const entry = { id, from: textOf(sender), headers: Object.fromEntries(message.headers), content: message.content, data: null }
      let size = pythonJson({ ...entry, data: isBlob ? '' : null }).length + (isBlob ? 4 * Math.ceil(content.data.length / 3) : 0)
      let omitted = null
      if (size > INPUT_BYTES) {
        omitted = { ...entry, headers: {}, data: null, omitted: 'too-large', size }
        size = pythonJson(omitted).length
      }
      if (size > left) continue // its sender's part ends here
      left -= size // judged before the data is encoded
      taken.get(sender).push(omitted ?? { ...entry, data: isBlob ? Buffer.from(content.data).toString('base64') : null })
      if (k + 1 < inp.pending.get(sender).length) still.push(sender)
    }
    open = still
  }
  const messages = []
  const read = new Map()
  for (const sender of senders) {
    const entries = taken.get(sender)
    if (entries.length) read.set(sender, entries.length)
    messages.push(...entries)
  }
  return { messages, read }
}

/** Thrown by `boundCore`'s reader for an object the core reaches that is absent. */
const ABSENT = Symbol('absent')

/**
 * SBX-006.17: a core that this runtime's `python-wasi` runs could not mount — its `wit` a
 * `python-wasi` blob and what SBX-011.1 would mount of it past SBX-006.15's entries or
 * SBX-006.16's bytes under the runtime's core limit `coreBytes` (SBX-007.7) — is refused → too-large under `rule`, where
 * it enters (a genesis, an update's new core, an import's head). The walk is the mount's
 * (`countEntries`), over the distinct trees `reader` (`has`, `get`) holds; a core that
 * reaches an absent object is left to the transition's own checks (WIT-007.5).
 */
export function boundCore (reader, core, rule, what, coreBytes = CORE_BYTES) {
  const witId = core.entries.get('wit')
  const wit = witId !== undefined && reader.has(witId) ? reader.get(witId) : null
  if (wit === null || wit.type !== 'blob' || wit.headers.get('runtime') !== PYTHON_RUNTIME) return
  const state = [...core.entries].filter(([name]) => !CODE_ENTRIES.includes(name))
  if (!state.length) return
  const top = tree(state)
  const topId = idOf(top)
  const mounted = {
    get (id) {
      if (id === topId) return top
      if (!reader.has(id)) throw ABSENT
      return reader.get(id)
    }
  }
  try {
    countEntries(mounted, topId, coreBytes) // SBX-007.7: the runtime's limit
  } catch (err) {
    if (err === ABSENT) return
    if (err instanceof GritError && err.errorClass === 'output-too-large') fail('too-large', rule, `${what}: ${err.message}`)
    throw err
  }
}

/**
 * SBX-006.18: an imported head's core that this runtime's runs could not mount is
 * refused → too-large, before anything of the bundle is stored: SBX-006.17's walk over
 * the bundle's decoded objects, read by `get`, under the importing runtime's core limit
 * `coreBytes` (SBX-007.7).
 */
export function boundImportedCore (get, core, coreBytes = CORE_BYTES) {
  const reader = { has: (id) => get(id) !== undefined, get }
  boundCore(reader, core, 'SBX-006.18', "the head's core", coreBytes)
}

/**
 * The Wit running a `python-wasi` blob: one run per transition (SBX-010.1), under the
 * runtime's core limit `coreBytes` (SBX-007.7): its mount, its write budget and what it leaves.
 */
export function pythonWit (witBlob, coreBytes = CORE_BYTES) {
  const limits = { ...DEFAULTS, core: coreBytes }
  const program = programOf(witBlob)
  const wit = (inp) => {
    const reader = inp.objects
    const { messages, read } = handed(reader, inp) // SBX-010.2, SBX-010.5, SBX-010.6
    // SBX-011.1: the mount is the core without its code entries
    const scratch = new ObjectSpace()
    const state = [...inp.core.entries].filter(([name]) => !CODE_ENTRIES.includes(name))
    let mounted = null
    if (state.length) {
      const todo = state.map(([, id]) => id)
      while (todo.length) {
        const id = todo.pop()
        if (scratch.has(id)) continue
        const obj = reader.get(id)
        scratch.put(obj)
        if (obj.type === 'tree') todo.push(...obj.entries.values())
      }
      mounted = scratch.put(tree(state))
    }
    const result = run(scratch, program, mounted, messages, limits)
    const entries = new Map()
    if (result.core !== null) {
      const left = scratch.get(result.core)
      for (const name of CODE_ENTRIES) {
        if (left.entries.has(name)) fail('invalid-transition', 'SBX-011.2', `the run left an entry ${name}`)
      }
      for (const [name, id] of left.entries) entries.set(name, id)
    }
    for (const name of CODE_ENTRIES) if (inp.core.entries.has(name)) entries.set(name, inp.core.entries.get(name))
    // the new objects: what the new state reaches that the reader does not hold (WIT-007.3)
    const newObjects = []
    const todo = result.core === null ? [] : [...scratch.get(result.core).entries.values()]
    const seen = new Set()
    while (todo.length) {
      const id = todo.pop()
      if (seen.has(id) || reader.has(id)) continue
      seen.add(id)
      const obj = scratch.get(id)
      newObjects.push(obj)
      if (obj.type === 'tree') todo.push(...obj.entries.values())
    }
    // SBX-012.2, SBX-012.3: each send queued, its content a new blob of its data
    const sends = result.sends.map((s) => {
      if (s.headers.mt === 'genesis' || s.headers.mt === 'update') fail('invalid-transition', 'SBX-012.3', `a program cannot send ${s.headers.mt}`)
      if (Object.hasOwn(s.headers, '')) fail('invalid-transition', 'SBX-012.3', 'a send with an empty header name, which no message can carry (OBJ-006.2)')
      let content
      try { // SBX-012.2, SBX-012.5: a blob of its data, or a tree of blobs
        if (s.tree === undefined) {
          content = blob(fromHex(s.data))
        } else {
          const entries = []
          for (const [name, entry] of Object.entries(s.tree)) {
            const part = blob(fromHex(entry.data), Object.entries(entry.headers))
            entries.push([name, idOf(part)])
            newObjects.push(part)
          }
          content = tree(entries)
        }
        idOf(content)
      } catch (err) { // a name no tree holds, headers no blob carries, no entry: malformed
        if (err instanceof GritError) fail('invalid-transition', 'SBX-004.5', `a send's content: ${err.message}`)
        throw err
      }
      newObjects.push(content)
      return { recipient: s.to, content: idOf(content), headers: new Map(Object.entries(s.headers)), signal: false }
    })
    return { core: tree(entries), read, sends, newObjects }
  }
  wit.query = () => fail('unknown-query', 'SBX-014.1', 'a python-wasi actor answers no query')
  return wit
}
