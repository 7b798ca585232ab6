// A mailbox's map read along its `base` chain (OBJ-019), and the chained outbox a step
// gets (WIT-009.1, WIT-009.5, WIT-009.6).
//
// A mailbox with `base` stands for its base's map with its own entries added, its own
// replacing the base's (OBJ-019.1); every read of an entry -- an outbox entry walked by
// WIT-005, an inbox cursor -- is the first entry along the chain. An outbox is built so
// that a step stores what it changed, not every recipient written to so far: the
// entries that differ from the last step's map, over the last outbox as base, merged
// downwards while the base is small or not much larger (WIT-009.5), never into more than
// MERGE_CAP entries (WIT-009.6). Inboxes and the outside's mailboxes are never chained
// (WIT-008.4, RUN-003.4): they are built as one mailbox elsewhere, and read here.

import { GritError, fail } from './errors.mjs'
import { mailbox } from './witobjects.mjs'

/** WIT-009.5: a base of at most this many entries is merged into whatever sits on it. */
export const SMALL_BASE = 256
/** WIT-009.6: a merge never makes a mailbox of more entries than this. */
export const MERGE_CAP = 65536

/**
 * The mailboxes of `id`'s chain, top first (empty when `id` is null; the first `most`
 * only, when given). The top one not a mailbox is the step's fault (WIT-008); a `base`
 * naming no mailbox breaks OBJ-019.2, and an absent one fails `not-found` in
 * `reader.get`. Ids are hashes, so the chain ends.
 */
export function mailboxChain (reader, id, most = Infinity) {
  const chain = []
  for (let at = id ?? null; at !== null && chain.length < most;) {
    const box = chain.length === 0 ? reader.get(at) : base(reader, at)
    if (box.type !== 'mailbox') {
      if (chain.length === 0) fail('invalid-transition', 'WIT-008', `${at} is not a mailbox`)
      fail('invalid-object', 'OBJ-019.2', `the base ${at} of a mailbox is a ${box.type}, not a mailbox`)
    }
    chain.push(box)
    at = box.base ?? null
  }
  return chain
}

/** The object a `base` names; absent, `not-found` naming OBJ-019.2. */
function base (reader, at) {
  try {
    return reader.get(at)
  } catch (err) {
    if (err instanceof GritError && err.errorClass === 'not-found') fail('not-found', 'OBJ-019.2', `the base ${at} of a mailbox is absent`)
    throw err
  }
}

/** The top mailbox of outbox `id` (not null): its own entries, what WIT-009.5 changed. */
export const outboxTop = (reader, id) => mailboxChain(reader, id, 1)[0]

/** The entry for `key` in a chain's map: the first mailbox along it that has one (OBJ-019.1). */
export function lookup (chain, key) {
  for (const box of chain) {
    const found = box.entries.get(key)
    if (found !== undefined) return found
  }
  return undefined
}

/** The map of mailbox `id` (OBJ-019.1), a new Map the caller may change (empty when absent). */
export function mailboxMap (reader, id) {
  const chain = mailboxChain(reader, id)
  if (chain.length === 1) return new Map(chain[0].entries)
  const map = new Map()
  for (let i = chain.length - 1; i >= 0; i--) for (const [k, v] of chain[i].entries) map.set(k, v)
  return map
}

/**
 * The recipients whose entry differs between the maps of outboxes `before` and `after`,
 * where `after` was built from `before` by WIT-009.5 (or is `before`): every change is
 * then among the top mailbox's own keys, the levels below being `before`'s chain's own
 * objects, so only the top is looked at (WIT-010).
 */
export function changedRecipients (reader, before, after) {
  if (after === null || after === undefined || after === before) return []
  const top = outboxTop(reader, after)
  // Each recipient's entry in `before` is the first along its chain (OBJ-019.1). A level
  // is looked at through the smaller of its own entries and the recipients not yet found,
  // so a top of many entries over a deep chain costs what the chain holds, not their
  // product (an 8,000-level chain merged into one top took 2.8 s the product's way).
  const unfound = new Map(top.entries)
  const changed = new Set()
  const settle = (r, m, was) => {
    if (was !== m) changed.add(r)
    unfound.delete(r)
  }
  for (const box of mailboxChain(reader, before)) {
    if (unfound.size === 0) break
    if (unfound.size <= box.entries.size) {
      for (const [r, m] of unfound) if (box.entries.has(r)) settle(r, m, box.entries.get(r))
    } else {
      for (const [r, was] of box.entries) if (unfound.has(r)) settle(r, unfound.get(r), was)
    }
  }
  for (const r of unfound.keys()) changed.add(r) // no entry in `before`: new
  return [...top.entries.keys()].filter((r) => changed.has(r))
}

/**
 * WIT-009.5: the mailbox standing for the last map with `changes` (recipient -> last
 * message sent) applied, the last outbox being `lastId` with `chain` its mailboxes.
 * Returns null when nothing differs (the caller keeps the last outbox, WIT-009.1),
 * else the one new mailbox record; the bases it names are stored already.
 */
export function buildOutbox (lastId, chain, changes) {
  const d = [...changes].filter(([r, m]) => lookup(chain, r) !== m)
  if (d.length === 0) return null
  if (lastId === null || lastId === undefined) return mailbox(d)
  // The union grows in place, each level looked at once through its own entries: work
  // linear in what is merged (WIT-009.7). Copying the union at each level was quadratic,
  // and an imported chain of 8,000 one-entry levels overran the default 5 s bound.
  const entries = new Map(d)
  let base = lastId
  for (const below of chain) { // `below` is the mailbox `base` names: the chain's next level
    let shared = 0
    for (const k of below.entries.keys()) if (entries.has(k)) shared++
    const union = entries.size + below.entries.size - shared
    const fits = union <= MERGE_CAP // WIT-009.6
    const worth = below.entries.size <= SMALL_BASE || 2 * entries.size >= below.entries.size
    if (!(fits && worth)) break
    // own entries replace the base's: a key already in the union keeps its entry
    for (const [k, v] of below.entries) if (!entries.has(k)) entries.set(k, v)
    base = below.base ?? null
  }
  return mailbox(entries, base)
}
