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
 * OBJ-020.1: the kind each id of a history names, by the type holding it: [field, kinds,
 * clause]; `entries` is every value of a mailbox's entries. A message's content and a
 * tree's entries name any kind (OBJ-020.3).
 */
export const KIND_RULES = {
  step: [['core', ['tree'], 'OBJ-020.1'], ['previous', ['step'], 'OBJ-020.1'], ['inbox', ['mailbox'], 'OBJ-020.1'], ['outbox', ['mailbox'], 'OBJ-020.1']],
  mailbox: [['base', ['mailbox'], 'OBJ-019.2'], ['entries', ['message'], 'OBJ-020.1']],
  message: [['previous', ['message'], 'OBJ-020.1']]
}

/**
 * The ids in `found` (from `reachable`) that name a read object of another kind than
 * their field's (OBJ-020.2), as { holder, holderType, field, named, kind, clause, want },
 * sorted by the named id, then the holder's; an id that could not be read is left to
 * `not-found`.
 */
export function badKinds (found) {
  const bad = new Map()
  for (const [id, obj] of found) {
    if (obj === null) continue
    for (const [field, kinds, clause] of KIND_RULES[obj.type] ?? []) {
      const value = obj[field]
      const named = value === null || value === undefined ? [] : field === 'entries' ? [...value.values()] : [value]
      for (const target of named) {
        const other = found.get(target)
        if (other === null || other === undefined || kinds.includes(other.type)) continue
        const wrong = { holder: id, holderType: obj.type, field, named: target, kind: other.type, clause, want: kinds.join(' or ') }
        bad.set(`${target} ${id} ${field}`, wrong)
      }
    }
  }
  return [...bad.keys()].sort().map((key) => bad.get(key))
}

/** The text of a `badKinds` item, naming its clause. */
export function kindText (w) {
  return `the ${w.field} of the ${w.holderType} ${w.holder} names ${w.named}, a ${w.kind}, not a ${w.want} (${w.clause})`
}
