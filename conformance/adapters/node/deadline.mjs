// The time bound of one transition (RUN-005), as the runtime sets it and the Wits
// that take wall-clock time honour it.
//
// The runtime (runtime.mjs) runs one transition at a time on this thread and wraps
// each attempt in `withinBound`: the bound is measured on a monotonic clock from the
// attempt's start (RUN-005.6). A transition that returns after the bound has passed
// fails whatever it returned (RUN-005.3). A transition that *waits* -- `sleepy`'s naps
// (WIT-030.1), the only Wit here whose duration is not bounded by its work -- asks
// `sleepWithin`, which sleeps no further than the bound and then fails the attempt:
// the overrun fails when the bound passes, not when the transition would have
// returned (RUN-005.7); so does a sandboxed Python run (sandbox.mjs), which waits for
// its worker thread no longer than `remainingMs`. A Wasm transition is judged when it
// returns, as RUN-005.7 allows: its fuel bounds its whole duration (WASM-019).

/** An attempt that overran its bound (RUN-005.3): a failure without a Wit class (`failed`). */
export class TransitionTimeout extends Error {}

let deadline = null // performance.now() milliseconds, or null outside a bounded attempt
const SLEEPER = new Int32Array(new SharedArrayBuffer(4))

/** Run `fn` as one attempt bounded by `seconds` (RUN-005.1, RUN-005.5, RUN-005.6). */
export function withinBound (seconds, fn) {
  const start = performance.now()
  deadline = start + seconds * 1000
  try {
    const result = fn()
    if (performance.now() > deadline) throw new TransitionTimeout(`the transition overran ${seconds} s (RUN-005.3)`)
    return result
  } finally {
    deadline = null
  }
}

/** Milliseconds left before the bound of the running attempt (Infinity outside one). */
export function remainingMs () {
  return deadline === null ? Infinity : deadline - performance.now()
}

/** Block this thread for `millis` ms, or until the bound of the running attempt, then fail it. */
export function sleepWithin (millis) {
  const end = performance.now() + millis
  const until = deadline === null ? end : Math.min(end, deadline)
  for (let left = until - performance.now(); left > 0; left = until - performance.now()) Atomics.wait(SLEEPER, 0, 0, left)
  if (until < end) throw new TransitionTimeout('the transition overran its bound while it slept (RUN-005.7)')
}

/** Sleep for a retry's back-off (RUN-004.3); nothing else runs meanwhile in this process. */
export function pause (seconds) {
  if (seconds > 0) Atomics.wait(SLEEPER, 0, 0, seconds * 1000)
}
