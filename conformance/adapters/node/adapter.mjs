#!/usr/bin/env node
// A Grit conformance adapter in Node.js: the `codec`, `store`, `wit`, `runtime`,
// `wasm` and `perf` (and optionally `sandbox`) profiles of the adapter protocol (spec/05-adapter-protocol.md, protocol version 1).
//
//   node conformance/adapters/node/adapter.mjs
//
// reads one JSON request per line on stdin and writes one JSON response per
// line on stdout (ADP-001). Nothing else ever goes to stdout; logs go to stderr.

import readline from 'node:readline'
import { readFileSync } from 'node:fs'
import { GritError, BadRequest } from './errors.mjs'
import { fromHex, toHex } from './bytes.mjs'
import { decodeObject, encodeObject, encodeValue, hash, objectId } from './codec.mjs'
import { decodeStrict } from './strict.mjs'
import { objectToJson } from './description.mjs'
import { Store, MemoryBackend } from './store.mjs'
import { DirectoryBackend } from './durable.mjs'
import { witCommands } from './witcommands.mjs'
import { runtimeCommands } from './runtimecommands.mjs'
import { perfCommands } from './perf.mjs'
import { interpreter, metered, sandboxCommands } from './sandbox.mjs'
import { fractionWritten, repeatedKey } from './jsonkeys.mjs'

const PROTOCOL = 1 // ADP-005
// The spec version this adapter claims in hello (ADP-005.4, ADP-005.5), written here and
// nowhere else: in your copy, edit it when your implementation follows a newer text (the
// versions and what each changed are in spec/CHANGES.md). It is the release the text this
// example follows leads to. Inside a gritwit clone the example follows the text of the
// tree it sits in instead, so there it claims that text's development version, counted
// from the tree's spec/CHANGES.md as the reference does (CONV-003.7, CONV-003.8): the
// release, and .devN while the Unreleased section holds N entries.
const SPEC_VERSION = '0.4.0'
function claimedSpec () {
  let changes
  try {
    changes = readFileSync(new URL('../../../spec/CHANGES.md', import.meta.url), 'utf8')
  } catch {
    return SPEC_VERSION // a copy outside a clone: the version written above
  }
  const heading = /^##\s+Unreleased\b.*$/im.exec(changes)
  if (heading === null) return SPEC_VERSION
  const rest = changes.slice(heading.index + heading[0].length)
  const next = /^##\s/m.exec(rest)
  const section = next === null ? rest : rest.slice(0, next.index)
  const entries = (section.match(/^- /gm) || []).length
  return entries ? `${SPEC_VERSION}.dev${entries}` : SPEC_VERSION
}
const CLAIMED_SPEC = claimedSpec()
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'))

// --- arguments (ADP-002, ADP-004) -----------------------------------------------------
// A malformed argument is the harness's mistake: `bad-request` (ADP-007). The one
// exception is an id that is not a text-form id: ID-003 names `invalid-id` for that.

function hexArg (args, key) {
  const bytes = fromHex(args[key])
  if (bytes === null) throw new BadRequest(`${key} must be a lowercase hex string`)
  return bytes
}

function idArg (args, key) {
  const text = args[key]
  if (typeof text !== 'string') throw new BadRequest(`${key} must be a text-form id`)
  if (!/^[0-9a-f]{64}$/.test(text)) throw new GritError('invalid-id', 'ID-003', `${key} is not 64 lowercase hex digits`)
  return text
}

function idOrNullArg (args, key) {
  if (!(key in args)) throw new BadRequest(`missing ${key}`)
  return args[key] === null ? null : idArg(args, key)
}

function stringArg (args, key) {
  if (typeof args[key] !== 'string') throw new BadRequest(`${key} must be a string`)
  return args[key]
}

// --- the session: open stores by handle -------------------------------------------------

const stores = new Map() // handle -> { store, path }
let nextHandle = 0
let shuttingDown = false

function storeArg (args) {
  const entry = stores.get(stringArg(args, 'store'))
  if (entry === undefined) throw new BadRequest(`no open store ${JSON.stringify(args.store).slice(0, 60)}`)
  return entry
}

// --- the commands (ADP-005, ADP-009, ADP-010) -------------------------------------------

const COMMANDS = {
  hello (args) {
    if (!Number.isSafeInteger(args.protocol)) { // ADP-004.6: true or "1" is no version
      throw new BadRequest('protocol must be an integer (ADP-004.6)')
    }
    if (args.protocol !== PROTOCOL) {
      throw new GritError('unsupported-protocol', 'ADP-005', `this adapter speaks protocol ${PROTOCOL}`)
    }
    if (interpreter() !== null) metered() // the metered interpreter ready before the first run
    return {
      protocol: PROTOCOL,
      implementation: {
        name: 'gritwit-node-example',
        version,
        language: 'javascript',
        homepage: 'https://github.com/gritwit/gritwit/tree/main/conformance/adapters/node',
        spec: CLAIMED_SPEC
      },
      // sandbox (ADP-019) only with the pinned interpreter at $GRITWIT_SANDBOX_PYTHON
      profiles: ['codec', 'store', 'wit', 'runtime', 'wasm', 'perf', ...(interpreter() === null ? [] : ['sandbox'])],
      features: ['shares'], // ADP-005.7: rt-open takes share (RUN-021)
      known_failures: [{ // ADP-005.3: tracked, and reported as a failure once it passes
        test: 'test_every_nan_an_instruction_produces_is_canonical',
        reason: 'V8 does not canonicalise NaN results (WASM-006.1); see README, Deviations'
      }, {
        test: 'test_a_flat_genesis_core_is_mounted_within_the_default_bound_or_refused[at-the-bound]',
        reason: 'a flat core of 2**18 files does not mount within the default 5 s (RUN-005.1, SBX-006.15); see README, Deviations'
      }]
    }
  },
  shutdown () { // the loop below exits after answering (ADP-011)
    shuttingDown = true
    return {}
  },

  // codec (ADP-009)
  encode (args) {
    const { bytes, id } = encodeObject(args.object)
    return { bytes: toHex(bytes), id: toHex(id) }
  },
  decode (args) {
    const bytes = hexArg(args, 'bytes')
    return { object: objectToJson(decodeObject(bytes)), id: toHex(hash(bytes)) }
  },
  id (args) { return { id: toHex(objectId(hexArg(args, 'bytes'))) } },
  'decode-value' (args) { return { bytes: toHex(encodeValue(decodeStrict(hexArg(args, 'bytes')))) } },
  hash (args) { return { digest: toHex(hash(hexArg(args, 'bytes'))) } },

  // store (ADP-010)
  'store-open' (args) {
    let store, path = null
    if (args.kind === 'memory') {
      store = new Store(new MemoryBackend())
    } else if (args.kind === 'durable') {
      path = stringArg(args, 'path')
      store = new Store(new DirectoryBackend(path))
    } else {
      throw new BadRequest('kind must be "memory" or "durable"')
    }
    const handle = `s${++nextHandle}`
    stores.set(handle, { store, path })
    return { store: handle }
  },
  put (args) { return { id: storeArg(args).store.put(hexArg(args, 'bytes')) } },
  get (args) { return { bytes: toHex(storeArg(args).store.get(idArg(args, 'id'))) } },
  has (args) { return { present: storeArg(args).store.has(idArg(args, 'id')) } },
  'ref-get' (args) { return { id: storeArg(args).store.getRef(stringArg(args, 'name')) } },
  'ref-cas' (args) {
    const { store } = storeArg(args)
    store.casRef(stringArg(args, 'name'), idOrNullArg(args, 'expected'), idOrNullArg(args, 'new'))
    return {}
  },
  'ref-list' (args) { return { names: storeArg(args).store.listRefs(stringArg(args, 'prefix')) } },
  'store-corrupt' (args) {
    storeArg(args).store.corrupt(idArg(args, 'id'))
    return {}
  },
  'store-reopen' (args) {
    const entry = storeArg(args)
    if (entry.path === null) throw new BadRequest('only a durable store can be reopened')
    entry.store.close()
    entry.store = new Store(new DirectoryBackend(entry.path))
    return {}
  },
  'store-close' (args) {
    storeArg(args).store.close()
    stores.delete(args.store)
    return {}
  },

  // wit (ADP-014) and wasm (ADP-016)
  ...witCommands({ hexArg, idArg, stringArg }),

  // runtime (ADP-015)
  ...runtimeCommands({ hexArg, idArg, stringArg }),

  // perf, optional (ADP-018)
  ...perfCommands({ hexArg, stringArg }),

  // sandbox, optional (ADP-019)
  ...sandboxCommands({ idArg, stringArg })
}

// --- the envelope (ADP-003, ADP-007, ADP-008) -------------------------------------------

function errorResponse (seq, errorClass, message, extra = {}) {
  return { seq, ok: false, error: { class: errorClass, message, ...extra } }
}

/** Answer one request; never throws. */
function handle (request) {
  const seq = request.seq ?? null // echoed as given (ADP-003)
  const command = Object.hasOwn(COMMANDS, request.cmd) ? COMMANDS[request.cmd] : undefined
  if (command === undefined) {
    return errorResponse(seq, 'unsupported-command', `unknown command ${JSON.stringify(request.cmd)}`.slice(0, 100))
  }
  try {
    return { seq, ok: true, ...command(request) }
  } catch (err) {
    if (err instanceof GritError) {
      return errorResponse(seq, err.errorClass, err.message, { requirement: err.requirement, ...err.extra })
    }
    if (err instanceof BadRequest) return errorResponse(seq, 'bad-request', err.message)
    console.error(err) // our own bug: report it, keep serving
    return errorResponse(seq, 'internal', String(err?.message ?? err))
  }
}

/** The arguments each command takes as integers (ADP-004.12). */
const INTEGER_ARGUMENTS = {
  'wit-run': ['max_steps'],
  'rt-run': ['max_steps'],
  'rt-open': ['max_resident', 'share', 'max_step_bytes', 'max_run_bytes', 'max_core_bytes'],
  'store-open': ['max_write_bytes'],
  'perf-run': ['n'],
  hello: ['protocol']
}

/** A `seq` key whose number may be written with a fraction or an exponent (ADP-004.12). */
const SEQ_WRITTEN = /"seq"\s*:\s*-?\d+[.eE]/

/** Parse one line into a response. */
function answer (line) {
  let request
  try {
    request = JSON.parse(line)
  } catch (err) {
    return errorResponse(null, 'bad-request', `not JSON: ${err.message}`)
  }
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    return errorResponse(null, 'bad-request', 'a request is a JSON object')
  }
  const repeated = repeatedKey(line)
  if (repeated !== null) { // ADP-004.7: no command runs
    return errorResponse(null, 'bad-request', `the key ${JSON.stringify(repeated).slice(0, 60)} is repeated in one JSON object`, { requirement: 'ADP-004.7' })
  }
  // ADP-004.4: no integer seq, nothing to echo; JSON.parse reads 7.0 as 7, so the text
  // is read again: a seq written with a fraction or an exponent is no integer (ADP-004.12).
  // The quick look first spares a walk of every line (a put's may hold 32 MiB of hex).
  if (!Number.isSafeInteger(request.seq) ||
      (SEQ_WRITTEN.test(line) && fractionWritten(line, ['seq']) !== null)) {
    return errorResponse(null, 'bad-request', 'a request needs an integer seq')
  }
  const written = fractionWritten(line, INTEGER_ARGUMENTS[request.cmd] ?? [])
  if (written !== null) { // ADP-004.12: 1.0 is a number with a fraction, no integer
    return errorResponse(request.seq, 'bad-request', `${written} is written with a fraction or an exponent: no integer (ADP-004.12)`, { requirement: 'ADP-004.12' })
  }
  return handle(request)
}

/** Write one response line and wait until it has been handed to the OS. */
function send (response) {
  return new Promise((resolve, reject) => {
    process.stdout.write(JSON.stringify(response) + '\n', (err) => (err ? reject(err) : resolve()))
  })
}

async function main () {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  for await (const line of lines) { // one request at a time (ADP-003)
    if (line.trim() === '') continue
    await send(answer(line))
    if (shuttingDown) break
  }
  // shutdown answered, or stdin closed (ADP-011)
  for (const { store } of stores.values()) store.close()
  process.exit(0)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
