// The `runtime` profile's commands (ADP-015) over runtime.mjs. Each `rt-open` makes
// a Runtime on the directory the harness names; a directory used before -- closed,
// or left by a process killed with SIGKILL -- is a restart, recovered from the store
// alone (RUN-003, RUN-007). Two `rt-open`s of one directory are two writers (RUN-002).
// Arguments are checked in the order of the command's table (ADP-004.6).

import fs from 'node:fs'
import { BadRequest } from './errors.mjs'
import { toHex } from './bytes.mjs'
import { witArguments, sharedWasm } from './witcommands.mjs'
import { FIRST_DELAY, MAX_RESIDENT, MAX_RUN_BYTES, MAX_STEP_BYTES, Runtime, TIME_LIMIT } from './runtime.mjs'
import { COMMIT, COMMIT_MODES } from './runtimegroup.mjs'
import { shareArg } from './runtimeshare.mjs'
import { exportBundle, importBundle } from './runtimebundle.mjs'
import { fork } from './runtimefork.mjs'
import { boundImportedCore, CORE_BYTES } from './sandbox.mjs'
import { clearFailed, revert } from './runtimerevert.mjs'
import { eraseBlob, verifyActor } from './runtimeverify.mjs'

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v)
/** `rt-open`'s `sends` (ADP-015, RUN-019.1, RUN-019.2). */
const SEND_MODES = ['own', 'group']

/** The commands, given the adapter's argument parsers. */
export function runtimeCommands ({ hexArg, idArg, stringArg }) {
  const runtimes = new Map() // handle -> { runtime, events: [] }
  let next = 0
  const { stateArg, sendArgs, genesisCore } = witArguments({ hexArg, idArg, stringArg })

  const entryArg = (args) => {
    const entry = runtimes.get(stringArg(args, 'runtime'))
    if (entry === undefined) throw new BadRequest(`no open runtime ${JSON.stringify(args.runtime).slice(0, 60)}`)
    return entry
  }
  const runtimeArg = (args) => entryArg(args).runtime

  /** Text no rule judges (ADP-004.11): a lone surrogate makes it malformed. */
  const textArg = (args, key) => {
    const text = stringArg(args, key)
    if (!text.isWellFormed()) throw new BadRequest(`${key} must be Unicode text (it holds a lone surrogate)`)
    return text
  }

  /** A byte bound of `rt-open` (ADP-015): an integer from 1 to 2**53 - 1, or absent for `fallback`. */
  const byteBound = (args, key, fallback) => {
    if (!(key in args)) return fallback
    const value = args[key]
    if (!Number.isSafeInteger(value) || value < 1) throw new BadRequest(`${key} must be an integer from 1 to 2**53 - 1`)
    return value
  }

  /** The `rt-open` settings (ADP-015), each checked in the table's order. */
  const settingsArg = (args) => {
    const timeLimit = 'time_limit' in args ? args.time_limit : TIME_LIMIT
    if (!isNumber(timeLimit) || !(timeLimit > 0)) throw new BadRequest('time_limit must be a number of seconds > 0')
    const maxResident = 'max_resident' in args ? args.max_resident : MAX_RESIDENT
    if (maxResident !== null && (!Number.isInteger(maxResident) || maxResident < 0)) throw new BadRequest('max_resident must be a non-negative integer or null')
    const idleAfter = 'idle_after' in args ? args.idle_after : null // absent: the idle timeout is off
    if ('idle_after' in args && (!isNumber(idleAfter) || !(idleAfter > 0))) throw new BadRequest('idle_after must be a number of seconds > 0')
    const commit = 'commit' in args ? args.commit : COMMIT
    if (!COMMIT_MODES.includes(commit)) throw new BadRequest(`commit must be one of ${COMMIT_MODES.join(', ')}`) // RUN-017.1
    const firstDelay = 'first_delay' in args ? args.first_delay : FIRST_DELAY
    if (!isNumber(firstDelay) || firstDelay < 0 || firstDelay > 3600) throw new BadRequest('first_delay must be a number of seconds from 0 to 3600')
    // RUN-019.2: grouped sends are accepted, and each send is committed on its own all the
    // same (RUN-019.1): durable when acknowledged, stronger than the mode asks.
    const sends = 'sends' in args ? args.sends : 'own'
    if (!SEND_MODES.includes(sends)) throw new BadRequest(`ADP-015: sends must be one of ${SEND_MODES.join(', ')}`)
    if (sends === 'group' && commit !== 'group') throw new BadRequest("ADP-015, RUN-019.2: sends 'group' needs commit 'group'")
    const share = shareArg(args) // RUN-021: null, or the share this runtime runs
    const maxStepBytes = byteBound(args, 'max_step_bytes', MAX_STEP_BYTES) // RUN-022.2
    const maxRunBytes = byteBound(args, 'max_run_bytes', MAX_RUN_BYTES) // RUN-023.2
    const maxCoreBytes = byteBound(args, 'max_core_bytes', CORE_BYTES) // SBX-007.7
    return { timeLimit, maxResident, idleAfter, commit, firstDelay, share, maxStepBytes, maxRunBytes, maxCoreBytes }
  }

  return {
    'rt-open' (args) {
      const path = stringArg(args, 'path')
      let isDirectory = false
      try { isDirectory = fs.statSync(path).isDirectory() } catch { /* absent, or a name too long */ }
      if (!isDirectory) throw new BadRequest(`${JSON.stringify(path).slice(0, 80)} is not a directory`)
      const settings = settingsArg(args)
      const runtime = new Runtime(path, settings, sharedWasm)
      const entry = { runtime, events: [] }
      runtime.subscribe((event) => entry.events.push(event)) // buffered for rt-events
      const handle = `r${++next}`
      runtimes.set(handle, entry)
      const answered = {
        time_limit: settings.timeLimit,
        max_resident: settings.maxResident,
        idle_after: settings.idleAfter,
        max_step_bytes: settings.maxStepBytes,
        max_run_bytes: settings.maxRunBytes,
        max_core_bytes: settings.maxCoreBytes // SBX-007.7
      }
      if (settings.share !== null) answered.share = [settings.share.k, settings.share.n] // RUN-021
      return { runtime: handle, settings: answered }
    },
    'rt-genesis' (args) {
      const runtime = runtimeArg(args)
      const { core, objects } = genesisCore(args, { programs: false })
      return { actor: runtime.genesis(core, objects) }
    },
    'rt-send' (args) {
      const runtime = runtimeArg(args)
      const { to, top, headers, objects, signal } = sendArgs(args)
      return { message: runtime.send(to, top, headers, { objects, signal }) }
    },
    'rt-run' (args) {
      const runtime = runtimeArg(args)
      const max = args.max_steps
      if (!Number.isInteger(max) || max < 1) throw new BadRequest('max_steps must be a positive integer')
      return runtime.run(max)
    },
    'rt-head' (args) {
      const runtime = runtimeArg(args)
      return { step: runtime.head(idArg(args, 'actor')) }
    },
    'rt-object' (args) {
      const runtime = runtimeArg(args)
      return { bytes: toHex(runtime.space.bytes(idArg(args, 'id'))) }
    },
    'rt-query' (args) {
      const runtime = runtimeArg(args)
      const actor = idArg(args, 'actor')
      const name = textArg(args, 'name')
      if (runtime.head(actor) === null) throw new BadRequest(`actor ${actor} has no step to query`)
      return { data: toHex(runtime.query(actor, name).data) }
    },
    'rt-ref' (args) {
      const runtime = runtimeArg(args)
      return { target: runtime.space.store.getRef(stringArg(args, 'name')) }
    },
    'rt-events' (args) {
      const entry = entryArg(args)
      const events = entry.events
      entry.events = []
      return { events }
    },
    'rt-evict' (args) {
      return { evicted: runtimeArg(args).evictIdle(true) }
    },
    'rt-fork' (args) {
      const runtime = runtimeArg(args)
      const actor = idArg(args, 'actor')
      const step = idArg(args, 'step')
      const state = stateArg(args) // passes 1 and 2 (ADP-004.10); pass 3 inside fork
      return { actor: fork(runtime.space, actor, step, state) }
    },
    'rt-revert' (args) {
      const runtime = runtimeArg(args)
      const actor = idArg(args, 'actor')
      const step = idArg(args, 'step')
      const made = revert(runtime.space, actor, step) // RUN-024
      runtime.dirty.add(actor) // RUN-025.4: busy until a run has looked at it
      return { step: made }
    },
    'rt-clear' (args) {
      const runtime = runtimeArg(args)
      const actor = idArg(args, 'actor')
      const cleared = clearFailed(runtime.space, actor) // RUN-025
      if (cleared) runtime.dirty.add(actor) // RUN-025.4: busy until a run has looked at it
      return { cleared }
    },
    'rt-export' (args) {
      const runtime = runtimeArg(args)
      return { bundle: toHex(exportBundle(runtime.space, idArg(args, 'actor'))) }
    },
    'rt-import' (args) {
      const runtime = runtimeArg(args)
      // SBX-006.18 under the importing runtime's core limit (SBX-007.7)
      const bound = (get, core) => boundImportedCore(get, core, runtime.maxCoreBytes)
      return importBundle(runtime.space, hexArg(args, 'bundle'), bound)
    },
    'rt-verify' (args) {
      const runtime = runtimeArg(args)
      const { verified, steps, erased } = verifyActor(runtime.space, idArg(args, 'actor'))
      return { verified, steps, erased }
    },
    'rt-erase' (args) {
      const runtime = runtimeArg(args)
      const blob = idArg(args, 'blob')
      const reason = textArg(args, 'reason')
      if (reason === '') throw new BadRequest('reason must be non-empty text')
      eraseBlob(runtime.space, blob, reason)
      return {}
    },
    'rt-close' (args) {
      const entry = entryArg(args)
      entry.runtime.close()
      runtimes.delete(args.runtime)
      return {}
    }
  }
}


