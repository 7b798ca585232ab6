// The WASI preview 1 functions of a sandboxed run, served by this host over its
// in-memory filesystem (SBX-005). No function of node:wasi is used: every import of the
// interpreter is one of the functions below, so every number the program passes is
// checked here before anything is copied (SBX-005.15 … SBX-005.18), and every piece of
// host work is paid from the run's fuel before it is done (SBX-006.5, SBX-006.6).
//
// Each function takes the run's state ({ fs, guest, forbidden }) and the call's
// arguments — i32s unsigned, i64s as BigInts — and returns the errno; a failure is a
// WasiError. `serve` pays for the call and turns whatever else a function throws into
// the run's `trap` (SBX-005.19). `clock_res_get` and `random_get` are the snapshot
// point's (sandboxworker.mjs).

import {
  ALL_RIGHTS, EBADF, EBUSY, EEXIST, EINVAL, EISDIR, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTEMPTY,
  ENOTSUP, EOVERFLOW, EROFS, ESPIPE, EXDEV, FDFLAG_APPEND, FDFLAGS, FIXED_TIME_NS, MAX_NAME_BYTES,
  MAX_POSITION, OFLAG_CREAT, OFLAG_DIRECTORY, OFLAG_EXCL, OFLAG_TRUNC, OFLAGS, RIGHT_FD_WRITE,
  DirFd, Directory, File, FileFd, StreamFd, WasiError, pathNumber
} from './sandboxfs.mjs'
import { BYTE_FUEL, CALL_FUEL, COMPONENT_FUEL, ENTRY_FUEL, ProcExit, RunEnd, SORT_FUEL, WALK_FUEL } from './sandboxguest.mjs'

/** The interpreter's arguments (SBX-005.2, SBX-003.2); the environment is empty. */
export const ARGV = ['python', '-I', '-S', '-B', '/input/gritwit_prelude.py']
const ENV = []
/** The forbidden attempts a run's forbidden-operation names at most (SBX-008.5). */
export const NAMED_FORBIDDEN = 16
/** WASI's `size`: a count a call answers is at most this. */
const MAX_SIZE = 2 ** 32 - 1
// filetype values
const UNKNOWN = 0
const DIRECTORY = 3
const REGULAR_FILE = 4

const utf8 = new TextEncoder()
const min = (a, b) => (a < b ? a : b)

// -- arguments, environment, clocks, exit (SBX-005.2, SBX-005.4) ---------------------------

function putStrings ({ guest }, items, ptrs, buf) {
  for (const item of items) {
    const data = utf8.encode(item + '\0')
    guest.u32(ptrs, buf)
    guest.write(buf, data)
    ptrs += 4
    buf += data.length
  }
  return 0
}

function putSizes ({ guest }, items, countPtr, sizePtr) {
  guest.u32(countPtr, items.length)
  guest.u32(sizePtr, items.reduce((n, item) => n + utf8.encode(item).length + 1, 0))
  return 0
}

const argsGet = (state, ptrs, buf) => putStrings(state, ARGV, ptrs, buf)
const argsSizesGet = (state, count, size) => putSizes(state, ARGV, count, size)
const environGet = (state, ptrs, buf) => putStrings(state, ENV, ptrs, buf)
const environSizesGet = (state, count, size) => putSizes(state, ENV, count, size)

function clockTimeGet ({ guest }, id, precision, ptr) {
  guest.u64(ptr, FIXED_TIME_NS)
  return 0
}

function procExit (state, code) { throw new ProcExit(code) }

const schedYield = () => 0

/** Polling, sockets and links: ENOTSUP, and a forbidden operation (SBX-005.3, SBX-004.6). */
const refuse = (name) => () => { throw new WasiError(ENOTSUP, name) }

// subscription: userdata u64, tag u8 at 8 (0: a clock), clock id u32 at 16, timeout u64 at
// 24, precision u64 at 32, flags u16 at 40 (48 bytes); event: userdata u64, error u16 at 8,
// type u8 at 10 (0: a clock), zeros (32 bytes).
const SUBSCRIPTION = 48
const EVENT = 32
const ABSTIME = 1 // subscription_clock_abstime: the timeout is a time on the clock
const CLOCKS = 4 // WASI's four clocks

/**
 * A poll that waits for nothing returns at once (SBX-005.23): every subscription a clock
 * already due at the fixed time (SBX-005.4), a relative timeout of 0 or an absolute time
 * not after it; then one event each, in order. Any other poll would wait: ENOTSUP, a
 * forbidden operation (SBX-005.3). The ranges are checked and the bytes paid first.
 */
function pollOneoff ({ guest }, subscriptions, events, count, out) {
  if (count === 0) throw new WasiError(ENOTSUP, 'poll_oneoff')
  guest.check(subscriptions, SUBSCRIPTION * count)
  guest.check(events, EVENT * count)
  guest.check(out, 4)
  guest.charge(BYTE_FUEL * (SUBSCRIPTION + EVENT) * count, 'poll_oneoff')
  const raw = Buffer.from(guest.read(subscriptions, SUBSCRIPTION * count))
  const answer = Buffer.alloc(EVENT * count)
  for (let i = 0; i < count; i++) {
    const at = SUBSCRIPTION * i
    const timeout = raw.readBigUInt64LE(at + 24)
    const due = raw.readUInt16LE(at + 40) & ABSTIME ? timeout <= FIXED_TIME_NS : timeout === 0n
    if (raw[at + 8] !== 0 || raw.readUInt32LE(at + 16) >= CLOCKS || !due) throw new WasiError(ENOTSUP, 'poll_oneoff')
    raw.copy(answer, EVENT * i, at, at + 8) // the userdata; error 0, type clock
  }
  guest.write(events, answer)
  guest.u32(out, count)
  return 0
}

// -- descriptors -----------------------------------------------------------------------

function fdClose ({ fs }, fd) {
  fs.close(fd)
  return 0
}

/** fdstat: filetype u8, flags u16 at 2, rights_base u64 at 8, rights_inheriting u64 at 16. */
function fdFdstatGet ({ fs, guest }, fd, ptr) {
  const found = fs.get(fd)
  const stat = Buffer.alloc(24)
  const [type, flags, rights, inheriting] = found instanceof StreamFd
    ? [UNKNOWN, 0, ALL_RIGHTS, ALL_RIGHTS]
    : found instanceof DirFd
      ? [DIRECTORY, 0, found.rights, found.inheriting]
      : [REGULAR_FILE, found.flags, found.rights, found.inheriting]
  stat.writeUInt8(type, 0)
  stat.writeUInt16LE(flags, 2)
  stat.writeBigUInt64LE(rights, 8)
  stat.writeBigUInt64LE(inheriting, 16)
  guest.write(ptr, stat)
  return 0
}

function fdFdstatSetFlags ({ fs }, fd, flags) {
  const found = fs.get(fd)
  if (flags & ~FDFLAGS) throw new WasiError(EINVAL) // bits WASI does not define (SBX-005.17)
  if (found instanceof FileFd) found.flags = flags
  return 0
}

/**
 * The filestat of `node`, reached at the path whose number is `ino`: nothing from the host
 * (SBX-005.7, SBX-005.11, SBX-005.12). dev, ino, filetype (u8 at 16), nlink, size, atim,
 * mtim, ctim: 64 bytes.
 */
function filestat (node, ino, device) {
  const stat = Buffer.alloc(64)
  const [kind, size] = node === null ? [UNKNOWN, 0] : node instanceof Directory ? [DIRECTORY, 0] : [REGULAR_FILE, node.size]
  stat.writeBigUInt64LE(node === null ? 0n : device, 0)
  stat.writeBigUInt64LE(node === null ? 0n : ino, 8)
  stat.writeUInt8(kind, 16)
  stat.writeBigUInt64LE(1n, 24)
  stat.writeBigUInt64LE(BigInt(size), 32)
  for (const at of [40, 48, 56]) stat.writeBigUInt64LE(FIXED_TIME_NS, at)
  return stat
}

function fdFilestatGet ({ fs, guest }, fd, ptr) {
  const found = fs.get(fd)
  if (found instanceof StreamFd) guest.write(ptr, filestat(null, 0n, 0n))
  else if (found instanceof DirFd) guest.write(ptr, filestat(found.node, found.trail.number(), pathNumber(found.preopen)))
  else guest.write(ptr, filestat(found.file, found.ino, found.device))
  return 0
}

/** Setting times (fd_filestat_set_times) and fd_advise, fd_datasync, fd_sync: nothing to do (SBX-005.12). */
function fdNoop ({ fs }, fd) {
  fs.get(fd)
  return 0
}

function preopened (fs, fd) {
  const found = fs.get(fd)
  if (!(found instanceof DirFd) || !found.preopened) throw new WasiError(EBADF)
  return found
}

function fdPrestatGet ({ fs, guest }, fd, ptr) {
  const found = preopened(fs, fd)
  const stat = Buffer.alloc(8) // tag 0 (a directory), the name's length at 4
  stat.writeUInt32LE(utf8.encode(found.preopen).length, 4)
  guest.write(ptr, stat)
  return 0
}

function fdPrestatDirName ({ fs, guest }, fd, ptr, length) {
  const name = utf8.encode(preopened(fs, fd).preopen)
  if (length < name.length) throw new WasiError(ENAMETOOLONG)
  guest.write(ptr, name)
  return 0
}

/** `node`'s names and their UTF-8 bytes in byte order, sorted once per version (SBX-006.6). */
function sortedListing (node, guest) {
  if (node.listing === null) {
    guest.charge(SORT_FUEL * node.entries.size, 'sorting a directory')
    node.listing = [...node.entries.keys()].map((name) => [name, Buffer.from(name, 'utf8')]).sort(([, a], [, b]) => Buffer.compare(a, b))
  }
  return node.listing
}

/**
 * Entries in the order of their names' UTF-8 bytes, without . and .. (SBX-005.13); the
 * cookie of an entry is its position plus one. The buffer is checked first, each entry
 * listed and each byte written paid for before (SBX-006.5).
 */
function fdReaddir ({ fs, guest }, fd, buf, length, cookie, out) {
  const directory = fs.directory(fd)
  guest.check(buf, length)
  const node = directory.node
  const listing = sortedListing(node, guest)
  const entries = []
  let size = 0
  for (let index = Number(min(cookie, BigInt(listing.length))); index < listing.length && size < length; index++) {
    entries.push(index)
    size += 24 + listing[index][1].length
  }
  guest.charge(ENTRY_FUEL * entries.length + BYTE_FUEL * Math.min(size, length), 'a listing')
  const dirents = Buffer.alloc(size)
  let at = 0
  for (const index of entries) {
    const [name, raw] = listing[index] // d_next, d_ino, d_namlen, d_type (24 bytes), the name
    dirents.writeBigUInt64LE(BigInt(index + 1), at)
    dirents.writeBigUInt64LE(directory.trail.number(name), at + 8)
    dirents.writeUInt32LE(raw.length, at + 16)
    dirents.writeUInt8(node.entries.get(name) instanceof Directory ? DIRECTORY : REGULAR_FILE, at + 20)
    raw.copy(dirents, at + 24)
    at += 24 + raw.length
  }
  guest.write(buf, dirents.subarray(0, length)) // the last entry may be cut
  guest.u32(out, Math.min(size, length))
  return 0
}

// -- reading and writing, bounded before they copy (SBX-005.15, SBX-005.16) ----------------

function readable (fs, fd) {
  const found = fs.get(fd)
  if (found instanceof DirFd) throw new WasiError(EISDIR)
  if ((found instanceof StreamFd && found.sink !== null) || (found instanceof FileFd && !found.readable)) throw new WasiError(EBADF)
  return found
}

function writable (fs, fd) {
  const handle = fs.file(fd)
  if (!handle.writable) throw new WasiError(EBADF)
  return handle
}

function fdRead ({ fs, guest }, fd, iovs, count, out) {
  const handle = readable(fs, fd)
  if (handle instanceof StreamFd) { // standard input is empty (SBX-005.2)
    guest.u32(out, 0)
    return 0
  }
  const done = guest.scatter(iovs, count, handle.file.bytes(), handle.position)
  handle.position += BigInt(done)
  guest.u32(out, done)
  return 0
}

function fdPread ({ fs, guest }, fd, iovs, count, offset, out) {
  const handle = readable(fs, fd)
  if (handle instanceof StreamFd) throw new WasiError(ESPIPE)
  guest.u32(out, guest.scatter(iovs, count, handle.file.bytes(), offset))
  return 0
}

function fdWrite ({ fs, guest }, fd, iovs, count, out) {
  const found = fs.get(fd)
  if (found instanceof StreamFd) {
    guest.u32(out, streamWrite(guest, found, iovs, count))
    return 0
  }
  const handle = writable(fs, fd)
  const offset = handle.flags & FDFLAG_APPEND ? BigInt(handle.file.size) : handle.position
  const written = fileWrite(fs, guest, handle, offset, iovs, count)
  handle.position = offset + BigInt(written)
  guest.u32(out, written)
  return 0
}

function fdPwrite ({ fs, guest }, fd, iovs, count, offset, out) {
  const handle = writable(fs, fd)
  guest.u32(out, fileWrite(fs, guest, handle, offset, iovs, count))
  return 0
}

/**
 * A write to standard output or error: the iovecs checked, then only what the stream can
 * still keep copied — and one byte more, which tells it the write goes past its limit
 * (SBX-005.16, SBX-007.2), paid as every byte copied is, as a file write's is (SBX-006.5).
 * The count is the iovecs' whole length, as if all were kept.
 */
function streamWrite (guest, stream, iovs, count) {
  if (stream.sink === null) throw new WasiError(EBADF)
  const total = guest.measure(iovs, count)
  const room = stream.sink.room()
  const take = Math.min(total, room + 1)
  const kept = stream.sink.write(guest.gather(iovs, count, take))
  return kept >= take ? Math.min(total, MAX_SIZE) : kept
}

/**
 * A write to a file at `offset`: the iovecs checked, then no more copied than the write
 * budget can still take — one byte past it is enough for writeAt to refuse the write
 * (SBX-005.16, SBX-007.5) —, and at most the guest's memory size per call.
 */
function fileWrite (fs, guest, handle, offset, iovs, count) {
  const take = Math.min(guest.measure(iovs, count), guest.size, MAX_SIZE, fs.budget + 1)
  const data = guest.gather(iovs, count, take)
  fs.writeAt(handle, offset, data)
  return data.length
}

/** A new position: below 0 EINVAL, past 2**63 - 1 EOVERFLOW (SBX-005.18). */
function fdSeek ({ fs, guest }, fd, offset, whence, out) {
  const handle = fs.file(fd)
  const bases = [0n, handle.position, BigInt(handle.file.size)]
  if (whence >= bases.length || bases[whence] + offset < 0n) throw new WasiError(EINVAL)
  if (bases[whence] + offset > MAX_POSITION) throw new WasiError(EOVERFLOW)
  handle.position = bases[whence] + offset
  guest.u64(out, handle.position)
  return 0
}

function fdTell ({ fs, guest }, fd, out) {
  guest.u64(out, fs.file(fd).position)
  return 0
}

/** Resize to `size`: bounded (SBX-005.18), the budget checked (SBX-007.5), then paid. */
function grow ({ fs, guest }, handle, size, shrink) {
  if (size > MAX_POSITION) throw new WasiError(EINVAL)
  const added = size - BigInt(handle.file.size)
  if (added > BigInt(fs.budget)) fs.charge(added) // ENOSPC, before a byte is made
  if (added > 0n) guest.charge(BYTE_FUEL * Number(added), 'the bytes a file grows by')
  if (added > 0n || shrink) fs.resize(handle, size)
}

function fdFilestatSetSize (state, fd, size) {
  grow(state, writable(state.fs, fd), size, true)
  return 0
}

function fdAllocate (state, fd, offset, length) {
  grow(state, writable(state.fs, fd), offset + length, false)
  return 0
}

// -- paths (SBX-005.1, SBX-005.8, SBX-005.9, SBX-005.17, SBX-005.20) ----------------------

function pathOpen ({ fs, guest }, fd, dirflags, path, pathLen, oflags, rights, inheriting, fdflags, out) {
  if (fdflags & ~FDFLAGS || oflags & ~OFLAGS) throw new WasiError(EINVAL) // bits WASI does not define (SBX-005.17)
  const place = fs.place(fd, guest.path(path, pathLen))
  let node = place.node()
  const write = (rights & RIGHT_FD_WRITE) !== 0n || (oflags & OFLAG_TRUNC) !== 0
  if (node === undefined) {
    if (!(oflags & OFLAG_CREAT)) throw new WasiError(ENOENT)
    if (oflags & OFLAG_DIRECTORY || place.slash) throw new WasiError(EISDIR)
    const name = fs.newEntry(place)
    fs.checkRoom() // a full table makes no file (SBX-005.25)
    node = new File()
    place.parent.put(name, node)
  } else if (oflags & OFLAG_CREAT && oflags & OFLAG_EXCL) {
    throw new WasiError(EEXIST)
  }
  if (node instanceof Directory) {
    if (write) throw new WasiError(EISDIR)
    guest.u32(out, fs.add(place.asDir(node)))
    return 0
  }
  if (oflags & OFLAG_DIRECTORY || place.slash) throw new WasiError(ENOTDIR)
  if (write && !place.start.writable) throw new WasiError(EROFS)
  if (oflags & OFLAG_TRUNC) {
    fs.checkRoom() // nor empties one (SBX-005.25)
    node.setSize(0)
  }
  const handle = new FileFd(node, place.number(), pathNumber(place.start.preopen), rights, inheriting, fdflags)
  guest.u32(out, fs.add(handle))
  return 0
}

function pathFilestatGet ({ fs, guest }, fd, flags, path, length, ptr) {
  const [place, node] = fs.lookup(fd, guest.path(path, length))
  guest.write(ptr, filestat(node, place.number(), pathNumber(place.start.preopen)))
  return 0
}

/** Succeeds and changes nothing: every timestamp reads the fixed time (SBX-005.12). */
function pathFilestatSetTimes ({ fs, guest }, fd, flags, path, length) {
  fs.lookup(fd, guest.path(path, length))
  return 0
}

function pathCreateDirectory ({ fs, guest }, fd, path, length) {
  const place = fs.place(fd, guest.path(path, length))
  if (place.node() !== undefined) throw new WasiError(EEXIST)
  place.parent.put(fs.newEntry(place), new Directory())
  return 0
}

function pathRemoveDirectory ({ fs, guest }, fd, path, length) {
  const [place, node] = fs.lookup(fd, guest.path(path, length))
  if (!(node instanceof Directory)) throw new WasiError(ENOTDIR)
  if (place.last === null) throw new WasiError(EINVAL)
  if (!place.start.writable) throw new WasiError(EROFS)
  if (node.entries.size) throw new WasiError(ENOTEMPTY)
  place.parent.remove(place.last)
  return 0
}

function pathUnlinkFile ({ fs, guest }, fd, path, length) {
  const [place, node] = fs.lookup(fd, guest.path(path, length))
  if (node instanceof Directory || place.last === null) throw new WasiError(EISDIR)
  if (!place.start.writable) throw new WasiError(EROFS)
  place.parent.remove(place.last)
  return 0
}

function pathRename ({ fs, guest }, fd, old, oldLen, newFd, now, nowLen) {
  const [source, node] = fs.lookup(fd, guest.path(old, oldLen))
  const target = fs.place(newFd, guest.path(now, nowLen))
  if (source.last === null || target.last === null) throw new WasiError(EBUSY) // the directory itself
  if (source.start.preopen !== target.start.preopen) throw new WasiError(EXDEV) // SBX-005.9
  if (!target.start.writable) throw new WasiError(EROFS)
  if (Buffer.byteLength(target.last, 'utf8') > MAX_NAME_BYTES) throw new WasiError(ENAMETOOLONG)
  const there = target.node()
  if (there === node) return 0
  if (node instanceof Directory) {
    if (there !== undefined && !(there instanceof Directory)) throw new WasiError(ENOTDIR)
    if (there instanceof Directory && there.entries.size) throw new WasiError(ENOTEMPTY)
    // SBX-005.20: not into its own subtree, even through a stale descriptor
    if (above(guest, node, target) || holds(guest, node, target.parent)) throw new WasiError(EINVAL)
  } else if (there instanceof Directory) {
    throw new WasiError(EISDIR)
  } else if (target.slash) {
    throw new WasiError(ENOTDIR)
  }
  source.parent.remove(source.last)
  target.parent.put(target.last, node)
  return 0
}

/**
 * Whether the target's path reached its parent through `node` (SBX-005.20): the way is
 * climbed to its preopen's root, each level paid for first (SBX-006.13).
 */
function above (guest, node, target) {
  guest.charge(COMPONENT_FUEL * (target.depth + 1), "the levels above a rename's target")
  return target.holds(node)
}

/**
 * Whether `wanted` lies in `top`'s subtree, as the tree is now (SBX-005.20). A descriptor's
 * chain is where its directory was when it was opened; a rename may have moved it since,
 * so the subtree itself is walked: each entry walked is paid for (SBX-006.5), the walk
 * stopping where the fuel left could not pay for more.
 */
function holds (guest, top, wanted) {
  const left = guest.fuel.left()
  let spent = 0n
  let found = false
  const pending = [top]
  while (pending.length && !found && spent <= left) {
    const directory = pending.pop()
    found = directory === wanted
    spent += BigInt(WALK_FUEL * directory.entries.size)
    for (const node of directory.entries.values()) if (node instanceof Directory) pending.push(node)
  }
  guest.charge(spent, 'walking a renamed directory') // fuel-exhausted if the walk outran it
  return found
}

/** There are no links (SBX-004.6): whatever exists is not one. */
function pathReadlink ({ fs, guest }, fd, path, length) {
  fs.lookup(fd, guest.path(path, length))
  throw new WasiError(EINVAL)
}

// -- the import object ---------------------------------------------------------------------

/**
 * Every import of the interpreter but the snapshot point's two: name → [parameters,
 * function]. `i` is an i32 (read unsigned), `I` an i64 read unsigned, `q` one read signed.
 */
const FUNCTIONS = {
  args_get: ['ii', argsGet],
  args_sizes_get: ['ii', argsSizesGet],
  environ_get: ['ii', environGet],
  environ_sizes_get: ['ii', environSizesGet],
  clock_time_get: ['iIi', clockTimeGet],
  proc_exit: ['i', procExit],
  sched_yield: ['', schedYield],
  fd_advise: ['iIIi', fdNoop],
  fd_allocate: ['iII', fdAllocate],
  fd_close: ['i', fdClose],
  fd_datasync: ['i', fdNoop],
  fd_sync: ['i', fdNoop],
  fd_fdstat_get: ['ii', fdFdstatGet],
  fd_fdstat_set_flags: ['ii', fdFdstatSetFlags],
  fd_filestat_get: ['ii', fdFilestatGet],
  fd_filestat_set_size: ['iI', fdFilestatSetSize],
  fd_filestat_set_times: ['iIIi', fdNoop],
  fd_pread: ['iiiIi', fdPread],
  fd_prestat_get: ['ii', fdPrestatGet],
  fd_prestat_dir_name: ['iii', fdPrestatDirName],
  fd_pwrite: ['iiiIi', fdPwrite],
  fd_read: ['iiii', fdRead],
  fd_readdir: ['iiiIi', fdReaddir],
  fd_seek: ['iqii', fdSeek],
  fd_tell: ['ii', fdTell],
  fd_write: ['iiii', fdWrite],
  path_create_directory: ['iii', pathCreateDirectory],
  path_filestat_get: ['iiiii', pathFilestatGet],
  path_filestat_set_times: ['iiiiIIi', pathFilestatSetTimes],
  path_link: ['iiiiiii', refuse('path_link')],
  path_open: ['iiiiiIIii', pathOpen],
  path_readlink: ['iiiiii', pathReadlink],
  path_remove_directory: ['iii', pathRemoveDirectory],
  path_rename: ['iiiiii', pathRename],
  path_symlink: ['iiiii', refuse('path_symlink')],
  path_unlink_file: ['iii', pathUnlinkFile],
  poll_oneoff: ['iiii', pollOneoff],
  sock_accept: ['iii', refuse('sock_accept')],
  sock_recv: ['iiiiii', refuse('sock_recv')],
  sock_send: ['iiiii', refuse('sock_send')],
  sock_shutdown: ['ii', refuse('sock_shutdown')]
}

const ARGUMENT = {
  i: (value) => value >>> 0,
  I: (value) => BigInt.asUintN(64, value),
  q: (value) => BigInt.asIntN(64, value)
}

/**
 * One call of the WASI function `name`: paid for first (SBX-006.5); a WasiError becomes
 * its errno (a forbidden attempt is recorded, SBX-008.2); proc_exit and the run's typed
 * ends pass on; anything else ends the run → trap, naming the function (SBX-005.19).
 */
function serve (state, name, fn, args) {
  try {
    state.guest.charge(CALL_FUEL, name)
    return fn(state, ...args)
  } catch (err) {
    if (err instanceof WasiError) {
      if (err.forbidden !== null) { // the first NAMED_FORBIDDEN by name, the rest counted (SBX-008.5)
        if (state.forbidden.length < NAMED_FORBIDDEN) state.forbidden.push(err.forbidden)
        else state.forbiddenMore = (state.forbiddenMore ?? 0) + 1
      }
      return err.errno
    }
    if (err instanceof ProcExit || err instanceof RunEnd) throw err
    throw new RunEnd('trap', 'SBX-005.19', `the host function ${name} failed on its arguments (${String(err).slice(0, 200)})`)
  }
}

/** The wasi_snapshot_preview1 functions for one run's `state`. */
export function wasiFunctions (state) {
  const functions = {}
  for (const [name, [params, fn]] of Object.entries(FUNCTIONS)) {
    const convert = [...params].map((kind) => ARGUMENT[kind])
    functions[name] = (...raw) => serve(state, name, fn, convert.map((to, i) => to(raw[i])))
  }
  return functions
}
