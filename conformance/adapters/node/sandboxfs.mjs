// The sandbox's filesystem: a tree in memory, as WASI preview 1 sees it (SBX-004, SBX-005).
//
// Nothing here touches the host's disk (SBX-005.1): the three preopened directories
// /core (read-write), /input (read-only) and /out (read-write) are `Directory` objects,
// and a path can only name what lies under one of them — a `..` that would climb out of
// its preopen fails with ENOTCAPABLE and is a forbidden operation (SBX-005.8). There are
// no links (SBX-004.6). What a program reads about a file depends on its path alone
// (SBX-005.7, `pathNumber`), and every byte written to a file is counted against the
// run's write budget at the write (SBX-007.4, SBX-007.5).
//
// Descriptors 0, 1 and 2 are the standard streams, 3, 4 and 5 the preopens, and a new
// descriptor takes the lowest free number (SBX-005.10). A descriptor of a directory
// keeps the way it was opened through, a `Trail`: a rename may move the directory later,
// so that way may be stale (SBX-005.20 copes with it). Nothing held grows with a path's
// depth (SBX-006.14): trails share the way above, a file's descriptor keeps its inode
// number and not its path, and an inode number carries SHA-256 on from the directory's
// trail instead of hashing the whole path again.
//
// Positions and sizes a program names are BigInts (they reach 2**63 - 1, SBX-005.18);
// the bytes a file really holds are bounded by the write budget and fit a Number.

import { createHash } from 'node:crypto'

// WASI preview 1 errno values (wasi_snapshot_preview1.witx).
export const EBADF = 8
export const EBUSY = 10
export const EEXIST = 20
export const EFAULT = 21
export const EILSEQ = 25
export const EINVAL = 28
export const EISDIR = 31
export const EMFILE = 33
export const ENAMETOOLONG = 37
export const ENOENT = 44
export const ENOSPC = 51
export const ENOTDIR = 54
export const ENOTEMPTY = 55
export const ENOTSUP = 58
export const EOVERFLOW = 61
export const EROFS = 69
export const ESPIPE = 70
export const EXDEV = 75
export const ENOTCAPABLE = 76

// fdflags, oflags and the rights this filesystem looks at.
export const FDFLAG_APPEND = 1
export const FDFLAGS = 0x1f // append, dsync, nonblock, rsync, sync: WASI's five (SBX-005.17)
export const OFLAGS = 0xf // creat, directory, excl, trunc: its four
export const OFLAG_CREAT = 1
export const OFLAG_DIRECTORY = 2
export const OFLAG_EXCL = 4
export const OFLAG_TRUNC = 8
const RIGHT_FD_READ = 1n << 1n
export const RIGHT_FD_WRITE = 1n << 6n
export const ALL_RIGHTS = (1n << 30n) - 1n

/** The time every clock and every timestamp reads: 2000-01-01T00:00:00Z, in ns (SBX-005.4). */
export const FIXED_TIME_NS = 946684800n * 1000000000n
/** The largest file position or size: a signed 64-bit number (SBX-005.18). */
export const MAX_POSITION = (1n << 63n) - 1n
/** The preopened directories, in descriptor order 3, 4, 5, and whether each is writable (SBX-005.1). */
const PREOPENS = [['/core', true], ['/input', false], ['/out', true]]
/** The most descriptors open at once (EMFILE beyond), so the table stays small. */
const MAX_DESCRIPTORS = 1024
/** The longest entry name, in UTF-8 bytes: a tree's (OBJ-011.1). */
export const MAX_NAME_BYTES = 255

/** A WASI call fails with `errno`; `forbidden` names a forbidden attempt (SBX-008.2). */
export class WasiError extends Error {
  constructor (errno, forbidden = null) {
    super(`errno ${errno}`)
    this.errno = errno
    this.forbidden = forbidden
  }
}

/** The numbers computed so far: listings and stats ask for the same paths again and again. */
const numbers = new Map()

/** A path's number N(p): the first 8 bytes of SHA-256 of its UTF-8, little-endian, top bit cleared (SBX-005.11). */
export function pathNumber (path) {
  let number = numbers.get(path)
  if (number === undefined) {
    if (numbers.size >= 100_000) numbers.clear() // a bound on the host's memory
    number = numberOf(createHash('sha256').update(path, 'utf8'))
    numbers.set(path, number)
  }
  return number
}

/** N of the path whose SHA-256 `hash` holds (SBX-005.11). */
const numberOf = (hash) => hash.digest().readBigUInt64LE(0) & MAX_POSITION

/**
 * The way a path reached a directory from its preopen's root (SBX-005.33): the directory,
 * the name it was reached by (the preopen's own name at the root) and the trail above,
 * null at the root. Trails share what they have in common: a descriptor n levels deep
 * holds one node of its own (SBX-006.14). `..` is the trail above, as the path reached it.
 */
export class Trail {
  constructor (directory, name, up) {
    this.directory = directory
    this.name = name
    this.up = up
    this.depth = up === null ? 0 : up.depth + 1 // levels below the preopen's root
    this.hash = null // SHA-256 of the directory's path, kept by a descriptor's trail
  }

  /**
   * A fresh SHA-256 of this directory's path followed by `/name` for each of `names`,
   * carried on from the nearest trail above that keeps its hash (a descriptor's, at most
   * the names one path walked away): no path is hashed whole.
   */
  hashWith (names) {
    let node = this
    const above = []
    while (node.hash === null && node.up !== null) {
      above.push(node.name)
      node = node.up
    }
    const hash = node.hash !== null ? node.hash.copy() : createHash('sha256').update(node.name, 'utf8')
    const tail = [...above.reverse(), ...names]
    if (tail.length) hash.update('/' + tail.join('/'), 'utf8')
    return hash
  }

  /** Keep this directory's hash, as a descriptor's trail does; the trail itself. */
  keepHash () {
    if (this.hash === null) this.hash = this.hashWith([])
    return this
  }

  /** N of this directory's path, or of `name` in it (SBX-005.11), without making the path. */
  number (name = null) { return numberOf(this.hashWith(name === null ? [] : [name])) }
}

/**
 * A regular file. `data` is shared with the mounted blob until the first change, then
 * owned and grown with room to spare (`size` bytes of it are the file).
 */
export class File {
  constructor (data = new Uint8Array(0)) {
    this.data = data
    this.size = data.length
    this.owned = false
  }

  bytes () { return this.data.subarray(0, this.size) }

  /** Own the data, with room for `size` bytes (copied once, on the first change). */
  reserve (size) {
    if (this.owned && size <= this.data.length) return
    const room = this.owned ? Math.max(size, Math.min(2 * this.data.length, size + 64 * 1024 * 1024)) : size
    const grown = new Uint8Array(Math.max(room, this.size))
    grown.set(this.bytes())
    this.data = grown
    this.owned = true
  }

  /** Make the file `size` bytes long: cut, or extended with zeros. */
  setSize (size) {
    if (size > this.size) {
      this.reserve(size)
      this.data.fill(0, this.size, size)
    }
    this.size = size
  }

  /** Write `bytes` at `at` (at most the file's size: a gap is filled first). */
  writeAt (at, bytes) {
    if (at > this.size) this.setSize(at)
    this.reserve(Math.max(this.size, at + bytes.length))
    this.data.set(bytes, at)
    this.size = Math.max(this.size, at + bytes.length)
  }
}

/**
 * A directory: its entries by name (the guest's UTF-8 bytes, decoded), in the order they
 * were made. `listing` is the entries sorted by their names' UTF-8 bytes, made once per
 * version of the directory (SBX-006.6): every change of `entries` goes through `put` or
 * `remove`, which drop it.
 */
export class Directory {
  constructor () {
    this.entries = new Map()
    this.listing = null
  }

  put (name, node) {
    this.entries.set(name, node)
    this.listing = null
  }

  remove (name) {
    this.entries.delete(name)
    this.listing = null
  }
}

/** A standard stream: `sink` takes the bytes (bounded, SBX-007.2); null is standard input. */
export class StreamFd {
  constructor (sink) { this.sink = sink }
}

/** An open regular file, with the inode number of the path it was opened at (SBX-005.11): the number, not the path (SBX-006.14). */
export class FileFd {
  constructor (file, ino, device, rights, inheriting, flags) {
    Object.assign(this, { file, ino, device, rights, inheriting, flags })
    this.position = 0n
  }

  get readable () { return (this.rights & RIGHT_FD_READ) !== 0n }
  get writable () { return (this.rights & RIGHT_FD_WRITE) !== 0n }
}

/** An open directory: the way from its preopen's root down to it (SBX-006.14). */
export class DirFd {
  constructor (trail, preopen, writable, preopened = false) {
    Object.assign(this, { trail, preopen, writable, preopened })
    this.rights = ALL_RIGHTS
    this.inheriting = ALL_RIGHTS
  }

  get node () { return this.trail.directory }
}

/**
 * Where a path leads: from the trail `base` (the directory it starts from, or one above
 * it after `..`) down through `names` (each with its directory in `below`) to the parent,
 * and `last` the name in it, or null when the path names the parent itself (`.`, `a/..`);
 * `slash` when it ended with `/`. No trail is made for a place no descriptor keeps.
 */
export class Place {
  constructor (start, base, names, below, last, slash) {
    Object.assign(this, { start, base, names, below, last, slash })
  }

  get parent () { return this.below.length ? this.below.at(-1) : this.base.directory }

  /** The parent's levels below its preopen's root, as the path reached it. */
  get depth () { return this.base.depth + this.names.length }

  node () { return this.last === null ? this.parent : this.parent.entries.get(this.last) }

  /** Whether the path reached the parent through `directory` (or at it). */
  holds (directory) {
    if (this.below.includes(directory)) return true
    for (let trail = this.base; trail !== null; trail = trail.up) if (trail.directory === directory) return true
    return false
  }

  /** The inode number of the normalised absolute path (SBX-005.11). */
  number () { return numberOf(this.base.hashWith(this.last === null ? this.names : [...this.names, this.last])) }

  /** A descriptor for `directory`, found at this place: a trail node per name walked below `base`, its hash kept. */
  asDir (directory) {
    let trail = this.base
    this.names.forEach((name, i) => { trail = new Trail(this.below[i], name, trail) })
    if (this.last !== null) trail = new Trail(directory, this.last, trail)
    return new DirFd(trail.keepHash(), this.start.preopen, this.start.writable)
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** One run's filesystem: the tree under the preopens, the descriptors, the write budget. */
export class Filesystem {
  /**
   * @param {Directory} core   the mounted core (SBX-004.1)
   * @param {Map<string, Uint8Array>} inputs  the files of /input (SBX-003.2, SBX-003.3)
   * @param {{budget: number, stdout: object, stderr: object}} options  the write budget (SBX-007.4) and the bounded sinks
   */
  constructor (core, inputs, { budget, stdout, stderr }) {
    this.core = core
    this.out = new Directory()
    this.input = new Directory()
    for (const [name, data] of inputs) this.input.entries.set(name, new File(data))
    const roots = { '/core': this.core, '/input': this.input, '/out': this.out }
    this.descriptors = new Map([[0, new StreamFd(null)], [1, new StreamFd(stdout)], [2, new StreamFd(stderr)]])
    PREOPENS.forEach(([name, writable], i) => this.descriptors.set(3 + i, new DirFd(new Trail(roots[name], name, null).keepHash(), name, writable, true)))
    this.budget = budget // bytes that may still be written (SBX-007.4)
    this.overflow = false // a write went past it
  }

  // -- descriptors (SBX-005.10) ----------------------------------------------------------

  get (fd) {
    const found = this.descriptors.get(fd)
    if (found === undefined) throw new WasiError(EBADF)
    return found
  }

  directory (fd) {
    const found = this.get(fd)
    if (!(found instanceof DirFd)) throw new WasiError(ENOTDIR)
    return found
  }

  file (fd) {
    const found = this.get(fd)
    if (found instanceof FileFd) return found
    throw new WasiError(found instanceof DirFd ? EISDIR : ESPIPE)
  }

  /** EMFILE when the table is full (SBX-005.25), checked before a call changes anything. */
  checkRoom () {
    if (this.descriptors.size >= MAX_DESCRIPTORS) throw new WasiError(EMFILE)
  }

  /** The lowest free descriptor number, now `descriptor`. */
  add (descriptor) {
    this.checkRoom()
    let number = 0
    while (this.descriptors.has(number)) number++
    this.descriptors.set(number, descriptor)
    return number
  }

  close (fd) {
    this.get(fd)
    this.descriptors.delete(fd)
  }

  // -- paths (SBX-005.1, SBX-005.8) ------------------------------------------------------

  /**
   * Where `raw` (the path's bytes), relative to directory `fd`, leads. No path leaves its
   * preopen: an absolute path, or a `..` above the preopen's root, fails with ENOTCAPABLE
   * and is a forbidden attempt. A name that is no UTF-8 can be no tree entry: EILSEQ.
   */
  place (fd, raw) {
    const start = this.directory(fd)
    let text
    try {
      text = utf8.decode(raw)
    } catch {
      throw new WasiError(EILSEQ)
    }
    if (!text) throw new WasiError(ENOENT)
    if (text.includes('\0')) throw new WasiError(EINVAL) // no tree name holds NUL (OBJ-011.2)
    if (text.startsWith('/')) throw new WasiError(ENOTCAPABLE, `the absolute path ${JSON.stringify(text.slice(0, 200))} under a directory`)
    const parts = text.split('/').filter((part) => part && part !== '.')
    let base = start.trail
    const names = []
    const below = []
    let last = null
    parts.forEach((part, index) => {
      if (part === '..') {
        if (below.length) {
          names.pop()
          below.pop()
        } else if (base.up !== null) {
          base = base.up
        } else {
          const depth = start.trail.depth
          const from = depth ? `${start.preopen}/… (${depth} levels down)` : start.preopen
          throw new WasiError(ENOTCAPABLE, `the path ${JSON.stringify(text.slice(0, 200))} from ${from} leaves ${start.preopen} (SBX-005.8, SBX-005.33)`)
        }
      } else if (index === parts.length - 1) {
        last = part
      } else {
        const node = (below.length ? below.at(-1) : base.directory).entries.get(part)
        if (node === undefined) throw new WasiError(ENOENT)
        if (!(node instanceof Directory)) throw new WasiError(ENOTDIR)
        names.push(part)
        below.push(node)
      }
    })
    return new Place(start, base, names, below, last, text.endsWith('/'))
  }

  /** The place and the file or directory `raw` names; ENOENT if none. */
  lookup (fd, raw) {
    const place = this.place(fd, raw)
    const node = place.node()
    if (node === undefined) throw new WasiError(ENOENT)
    if (place.slash && !(node instanceof Directory)) throw new WasiError(ENOTDIR)
    return [place, node]
  }

  /** The name of an entry about to be made at `place` (SBX-005.9, OBJ-011). */
  newEntry (place) {
    if (!place.start.writable) throw new WasiError(EROFS)
    if (place.last === null) throw new WasiError(EEXIST)
    if (Buffer.byteLength(place.last, 'utf8') > MAX_NAME_BYTES) throw new WasiError(ENAMETOOLONG)
    return place.last
  }

  // -- the write budget (SBX-007.4, SBX-007.5) -------------------------------------------

  /** Count `count` (a BigInt) bytes written; past the budget, ENOSPC and the run's overflow. */
  charge (count) {
    if (count > BigInt(this.budget)) {
      this.overflow = true
      throw new WasiError(ENOSPC)
    }
    this.budget -= Number(count)
  }

  /** Write `bytes` at `offset` (a BigInt): the bytes and any gap before them charged first. */
  writeAt (handle, offset, bytes) {
    const file = handle.file
    const gap = offset > BigInt(file.size) ? offset - BigInt(file.size) : 0n
    this.charge(BigInt(bytes.length) + gap)
    file.writeAt(Number(offset), bytes)
  }

  /** Truncate or extend to `size` (a BigInt); the bytes added are charged (SBX-007.5). */
  resize (handle, size) {
    const file = handle.file
    if (size > BigInt(file.size)) this.charge(size - BigInt(file.size))
    file.setSize(Number(size))
  }

  /** The bytes of the regular file /out/<name>, if there is one (SBX-004.5). */
  outBytes (name) {
    const node = this.out.entries.get(name)
    return node instanceof File ? node.bytes() : null
  }
}
