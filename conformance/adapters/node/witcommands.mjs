// The `wit` (ADP-014) and `wasm` (ADP-016) profiles' commands over the executor.
// Each `wit-open` makes a runtime: an in-memory ObjectSpace driven by the
// Executor, with the test actors (Wasm builds) and the update function `replace`.
// The arguments these commands share with the `runtime` profile's (`state`, content
// descriptions, sends, geneses) are parsed by `witArguments`, used by both.

import { BadRequest } from './errors.mjs'
import { compareKeys, toHex } from './bytes.mjs'
import { checkWellFormed } from './description.mjs'
import { blob, idOf, tree } from './witobjects.mjs'
import { coreWith, Executor, testActorCore } from './witexecutor.mjs'
import { WasmWits, loadModule } from './wasmengine.mjs'
import { TEST_ACTORS, TEST_UPDATERS } from './wittestactors.mjs'
import { pythonWitBlob } from './sandbox.mjs'

const MAX_CONTENT_DEPTH = 16
const isJsonObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v)
export const wasmWitBlob = (module) => blob(module, [['abi', '1'], ['runtime', 'wasm']]) // WASM-001
/** Compiled modules, shared by every runtime of both profiles (WASM-002 allows the cache). */
export const sharedWasm = new WasmWits()

/**
 * The arguments the `wit` and `runtime` profiles share (ADP-014, ADP-015), given the
 * adapter's parsers: `state`, the `actor` name, a content description, the whole of
 * a send, and the core of a genesis.
 */
export function witArguments ({ hexArg, idArg, stringArg }) {
  /**
   * `state` (ADP-014): entry names other than `wit` -> blobs of that data. Its shape
   * first (bad-request), then lone surrogates in its names (ADP-004.8); the names'
   * own rules (OBJ-011) when the core is built.
   */
  const stateArg = (args) => {
    const state = 'state' in args ? args.state : {}
    if (!isJsonObject(state) || Object.hasOwn(state, 'wit')) throw new BadRequest("state must map entry names other than 'wit' to hex")
    const blobs = new Map(Object.keys(state).map((k) => [k, blob(hexArg(state, k))]))
    checkWellFormed(Object.keys(state))
    return blobs
  }

  /** The `actor` of wit-genesis: a name whose UTF-8 is blob data, so a lone surrogate is bad-request. */
  const actorArg = (args) => {
    const name = stringArg(args, 'actor')
    if (!name.isWellFormed()) throw new BadRequest('actor must be Unicode text (it holds a lone surrogate)')
    return name
  }

  /** The shape of a whole content description (ADP-014): any fault is bad-request (ADP-004.8). */
  const checkContentShape = (description, depth = 0) => {
    if (depth > MAX_CONTENT_DEPTH) throw new BadRequest(`content nested deeper than ${MAX_CONTENT_DEPTH}`)
    if (!isJsonObject(description) || ('blob' in description) === ('tree' in description)) {
      throw new BadRequest("content must be an object with exactly one of 'blob' and 'tree'")
    }
    if ('blob' in description) {
      if ('headers' in description && !isJsonObject(description.headers)) throw new BadRequest('content headers must be an object')
      hexArg(description, 'blob')
      return
    }
    if (!isJsonObject(description.tree)) throw new BadRequest('a tree content must map names to content descriptions')
    for (const d of Object.values(description.tree)) checkContentShape(d, depth + 1)
  }

  /**
   * The objects of a well-shaped content description, innermost first, a tree's
   * entries in canonical name order (ADP-004.8); the object rules apply in idOf (OBJ-017).
   */
  const buildContent = (description, objects) => {
    let obj
    if ('blob' in description) {
      obj = blob(hexArg(description, 'blob'), Object.entries(description.headers ?? {}))
    } else {
      const names = Object.keys(description.tree).sort(compareKeys)
      obj = tree(names.map((name) => [name, buildContent(description.tree[name], objects)]))
    }
    const id = idOf(obj)
    objects.push(obj)
    return id
  }

  /** `to`, `mt`, `content`, `signal` of a send, checked in the table's order (ADP-004.6, ADP-004.10). */
  const sendArgs = (args) => {
    const to = idArg(args, 'to')
    const mt = args.mt ?? null
    if (mt !== null && typeof mt !== 'string') throw new BadRequest('mt must be a string')
    checkContentShape(args.content)
    const signal = 'signal' in args ? args.signal : false // null is not a boolean (ADP-004.6)
    if (typeof signal !== 'boolean') throw new BadRequest('signal must be a boolean')
    checkWellFormed([mt, args.content]) // then lone surrogates (ADP-004.8)
    const objects = []
    const top = buildContent(args.content, objects)
    const headers = mt === null ? [] : [['mt', mt]]
    return { to, top, headers, objects, signal }
  }

  /** The core of a genesis and its objects: a test actor, a `module` (ADP-016) or a `program` (ADP-019.7). */
  const genesisCore = (args, { programs = true } = {}) => 'module' in args
    ? coreWith(wasmWitBlob(hexArg(args, 'module')), stateArg(args))
    : programs && 'program' in args
      ? coreWith(pythonWitBlob(stringArg(args, 'program')), stateArg(args))
      : testActorCore(actorArg(args), stateArg(args))

  return { stateArg, actorArg, checkContentShape, buildContent, sendArgs, genesisCore }
}

/** The commands, given the adapter's argument parsers. */
export function witCommands ({ hexArg, idArg, stringArg }) {
  const runtimes = new Map()
  const wasm = sharedWasm
  let next = 0
  const { sendArgs, genesisCore } = witArguments({ hexArg, idArg, stringArg })

  const runtimeArg = (args) => {
    const executor = runtimes.get(stringArg(args, 'runtime'))
    if (executor === undefined) throw new BadRequest(`no open runtime ${JSON.stringify(args.runtime).slice(0, 60)}`)
    return executor
  }

  return {
    'wit-open' () {
      const handle = `w${++next}`
      runtimes.set(handle, new Executor({ actors: TEST_ACTORS, updaters: TEST_UPDATERS, wasm }))
      return { runtime: handle }
    },
    'wit-genesis' (args) {
      const executor = runtimeArg(args)
      const { core, objects } = genesisCore(args)
      return { actor: executor.genesis(core, objects) }
    },
    'wit-send' (args) {
      // ADP-004.6: the arguments in the table's order -- runtime, to, mt, content, signal.
      const executor = runtimeArg(args)
      const { to, top, headers, objects, signal } = sendArgs(args)
      return { message: executor.inject(to, top, headers, { objects, signal }) }
    },
    'wit-run' (args) {
      const executor = runtimeArg(args)
      const max = args.max_steps
      if (!Number.isInteger(max) || max < 1) throw new BadRequest('max_steps must be a positive integer')
      return executor.run(max)
    },
    'wit-head' (args) {
      const executor = runtimeArg(args)
      return { step: executor.head(idArg(args, 'actor')) }
    },
    'wit-object' (args) {
      const executor = runtimeArg(args)
      return { bytes: toHex(executor.space.bytes(idArg(args, 'id'))) }
    },
    'wit-query' (args) {
      const executor = runtimeArg(args)
      const actor = idArg(args, 'actor')
      const name = stringArg(args, 'name')
      // ADP-004.11: a name with a lone surrogate is no text, a malformed argument
      if (!name.isWellFormed()) throw new BadRequest('name must be Unicode text (it holds a lone surrogate)')
      if (executor.head(actor) === null) throw new BadRequest(`actor ${actor} has no step to query`)
      return { data: toHex(executor.query(actor, name).data) }
    },
    'wit-close' (args) {
      runtimeArg(args)
      runtimes.delete(args.runtime)
      return {}
    },
    'wasm-load' (args) { // the load checks of WASM-002 alone (ADP-016)
      // On the bytes themselves: a module past the size limit is `invalid-module`
      // (WASM-002) even when, past 16 MiB, it could not be a blob (ENC-013).
      loadModule(hexArg(args, 'module'))
      return {}
    }
  }
}
