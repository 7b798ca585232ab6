// Shares: a static division of the actors among the runtimes of one store (RUN-021).
// Share `k/n` holds the actors whose id's first 8 bytes, read as an unsigned big-endian
// integer -- the first 16 hex digits of the text form -- leave the remainder k when
// divided by n; 1 <= n <= MAX_SHARES and 0 <= k < n. A runtime given a share runs only
// its actors (RUN-021.1, RUN-021.2) and still sends to, and answers queries of,
// every actor (RUN-021.3).

import { BadRequest } from './errors.mjs'

export const MAX_SHARES = 1024 // RUN-021

/** `rt-open`'s `share` (ADP-015): `[k, n]`, two integers; absent: null (every actor, RUN-020.4). */
export function shareArg (args) {
  if (!('share' in args)) return null
  const value = args.share
  const isInt = (v) => typeof v === 'number' && Number.isInteger(v)
  if (!Array.isArray(value) || value.length !== 2 || !isInt(value[0]) || !isInt(value[1])) {
    throw new BadRequest('ADP-015, RUN-021: share must be [k, n], two integers')
  }
  const [k, n] = value
  if (n < 1 || n > MAX_SHARES) throw new BadRequest(`ADP-015, RUN-021: a share's n is from 1 to ${MAX_SHARES}, not ${n}`)
  if (k < 0 || k >= n) throw new BadRequest(`ADP-015, RUN-021: a share's k is from 0 to n - 1 = ${n - 1}, not ${k}`)
  return { k, n }
}

/** Whether `actor` (text-form id) is in `share`, or every actor when `share` is null. */
export function owns (share, actor) {
  return share === null || BigInt(`0x${actor.slice(0, 16)}`) % BigInt(share.n) === BigInt(share.k)
}
