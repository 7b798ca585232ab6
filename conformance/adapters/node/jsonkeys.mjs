// Repeated keys in JSON text (ADP-004.7, OBJ-018.10).
//
// JSON.parse keeps the last of two equal keys without a word; the protocol makes a
// line that repeats a key in any of its objects a bad request. `repeatedKey` scans
// text that JSON.parse has already accepted and returns the first key an object
// names twice (compared after unescaping: "a" and "\u0061" are one key), or null.

/** Index of the quote that closes the string opening at `start`. */
function stringEnd (text, start) {
  let at = start
  for (;;) {
    at = text.indexOf('"', at + 1)
    let backslashes = 0
    while (text[at - 1 - backslashes] === '\\') backslashes++
    if (backslashes % 2 === 0) return at
  }
}

export function repeatedKey (text) {
  const open = [] // per open container: a Set of keys (object) or null (array)
  let keyNext = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      const end = stringEnd(text, i)
      const keys = open[open.length - 1]
      if (keyNext && keys) {
        const key = JSON.parse(text.slice(i, end + 1))
        if (keys.has(key)) return key
        keys.add(key)
        keyNext = false
      }
      i = end
    } else if (c === '{') {
      open.push(new Set())
      keyNext = true
    } else if (c === '[') {
      open.push(null)
      keyNext = false
    } else if (c === '}' || c === ']') {
      open.pop()
      keyNext = false
    } else if (c === ',') {
      keyNext = open[open.length - 1] instanceof Set
    }
  }
  return null
}

// Integers written as integers (ADP-004.12): JSON.parse reads `1.0` and `1` as one
// number, so the text is read again. `fractionWritten` returns the first of `names`,
// keys of the top-level object, whose number (or a number of whose array) is written
// with a fraction or an exponent, or null.
const NUMBER = /-?\d+(\.\d+)?([eE][+-]?\d+)?/y // sticky: read where it stands, no copy of the rest

export function fractionWritten (text, names) {
  let depth = 0
  let key = null // the top-level key whose value is being read
  let keyNext = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '"') {
      const end = stringEnd(text, i)
      if (depth === 1 && keyNext) {
        key = JSON.parse(text.slice(i, end + 1))
        keyNext = false
      }
      i = end
    } else if (c === '{' || c === '[') {
      depth++
      if (c === '{' && depth === 1) keyNext = true
    } else if (c === '}' || c === ']') {
      depth--
    } else if (c === ',') {
      if (depth === 1) { keyNext = true; key = null }
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i
      const token = NUMBER.exec(text)[0] // JSON.parse accepted the line: a number stands here
      // the value itself (depth 1), or a member of its array (share's, depth 2)
      if (depth <= 2 && key !== null && names.includes(key) && /[.eE]/.test(token)) return key
      i += token.length - 1
    }
  }
  return null
}
