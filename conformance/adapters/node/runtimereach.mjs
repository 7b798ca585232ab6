// What an object names, and everything reachable from a step: the edges a bundle
// follows (RUN-009.1) and verification walks (RUN-010.1).

/**
 * The ids `obj` names: tree entries, mailbox entries and `base` (RUN-009.1, OBJ-019), a
 * message's content and previous, a step's core, previous, inbox, outbox.
 */
export function references (obj) {
  switch (obj.type) {
    case 'tree':
      return [...obj.entries.values()]
    case 'mailbox':
      return obj.base === null ? [...obj.entries.values()] : [...obj.entries.values(), obj.base]
    case 'message':
      return obj.previous === null ? [obj.content] : [obj.content, obj.previous]
    case 'step':
      return [obj.core, obj.previous, obj.inbox, obj.outbox].filter((id) => id !== null)
    default: // a blob names nothing
      return []
  }
}

/**
 * Every id reachable from `start`: Map id -> record, or null for one `load` could not
 * read (its references are then unknown). Iterative, so a long history cannot overflow
 * the stack.
 */
export function reachable (start, load) {
  const seen = new Map()
  const stack = [start]
  while (stack.length) {
    const id = stack.pop()
    if (seen.has(id)) continue
    const obj = load(id)
    seen.set(id, obj)
    if (obj !== null) for (const ref of references(obj)) if (!seen.has(ref)) stack.push(ref)
  }
  return seen
}

/**
 * The bases in `found` (from `reachable`) that name a read object that is not a mailbox
 * (OBJ-019.2), sorted; a base that could not be read is left to `not-found`.
 */
export function badBases (found) {
  const bad = new Set()
  for (const obj of found.values()) {
    if (obj === null || obj.type !== 'mailbox' || obj.base === null) continue
    const below = found.get(obj.base)
    if (below !== null && below !== undefined && below.type !== 'mailbox') bad.add(obj.base)
  }
  return [...bad].sort()
}
