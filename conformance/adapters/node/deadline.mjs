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
let waited = false // whether the running attempt waited (a nap, a sandboxed run's worker)
const SLEEPER = new Int32Array(new SharedArrayBuffer(4))

/** Run `fn` as one attempt bounded by `seconds` (RUN-005.1, RUN-005.5, RUN-005.6).
 *
 * An attempt's time (RUN-005.8) is the CPU time this process spent on it when it never
 * waited: a loaded machine's queue for a CPU is not the transition's work, and the
 * commands run one at a time on this thread. An attempt that waited (a nap, a
 * sandboxed run's worker) is judged on the monotonic clock from its start, as its
 * wait is cut at the bound (RUN-005.7). */
export function withinBound (seconds, fn) {
  const start = performance.now()
  const cpu = process.cpuUsage()
  deadline = start + seconds * 1000
  waited = false
  try {
    const result = fn()
    const spent = process.cpuUsage(cpu)
    const used = waited ? performance.now() - start : (spent.user + spent.system) / 1000
    if (used > seconds * 1000) throw new TransitionTimeout(`the transition overran ${seconds} s (RUN-005.3)`)
    return result
  } finally {
    deadline = null
  }
}

/** Milliseconds left before the bound of the running attempt (Infinity outside one);
 * asked by a transition about to wait, so its attempt is judged on the clock. */
export function remainingMs () {
  if (deadline !== null) waited = true
  return deadline === null ? Infinity : deadline - performance.now()
}

/** Block this thread for `millis` ms, or until the bound of the running attempt, then fail it. */
export function sleepWithin (millis) {
  if (deadline !== null) waited = true
  const end = performance.now() + millis
  const until = deadline === null ? end : Math.min(end, deadline)
  for (let left = until - performance.now(); left > 0; left = until - performance.now()) Atomics.wait(SLEEPER, 0, 0, left)
  if (until < end) throw new TransitionTimeout('the transition overran its bound while it slept (RUN-005.7)')
}

/** Sleep for a retry's back-off (RUN-004.3); nothing else runs meanwhile in this process. */
export function pause (seconds) {
  if (seconds > 0) Atomics.wait(SLEEPER, 0, 0, seconds * 1000)
}
