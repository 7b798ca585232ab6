// A durable backend for store.mjs: a directory of plain files (DUR-001 ... DUR-004).
//
// Layout:
//   <dir>/objects/<id>                one file per object: exactly the bytes put
//   <dir>/refs/<name>/<16-digit n>    version n of one ref (its target, or empty: deleted)
//   <dir>/erased/<id>                 the tombstone of an erased blob: its reason (RUN-011)
//   <dir>/tmp/                        scratch files, written and fsynced before they are published
//
// Every change is published the same crash-safe way: write a temp file, fsync
// it, *hard-link* it to its final name, fsync the directory. link(2) is atomic
// and, unlike rename(2), fails with EEXIST rather than replace an existing file:
//   - an object file appears whole or not at all (DUR-002), and is never
//     replaced (STO-006); a second put of the same bytes finds it there (STO-002);
//     only a corrupt copy is replaced, by rename(2) of a fsynced file (STO-002.3);
//   - a ref swap creates version n+1 of that ref. Of several writers that read
//     version n, exactly one creates n+1; the others get EEXIST, re-read and
//     re-check `expected` (compare-and-swap across threads and processes, DUR-003)
//     -- and there is no lock file that a SIGKILLed process could leave behind.
//     Old versions are removed only long after they were replaced (`prune`), so
//     that no number is ever claimed twice.
// Nothing is cached in memory, so a second process on the same directory sees
// everything the first one published (DUR-001). The fsyncs are DUR-004.

import fs from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'

const VERSION_FILE = /^\d{16}$/
const versionName = (n) => String(n).padStart(16, '0')
/** How old a replaced version must be before it is removed (see `prune`). */
const PRUNE_AFTER_MS = 60_000

/** fsync a directory, so that a link made in it survives a power loss (DUR-004). */
function syncDirectory (dir) {
  const fd = fs.openSync(dir, 'r')
  try { fs.fsyncSync(fd) } finally { fs.closeSync(fd) }
}

export class DirectoryBackend {
  constructor (dir) {
    this.dir = dir
    for (const sub of ['objects', 'refs', 'tmp']) fs.mkdirSync(path.join(dir, sub), { recursive: true })
  }

  objectPath (id) { return path.join(this.dir, 'objects', id) }

  /** Write `data` to a new scratch file and fsync it: its path, to be linked and then removed. */
  stage (data) {
    const tmp = path.join(this.dir, 'tmp', `${process.pid}-${randomUUID()}`)
    const fd = fs.openSync(tmp, 'wx')
    try {
      fs.writeFileSync(fd, data)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    return tmp
  }

  /** Hard-link the staged file `tmp` to `target`; false if `target` exists already. */
  claim (tmp, target, sync = true) {
    try {
      fs.linkSync(tmp, target)
    } catch (err) {
      if (err.code === 'EEXIST') return false
      throw err
    }
    if (sync) syncDirectory(path.dirname(target))
    return true
  }

  /**
   * Make `data` appear at `target` atomically; false if `target` already exists.
   * `syncDirectory: false` leaves the directory's fsync to the caller, who publishes
   * several files and then syncs their directory once (`syncObjects`).
   */
  publish (data, target, { syncDirectory: sync = true } = {}) {
    const tmp = this.stage(data)
    try {
      return this.claim(tmp, target, sync)
    } finally {
      fs.unlinkSync(tmp)
    }
  }

  // --- objects ---

  read (id) {
    try {
      return new Uint8Array(fs.readFileSync(this.objectPath(id)))
    } catch (err) {
      if (err.code === 'ENOENT') return null
      throw err
    }
  }

  contains (id) { return fs.existsSync(this.objectPath(id)) }

  insert (id, bytes) { this.publish(bytes, this.objectPath(id)) } // EEXIST: already stored

  /** fsync the objects' directory: the links of every object published before are durable. */
  syncObjects () { syncDirectory(path.join(this.dir, 'objects')) }

  /** Replace the corrupt copy of `id` with `bytes`, atomically (rename(2)) (STO-002.3). */
  mend (id, bytes) {
    const tmp = path.join(this.dir, 'tmp', `${process.pid}-${randomUUID()}`)
    const fd = fs.openSync(tmp, 'wx')
    try {
      fs.writeFileSync(fd, bytes)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, this.objectPath(id))
    syncDirectory(path.join(this.dir, 'objects'))
  }

  flipBit (id) {
    let fd
    try {
      fd = fs.openSync(this.objectPath(id), 'r+')
    } catch (err) {
      if (err.code === 'ENOENT') return false
      throw err
    }
    try {
      const at = fs.fstatSync(fd).size >> 1
      const byte = Buffer.alloc(1)
      fs.readSync(fd, byte, 0, 1, at)
      byte[0] ^= 0x01
      fs.writeSync(fd, byte, 0, 1, at)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    return true
  }

  // --- refs ---
  // One directory per ref, `refs/<name with '/' as '+'>/`, holding numbered versions
  // of that ref alone: `<16-digit n>` is version n, its content the target's text-form
  // id, or empty once the ref is deleted. The highest n is current. A swap publishes
  // version n+1; of several writers that read version n exactly one creates it
  // (link(2) fails EEXIST for the others), which re-read and re-check `expected`
  // (DUR-003). One ref's swap writes one small file, whatever the number of refs --
  // a runtime keeps a head per actor (RUN-001), thousands of them.

  refDir (name) { return path.join(this.dir, 'refs', name.replaceAll('/', '+')) }

  /** The current version of ref `name`: { version, target } (version 0: never set). */
  version (name) {
    const dir = this.refDir(name)
    for (;;) {
      let names
      try {
        names = fs.readdirSync(dir)
      } catch (err) {
        if (err.code === 'ENOENT') return { version: 0, target: null }
        throw err
      }
      const versions = names.filter((n) => VERSION_FILE.test(n)).map(Number)
      if (versions.length === 0) return { version: 0, target: null }
      const version = Math.max(...versions)
      try {
        const text = fs.readFileSync(path.join(dir, versionName(version)), 'utf8')
        return { version, target: text === '' ? null : text }
      } catch (err) {
        if (err.code !== 'ENOENT') throw err // pruned by another writer meanwhile: look again
      }
    }
  }

  ref (name) { return this.version(name).target }

  refs () {
    const table = new Map()
    for (const entry of fs.readdirSync(path.join(this.dir, 'refs'))) {
      const name = entry.replaceAll('+', '/')
      const target = this.ref(name)
      if (target !== null) table.set(name, target)
    }
    return table
  }

  /**
   * Compare-and-swap (DUR-003). The new version's file is written and fsynced first, so
   * that between reading version n and claiming n + 1 nothing slow happens: a writer
   * that read n while another moved the ref on finds n + 1 taken (EEXIST), re-reads and
   * re-checks `expected` -- a lost swap, which overwrites nothing (RUN-002.2, RUN-002.4).
   */
  swap (name, expected, next) {
    const dir = this.refDir(name)
    if (!fs.existsSync(dir)) {
      fs.mkdirSync(dir, { recursive: true })
      syncDirectory(path.dirname(dir)) // the new ref's directory survives a power loss (DUR-004)
    }
    const tmp = this.stage(Buffer.from(next ?? ''))
    try {
      for (;;) {
        const { version, target } = this.version(name)
        if (target !== expected) return { ok: false, current: target }
        if (this.claim(tmp, path.join(dir, versionName(version + 1)))) {
          this.prune(dir, version + 1)
          return { ok: true, current: next }
        }
        // Another writer claimed version + 1 first: start again from it.
      }
    } finally {
      fs.unlinkSync(tmp)
    }
  }

  /**
   * Remove old versions of a ref: those below `keep` - 1 (the version just replaced
   * stays) claimed more than PRUNE_AFTER_MS ago. Removing version n frees its number,
   * and a writer that read n - 1 before n was claimed could then claim n *again* and
   * take its lost swap for a win (its step or send silently dropped). So a version
   * goes only once its claim is older than any writer's read-then-claim: its ctime,
   * which the link that claimed it set, is a minute old (the harness stops an adapter
   * that takes 10 s to answer). The scan stops at the first version still young.
   */
  prune (dir, keep) {
    const old = fs.readdirSync(dir).filter((n) => VERSION_FILE.test(n) && Number(n) < keep - 1).sort()
    const now = Date.now()
    for (const name of old) {
      const file = path.join(dir, name)
      let changed
      try {
        changed = fs.statSync(file).ctimeMs
      } catch (err) {
        if (err.code === 'ENOENT') continue // pruned by another writer meanwhile
        throw err
      }
      if (now - changed < PRUNE_AFTER_MS) break
      fs.rmSync(file, { force: true })
    }
  }

  // --- tombstones (RUN-011) ---
  // `erased/<id>` holds the reason a blob was erased. It is published before the
  // object's file is removed, and every read looks for it first, so the erasure is
  // atomic for readers (RUN-011.2): the bytes are gone as soon as the tombstone exists.

  tombstone (id) {
    try {
      return fs.readFileSync(path.join(this.dir, 'erased', id), 'utf8')
    } catch (err) {
      if (err.code === 'ENOENT') return null
      throw err
    }
  }

  /** Whether `id` has a tombstone: one stat, no read (every read of the runtime asks, RUN-011.3). */
  erased (id) { return fs.existsSync(path.join(this.dir, 'erased', id)) }

  erase (id, reason) {
    fs.mkdirSync(path.join(this.dir, 'erased'), { recursive: true })
    this.publish(Buffer.from(reason, 'utf8'), path.join(this.dir, 'erased', id)) // EEXIST: erased already
    fs.rmSync(this.objectPath(id), { force: true })
    syncDirectory(path.join(this.dir, 'objects'))
  }

  close () {} // no open handles between calls
}
