// One sandboxed run in a worker thread (sandbox.mjs): a fresh interpreter instance
// under node:wasi, with the clock, randomness, polling and sockets replaced so that
// a run sees only what SBX-005 allows. The result goes back through shared memory,
// so that the adapter can stop waiting when the run outlives its budget.

import { WASI } from 'node:wasi'
import { workerData } from 'node:worker_threads'
import { closeSync, lstatSync, openSync, readdirSync, statSync } from 'node:fs'
import { createHash } from 'node:crypto'

const { module, root, seed, memory: limit, budget, shared, fuel, fuelExport } = workerData
const runSeed = Buffer.from(seed)
const ENOTSUP = 58
const FIXED_NS = 946684800n * 1000000000n // SBX-005.4: 2000-01-01T00:00:00Z

closeSync(openSync(`${root}/stdin`, 'w')) // empty, and read-only for the program (SBX-005.2)
const files = ['stdin', 'stdout', 'stderr'].map((name, i) => openSync(`${root}/${name}`, i === 0 ? 'r' : 'a'))
const wasi = new WASI({
  version: 'preview1',
  args: ['python', '-I', '-S', '-B', '/input/gritwit_prelude.py'], // SBX-005.2
  env: {},
  preopens: { '/core': `${root}/core`, '/input': `${root}/input`, '/out': `${root}/out` }, // SBX-005.1
  stdin: files[0],
  stdout: files[1],
  stderr: files[2],
  returnOnExit: true
})

let instance = null
const view = () => new DataView(instance.exports.memory.buffer)
// SBX-005.14: before the snapshot point the start-up stream, from it on the run's.
let stream = createHash('sha256').update('gritwit-sandbox/1 start-up').digest()
let counter = 0n
let pending = Buffer.alloc(0)
/** SHA-256(seed ‖ n), n as 8 bytes little-endian, as one stream (SBX-005.5). */
function random (length) {
  while (pending.length < length) {
    const n = Buffer.alloc(8)
    n.writeBigUInt64LE(counter++)
    pending = Buffer.concat([pending, createHash('sha256').update(Buffer.concat([stream, n])).digest()])
  }
  const out = pending.subarray(0, length)
  pending = pending.subarray(length)
  return out
}
const forbidden = () => { shared[2] = 1; return ENOTSUP } // SBX-005.3

// SBX-005.23: a poll that waits for nothing — every subscription (one at least) a clock
// subscription on one of WASI's four clocks, due at the fixed time (a relative timeout
// of 0, or an absolute time not after it) — answers one clock event per subscription,
// in order; any other poll is forbidden (SBX-005.3).
function pollOneoff (inPtr, outPtr, count, countPtr) {
  const v = view()
  if (count === 0) return forbidden()
  for (let i = 0; i < count; i++) {
    const at = inPtr + 48 * i
    const abstime = (v.getUint16(at + 40, true) & 1) === 1
    const timeout = v.getBigUint64(at + 24, true)
    const due = abstime ? timeout <= FIXED_NS : timeout === 0n
    if (v.getUint8(at + 8) !== 0 || v.getUint32(at + 16, true) >= 4 || !due) return forbidden()
  }
  for (let i = 0; i < count; i++) {
    const event = outPtr + 32 * i
    for (let k = 0; k < 32; k += 8) v.setBigUint64(event + k, 0n, true)
    v.setBigUint64(event, v.getBigUint64(inPtr + 48 * i, true), true) // userdata
  }
  v.setUint32(countPtr, count, true)
  return 0
}

const imports = wasi.getImportObject()
const preview1 = imports.wasi_snapshot_preview1
// Node 20's WASI functions, imported as they are, abort the process (SIGABRT) once the
// guest's memory has grown past a few MiB (their fast calls keep a stale view of the
// memory); called through a JavaScript function they take the slow path and work.
for (const [name, real] of Object.entries(preview1)) preview1[name] = (...args) => real(...args)
const ENOTCAPABLE = 76
const EROFS = 69
const EXDEV = 75
const INPUT_FD = 4 // SBX-005.10: the preopens are 3 /core, 4 /input, 5 /out
const PREOPENS = new Set([3, 4, 5])
// SBX-005.8: a path that leads out of its preopen is refused by uvwasi (ENOTCAPABLE);
// the attempt ends the run. SBX-005.9: /input holds no directory, so a path_* call on
// descriptor 4 is the only way to change it.
const EILSEQ = 25
// Where each path_* function has its path (pointer, length): a name that is not UTF-8
// can be no tree entry (OBJ-011), so it is refused with EILSEQ, as the reference does.
const PATH_AT = { path_open: 2, path_create_directory: 1, path_remove_directory: 1, path_unlink_file: 1, path_filestat_get: 2, path_filestat_set_times: 2, path_readlink: 1 }
const utf8 = new TextDecoder('utf-8', { fatal: true })
const notText = (ptr, len) => {
  try {
    utf8.decode(new Uint8Array(instance.exports.memory.buffer, ptr, len))
    return false
  } catch {
    return true
  }
}
const guarded = (name, touchesInput) => {
  const real = preview1[name]
  const at = PATH_AT[name]
  preview1[name] = (...args) => {
    if (notText(args[at], args[at + 1])) return EILSEQ
    if (touchesInput(...args)) return EROFS
    const errno = real(...args)
    if (errno === ENOTCAPABLE) shared[2] = 1
    return errno
  }
}
const never = () => false
const onInput = (fd) => fd === INPUT_FD
// Opening to create or truncate; the interpreter asks every right for every file, so an
// open for writing without either (os.open(path, os.O_WRONLY)) is not told apart here.
guarded('path_open', (fd, dirflags, ptr, len, oflags) => fd === INPUT_FD && (oflags & 9) !== 0) // O_CREAT, O_TRUNC
guarded('path_create_directory', onInput)
guarded('path_remove_directory', onInput)
guarded('path_unlink_file', onInput)
guarded('path_filestat_get', never)
guarded('path_filestat_set_times', never)
guarded('path_readlink', never)
const rename = preview1.path_rename
preview1.path_rename = (fd, ptr, len, newFd, newPtr, newLen) => {
  if (notText(ptr, len) || notText(newPtr, newLen)) return EILSEQ
  if (normalise('', pathText(ptr, len)) === '/') return 10 // EBUSY: the directory itself, as POSIX has it
  if (fd !== newFd && PREOPENS.has(fd) && PREOPENS.has(newFd)) return EXDEV
  if (fd === INPUT_FD || newFd === INPUT_FD) return EROFS
  const errno = rename(fd, ptr, len, newFd, newPtr, newLen)
  if (errno === ENOTCAPABLE) shared[2] = 1
  return errno
}
// SBX-005.7, SBX-005.11 … SBX-005.13: what a program reads about files depends on the
// path alone. Each descriptor's guest path is tracked (the guest path /core/a is the
// host path <root>/core/a); stat results are rewritten, listings made here.
const paths = new Map([[3, '/core'], [4, '/input'], [5, '/out']])
const pathText = (ptr, len) => Buffer.from(new Uint8Array(instance.exports.memory.buffer, ptr, len)).toString('utf8')
const normalise = (base, rel) => {
  const parts = []
  for (const part of `${base}/${rel}`.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') parts.pop()
    else parts.push(part)
  }
  return '/' + parts.join('/')
}
const number = (text) => createHash('sha256').update(text, 'utf8').digest().readBigUInt64LE(0) & ((1n << 63n) - 1n)
function rewriteStat (buf, path) {
  const v = view()
  if (path === null) { // a standard stream
    v.setBigUint64(buf, 0n, true)
    v.setBigUint64(buf + 8, 0n, true)
    v.setUint8(buf + 16, 0)
  } else {
    v.setBigUint64(buf, number('/' + path.split('/')[1]), true)
    v.setBigUint64(buf + 8, number(path), true)
    v.setBigUint64(buf + 24, 1n, true)
    if (v.getUint8(buf + 16) === 3) v.setBigUint64(buf + 32, 0n, true)
  }
  for (const at of [40, 48, 56]) v.setBigUint64(buf + at, FIXED_NS, true)
}
{
  const open = preview1.path_open
  preview1.path_open = (...args) => {
    const errno = open(...args)
    if (errno === 0 && paths.has(args[0])) paths.set(view().getUint32(args[8], true), normalise(paths.get(args[0]), pathText(args[2], args[3])))
    return errno
  }
  const close = preview1.fd_close
  preview1.fd_close = (fd) => { const errno = close(fd); if (errno === 0 && fd > 5) paths.delete(fd); return errno }
  const renumber = preview1.fd_renumber
  preview1.fd_renumber = (from, to) => {
    const errno = renumber(from, to)
    if (errno === 0) { if (paths.has(from)) paths.set(to, paths.get(from)); else paths.delete(to); paths.delete(from) }
    return errno
  }
  const fstat = preview1.fd_filestat_get
  preview1.fd_filestat_get = (fd, buf) => {
    const errno = fstat(fd, buf)
    if (errno === 0 && (fd <= 2 || paths.has(fd))) rewriteStat(buf, fd <= 2 ? null : paths.get(fd))
    return errno
  }
  const pstat = preview1.path_filestat_get
  preview1.path_filestat_get = (fd, flags, ptr, len, buf) => {
    const errno = pstat(fd, flags, ptr, len, buf)
    if (errno === 0 && paths.has(fd)) rewriteStat(buf, normalise(paths.get(fd), pathText(ptr, len)))
    return errno
  }
  const readdir = preview1.fd_readdir
  preview1.fd_readdir = (fd, buf, bufLen, cookie, usedPtr) => {
    if (!paths.has(fd)) return readdir(fd, buf, bufLen, cookie, usedPtr)
    const dir = paths.get(fd)
    let names
    try {
      names = readdirSync(root + dir, { encoding: 'buffer' }).sort(Buffer.compare)
    } catch {
      return readdir(fd, buf, bufLen, cookie, usedPtr)
    }
    const out = []
    for (let i = Number(cookie); i < names.length; i++) {
      const name = names[i]
      const entry = Buffer.alloc(24 + name.length)
      entry.writeBigUInt64LE(BigInt(i + 1), 0)
      entry.writeBigUInt64LE(number(`${dir}/${name.toString('utf8')}`), 8)
      entry.writeUInt32LE(name.length, 16)
      const info = lstatSync(`${root}${dir}/${name.toString('utf8')}`, { throwIfNoEntry: false })
      entry.writeUInt8(info === undefined ? 0 : info.isDirectory() ? 3 : info.isFile() ? 4 : info.isSymbolicLink() ? 7 : 0, 20)
      name.copy(entry, 24)
      out.push(entry)
      if (out.reduce((n, e) => n + e.length, 0) >= bufLen) break
    }
    const all = Buffer.concat(out).subarray(0, bufLen)
    new Uint8Array(instance.exports.memory.buffer, buf, all.length).set(all)
    view().setUint32(usedPtr, all.length, true)
    return 0
  }
}
// SBX-007.4: bytes written to files count at each write against the write budget (the
// core limit plus the sends limit), overwrites and files later removed included; a write
// that would pass it fails with ENOSPC and the run ends output-too-large. A write counts
// its bytes, or the growth of the file when that is more (a write past the end fills a
// hole); a truncation that grows a file counts the growth.
{
  const ENOSPC = 51
  let written = 0
  const sizeOf = (fd) => { try { return statSync(root + paths.get(fd)).size } catch { return 0 } }
  const counted = (fd) => fd > 5 && paths.has(fd) && !paths.get(fd).startsWith('/input/')
  const spend = (amount) => {
    written += amount
    if (written > budget) { shared[4] = 1; return false }
    return true
  }
  const ioBytes = (iovs, count) => {
    const v = view()
    let n = 0
    for (let i = 0; i < count; i++) n += v.getUint32(iovs + 8 * i + 4, true)
    return n
  }
  for (const name of ['fd_write', 'fd_pwrite']) {
    const real = preview1[name]
    preview1[name] = (fd, iovs, count, ...rest) => {
      if (!counted(fd)) return real(fd, iovs, count, ...rest)
      const n = ioBytes(iovs, count)
      if (written + n > budget) { shared[4] = 1; return ENOSPC }
      const before = sizeOf(fd)
      const errno = real(fd, iovs, count, ...rest)
      if (errno === 0 && !spend(Math.max(n, sizeOf(fd) - before))) return ENOSPC
      return errno
    }
  }
  const setSize = preview1.fd_filestat_set_size
  preview1.fd_filestat_set_size = (fd, size) => {
    if (!counted(fd)) return setSize(fd, size)
    const growth = Number(size) - sizeOf(fd)
    if (growth > 0 && !spend(growth)) return ENOSPC
    return setSize(fd, size)
  }
}
Object.assign(preview1, {
  path_link: forbidden, // SBX-004.6: no links, hard or symbolic
  path_symlink: forbidden,
  clock_time_get (id, precision, ptr) { view().setBigUint64(ptr, FIXED_NS, true); return 0 },
  clock_res_get (id, ptr) {
    if (id >= 4 && stream !== runSeed) { // the prelude's snapshot point (SBX-005.14); no snapshot here
      stream = runSeed
      counter = 0n
      pending = Buffer.alloc(0)
      instance.exports[fuelExport].value = BigInt(fuel) // the run's fuel starts here (SBX-006.4)
    }
    view().setBigUint64(ptr, 1n, true)
    return 0
  },
  random_get (ptr, length) { new Uint8Array(instance.exports.memory.buffer, ptr, length).set(random(length)); return 0 },
  poll_oneoff: pollOneoff,
  sock_accept: forbidden,
  sock_recv: forbidden,
  sock_send: forbidden,
  sock_shutdown: forbidden
})

try {
  instance = new WebAssembly.Instance(module, imports)
  shared[1] = wasi.start(instance)
} catch (err) {
  shared[1] = -1 // a trap (SBX-008.4), unless out of fuel or at the memory limit (SBX-006)
  shared[5] = instance !== null && instance.exports[fuelExport].value < 0n ? 1 : 0
  const size = instance === null ? Infinity : instance.exports.memory.buffer.byteLength
  shared[3] = size + 16 * 1024 * 1024 > limit ? 1 : 0
}
for (const fd of files) closeSync(fd)
Atomics.store(shared, 0, 1)
Atomics.notify(shared, 0)
