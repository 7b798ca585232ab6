// Group commit (RUN-017): the steps of several transitions committed in one go.
//
// A step adopted in group mode is *provisionally adopted* (RUN-017.3): its objects
// wait in memory, its head has not moved and its messages are not routed. This
// runtime never builds a transition on a provisional member: before it looks at what
// is pending for an actor that a member continues or sent to, it commits the open
// group (RUN-017.3 allows exactly this). So no member is based on another, and a
// group holds at most one member per actor -- there is nothing to fold (RUN-017.9).
//
// A commit stores every object of every member (each file fsynced, the directory
// once), and only then moves the heads, by compare-and-swap, in group order, each
// expecting the head its transition started from (RUN-017.2). A crash leaves a prefix
// of the swaps, every one with its objects stored (RUN-017.5). A member whose swap
// loses to another writer is not adopted (RUN-017.4); its objects stay, unreferenced.
// The group is committed when it holds `size` steps (RUN-017.8) or `bytes` encoded
// bytes (RUN-017.10), before an actor is marked failed (RUN-017.7), at the end of each
// round and before a run answers (RUN-017.6).

import { GritError } from './errors.mjs'
import { changedRecipients } from './witoutbox.mjs'
import { Overlay } from './witobjects.mjs'

export const COMMIT_MODES = ['group', 'step'] // RUN-017.1
export const COMMIT = 'group' // the default, as the reference's
export const GROUP_SIZE = 256 // RUN-017.8
export const GROUP_BYTES = 32 * 1024 * 1024 // RUN-017.10

export class CommitGroup {
  constructor (space, { size = GROUP_SIZE, bytes = GROUP_BYTES } = {}) {
    this.space = space
    this.size = size
    this.bytes = bytes
    this.members = [] // { actor, expected, built, before: the step it continues }, in the order adopted
    this.held = 0 // encoded bytes of the members' objects
    this.touched = new Set() // the members' actors and the recipients of their new messages
  }

  get length () { return this.members.length }

  /** Whether the group must be committed before another step is adopted (RUN-017.8, RUN-017.10). */
  get full () { return this.members.length >= this.size || this.held >= this.bytes }

  /** Whether a member continues `actor` or sent to it: commit before looking at it (RUN-017.3). */
  touches (actor) { return this.touched.has(actor) }

  /** Adopt `built` provisionally: `actor`'s step, expected to follow the head `expected`. */
  add (actor, expected, built, before) {
    this.members.push({ actor, expected, built, before })
    for (const bytes of built.encodings.values()) this.held += bytes.length
    this.touched.add(actor)
    // only the new outbox's top can hold a changed entry (WIT-009.5)
    const reader = new Overlay(this.space, built.objects)
    for (const recipient of changedRecipients(reader, before?.outbox ?? null, built.step.outbox)) this.touched.add(recipient)
  }

  /** Drop the open group unstored (an error escaped the run): none of it was acknowledged. */
  abandon () {
    this.members = []
    this.held = 0
    this.touched = new Set()
  }

  /** The ids of the members' objects: stored when the group commits (RUN-022.1). */
  ids () {
    const ids = new Set()
    for (const { built } of this.members) for (const id of built.encodings.keys()) ids.add(id)
    return ids
  }

  /**
   * RUN-017.2, RUN-017.4: every object, then each head in group order. Returns { adopted,
   * lost, added }: `added`, the bytes the objects added to the store, lost members' too
   * (RUN-023.1).
   */
  commit () {
    const members = this.members
    this.members = []
    this.held = 0
    this.touched = new Set()
    const items = []
    for (const { built } of members) {
      for (const [id, obj] of built.objects) items.push([id, built.encodings.get(id), obj])
    }
    const added = this.space.putAll(items)
    const adopted = []
    const lost = []
    for (const member of members) {
      try {
        this.space.cas(`heads/${member.actor}`, member.expected, member.built.stepId)
        adopted.push(member)
      } catch (err) {
        if (!(err instanceof GritError && err.errorClass === 'ref-conflict')) throw err
        lost.push(member) // another writer won (RUN-002.2)
      }
    }
    return { adopted, lost, added }
  }
}
