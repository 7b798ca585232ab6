// A durable backend for store.mjs: a directory of plain files (DUR-001 ... DUR-004).
//
// Layout:
//   <dir>/objects/<id>                one file per object: exactly the bytes put
//   <dir>/refs/<16-digit n>.json      version n of the whole ref table; the highest n is current
//   <dir>/tmp/                        scratch files, written and fsynced before they are published
//
// Every change is published the same crash-safe way: write a temp file, fsync
// it, *hard-link* it to its final name, fsync the directory. link(2) is atomic
// and, unlike rename(2), fails with EEXIST rather than replace an existing file:
//   - an object file appears whole or not at all (DUR-002), and is never
//     replaced (STO-006); a second put of the same bytes finds it there (STO-002);
//     only a corrupt copy is replaced, by rename(2) of a fsynced file (STO-002.3);
//   - a ref swap creates version n+1 of the table. Of several writers that read
//     version n, exactly one creates n+1; the others get EEXIST, re-read and
//     re-check `expected` (compare-and-swap across threads and processes, DUR-003)
//     -- and there is no lock file that a SIGKILLed process could leave behind.
// Nothing is cached in memory, so a second process on the same directory sees
// everything the first one published (DUR-001). The fsyncs are DUR-004.

import fs from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'

const VERSION_FILE = /^(\d{16})\.json$/
const REFS_FORMAT = 'gritwit-node-refs/1'

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
  versionPath (n) { return path.join(this.dir, 'refs', `${String(n).padStart(16, '0')}.json`) }

  /** Make `data` appear at `target` atomically; false if `target` already exists. */
  publish (data, target) {
    const tmp = path.join(this.dir, 'tmp', `${process.pid}-${randomUUID()}`)
    const fd = fs.openSync(tmp, 'wx')
    try {
      fs.writeFileSync(fd, data)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    try {
      fs.linkSync(tmp, target)
      syncDirectory(path.dirname(target))
      return true
    } catch (err) {
      if (err.code === 'EEXIST') return false
      throw err
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

  /** The current ref table: the highest version present. */
  current () {
    for (;;) {
      const versions = fs.readdirSync(path.join(this.dir, 'refs'))
        .map((name) => VERSION_FILE.exec(name)).filter(Boolean).map((m) => Number(m[1]))
      if (versions.length === 0) return { version: 0, table: new Map() }
      const version = Math.max(...versions)
      try {
        const stored = JSON.parse(fs.readFileSync(this.versionPath(version), 'utf8'))
        return { version, table: new Map(Object.entries(stored.refs)) }
      } catch (err) {
        if (err.code !== 'ENOENT') throw err // pruned by another writer meanwhile: look again
      }
    }
  }

  refs () { return this.current().table }

  swap (name, expected, next) {
    for (;;) {
      const { version, table } = this.current()
      const current = table.get(name) ?? null
      if (current !== expected) return { ok: false, current }
      if (next === null) table.delete(name)
      else table.set(name, next)
      const json = JSON.stringify({ format: REFS_FORMAT, refs: Object.fromEntries(table) })
      if (this.publish(Buffer.from(json), this.versionPath(version + 1))) {
        this.prune(version)
        return { ok: true, current: next }
      }
      // Another writer published version + 1 first: start again from the new table.
    }
  }

  /** Remove table versions older than `keep` (readers that lose a race just look again). */
  prune (keep) {
    for (const name of fs.readdirSync(path.join(this.dir, 'refs'))) {
      const m = VERSION_FILE.exec(name)
      if (m && Number(m[1]) < keep) fs.rmSync(path.join(this.dir, 'refs', name), { force: true })
    }
  }

  close () {} // no open handles between calls
}
