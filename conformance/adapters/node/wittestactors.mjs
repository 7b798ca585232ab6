// The test actors (WIT-019 … WIT-027, WIT-030) and the update function `replace` (WIT-014).
//
// A core's `wit` stays the test-actor blob (runtime "test-actor", data the name,
// WIT-001); this host runs the name as the Wasm build of that actor,
// <wasm>/actors/<name>.wasm (WASM-022 allows exactly that), where <wasm> is the suite's
// folder of Wasm builds: the one the harness names in $GRITWIT_WASM_DIR (ADP-001.5),
// so that a copy of this adapter outside a gritwit clone runs the builds the installed
// suite judges with; else conformance/wasm of the clone this file sits in. Two
// differences from running the module as a Wasm Wit: a failure of the module
// itself (trap, fuel …) is the test actor failing, class `failed` in wit-run
// (ADP-014); and `slow` is simulated (WIT-027 allows it): its transition fails at
// once instead of burning 100 000 000 units of fuel. Its queries run its module.
// `sleepy` (WIT-030) has no Wasm build: it is native JavaScript below, and really
// sleeps (synchronously, Atomics.wait) for each `nap`, never simulated (WIT-030.1).
// `fanout`'s transitions are native too (WIT-028.1 allows it): its Wasm build can make
// at most 1024 effects a call (WASM-018), so it fails a `fanout` naming more actors,
// which WIT-021.1 does not bound -- and a step that writes to tens of thousands of
// recipients is what a chained outbox's merge cap is tested with (WIT-009.6). Its
// queries still run its module.

import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { GritError, fail } from './errors.mjs'
import { getTyped, textBlob, tree } from './witobjects.mjs'
import { loadModule, wasmWit } from './wasmengine.mjs'
import { mtOf, WIT_UPDATE } from './witsteps.mjs'
import { WASM_CLASSES } from './witexecutor.mjs'
import { sleepWithin } from './deadline.mjs'

// The folder of the test actors' builds: the suite's, named by the harness (ADP-001.5),
// else the clone's; null when neither is there (a copy run by hand: set the variable).
const ACTORS_DIR = (() => {
  const named = process.env.GRITWIT_WASM_DIR
  if (named) return pathToFileURL(path.join(named, 'actors') + path.sep)
  const inClone = new URL('../../wasm/actors/', import.meta.url)
  return existsSync(inClone) ? inClone : null
})()

function actorBytes (name) {
  if (ACTORS_DIR === null) {
    throw new Error(`no Wasm build of the test actor ${name}: set GRITWIT_WASM_DIR to the suite's ` +
      'conformance/wasm folder (the harness does; python -c "from gritwit_conformance.data ' +
      'import wasm_dir; print(wasm_dir())" prints it), or run this adapter from a gritwit clone ' +
      '(WASM-022, ADP-001.5)')
  }
  return new Uint8Array(readFileSync(new URL(`${name}.wasm`, ACTORS_DIR)))
}
// The test actors with a Wasm build (all but `sleepy`, WIT-030).
export const TEST_ACTOR_NAMES = ['echo', 'counter', 'fanout', 'spawner', 'updater', 'failing', 'budget', 'requester', 'slow']

/** A failure of a test actor that the Wit chapter does not classify: `failed` in wit-run. */
class TestActorFailure extends Error {
  constructor (message) { super(message); this.witFailure = true }
}

function testActor (name) {
  let wit = null
  const module = () => {
    if (wit === null) {
      const bytes = actorBytes(name)
      wit = wasmWit(loadModule(bytes), null)
    }
    return wit
  }
  const run = (inp) => {
    if (name === 'slow') { // simulated: retried as a real overrun is (WIT-027.1, RUN-004.10)
      throw Object.assign(new TestActorFailure('slow: the transition overran its bound (WIT-027, simulated)'), { overran: true })
    }
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

const TEXT_ID = /^[0-9a-f]{64}$/ // WIT-028.6: a text-form id, as data
const utf8 = new TextDecoder('utf-8', { fatal: false })

/**
 * `fanout` (WIT-021.1): each `fanout` whose content is a tree queues `fanned`, that
 * content, to each entry naming an actor (a present blob holding a text-form id), in
 * the tree's canonical order; everything is read, nothing else has an effect.
 */
function fanout (inp) {
  const sends = []
  for (const sender of [...inp.pending.keys()].sort()) { // senders in id order (WIT-028.2)
    for (const item of inp.pending.get(sender)) {
      const list = mtOf(item) === 'fanout' ? getTyped(inp.objects, item.message.content, 'tree') : null
      if (list === null) continue // read without effect (WIT-028.3, WIT-028.4)
      for (const id of list.entries.values()) { // a tree's entries are in canonical order (ENC-010)
        const named = getTyped(inp.objects, id, 'blob')
        const to = named === null || named.data.length !== 64 ? null : utf8.decode(named.data)
        if (to !== null && TEXT_ID.test(to)) sends.push({ recipient: to, content: item.message.content, headers: [['mt', 'fanned']], signal: false })
      }
    }
  }
  const read = new Map([...inp.pending].map(([sender, items]) => [sender, items.length]))
  return { core: inp.core, read, sends, newObjects: [] }
}

/** `sleepy`'s line of WIT-018's catalogue, byte for byte. */
const SLEEPY_WUT = '{"description":"Sleeps for each mt \'nap\' before its step ends; the runtime bounds it.",' +
  '"messages":[{"description":"Content: a decimal number of milliseconds, at most 5000.","mt":"nap"}],' +
  '"name":"sleepy","queries":[{"description":"This description, as JSON.","name":"wut"}]}'
const MAX_NAP_MS = 5000

/** The value of a decimal (WIT-028.6): 1 to 18 ASCII digits; null for anything else. */
function decimal (data) {
  if (data.length < 1 || data.length > 18 || !data.every((b) => b >= 0x30 && b <= 0x39)) return null
  return Number(Buffer.from(data).toString('ascii')) // exact enough: only compared with 5000
}

/** `sleepy` (WIT-030.1): sleeps for each valid `nap`, then `slept` = its content id. */
function sleepy (inp) {
  const entries = new Map(inp.core.entries)
  let changed = false
  for (const sender of [...inp.pending.keys()].sort()) { // senders in id order (WIT-028.2)
    for (const item of inp.pending.get(sender)) {
      if (mtOf(item) !== 'nap') continue // genesis, update and the rest: read only (WIT-028.3/4)
      const content = getTyped(inp.objects, item.message.content, 'blob')
      const millis = content === null ? null : decimal(content.data)
      if (millis === null || millis > MAX_NAP_MS) continue // read without effect (WIT-028.4)
      sleepWithin(millis) // a real sleep, cut short by the runtime's bound (deadline.mjs)
      entries.set('slept', item.message.content)
      changed = true
    }
  }
  const core = changed ? tree(entries) : inp.core
  const read = new Map([...inp.pending].map(([sender, items]) => [sender, items.length]))
  return { core, read, sends: [], newObjects: [core] }
}
sleepy.query = (queryName) => {
  if (queryName === 'wut') return textBlob(SLEEPY_WUT, [['content-type', 'application/json']])
  fail('unknown-query', 'WIT-017.3', `test actor sleepy has no query ${JSON.stringify(queryName).slice(0, 60)}`)
}

fanout.query = testActor('fanout').query

export const TEST_ACTORS = new Map([...TEST_ACTOR_NAMES.map((name) => [name, testActor(name)]), ['sleepy', sleepy], ['fanout', fanout]])

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
