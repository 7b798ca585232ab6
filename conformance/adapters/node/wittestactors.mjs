// The test actors (WIT-019 … WIT-027) and the update function `replace` (WIT-014).
//
// A core's `wit` stays the test-actor blob (runtime "test-actor", data the name,
// WIT-001); this host runs the name as the Wasm build of that actor in
// conformance/wasm/actors/<name>.wasm (WASM-022 allows exactly that). Two
// differences from running the module as a Wasm Wit: a failure of the module
// itself (trap, fuel …) is the test actor failing, class `failed` in wit-run
// (ADP-014); and `slow` is simulated (WIT-027 allows it): its transition fails at
// once instead of burning 100 000 000 units of fuel. Its queries run its module.

import { readFileSync } from 'node:fs'
import { GritError, fail } from './errors.mjs'
import { getTyped, tree } from './witobjects.mjs'
import { loadModule, wasmWit } from './wasmengine.mjs'
import { WIT_UPDATE } from './witsteps.mjs'
import { WASM_CLASSES } from './witexecutor.mjs'

const ACTORS_DIR = new URL('../../wasm/actors/', import.meta.url)
export const TEST_ACTOR_NAMES = ['echo', 'counter', 'fanout', 'spawner', 'updater', 'failing', 'budget', 'requester', 'slow']

/** A failure of a test actor that the Wit chapter does not classify: `failed` in wit-run. */
class TestActorFailure extends Error {
  constructor (message) { super(message); this.witFailure = true }
}

function testActor (name) {
  let wit = null
  const module = () => {
    if (wit === null) {
      const bytes = new Uint8Array(readFileSync(new URL(`${name}.wasm`, ACTORS_DIR)))
      wit = wasmWit(loadModule(bytes), null)
    }
    return wit
  }
  const run = (inp) => {
    if (name === 'slow') throw new TestActorFailure('slow: the transition overran its bound (WIT-027, simulated)')
    try {
      return module()(inp)
    } catch (err) {
      // The module's own failure (a Wasm class) is not one the Wit chapter gives a transition.
      if (err instanceof GritError && WASM_CLASSES.has(err.errorClass)) {
        throw new TestActorFailure(`test actor ${name} failed: ${err.errorClass}: ${err.message}`)
      }
      throw err
    }
  }
  run.query = (queryName, inp) => module().query(queryName, inp)
  return run
}

export const TEST_ACTORS = new Map(TEST_ACTOR_NAMES.map((name) => [name, testActor(name)]))

/** `replace` (WIT-014): the new core is the update's tree without its `wit_update` entry. */
function replace (inp) {
  const [[sender, [item]]] = inp.pending
  const update = getTyped(inp.objects, item.message.content, 'tree')
  if (update === null) throw new TestActorFailure("an update's content must be a tree (WIT-013)")
  const core = tree([...update.entries].filter(([name]) => name !== WIT_UPDATE))
  if (!core.entries.size) fail('invalid-object', 'OBJ-010', 'replace would leave an empty core') // not a Wit class: `failed`
  return { core, read: new Map([[sender, 1]]), sends: [], newObjects: [core] }
}

export const TEST_UPDATERS = new Map([['replace', replace]])
