"""Wrong adapters of the optional ``perf`` profile (ADP-018), merged into :data:`WRONG`."""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "perf_counter_skips_runs": WrongAdapter(
        ("perf",),
        frozenset({"ADP-018.2"}),
        "failed",
        "the counter workload injects every inc and runs once: the same count, but one "
        "transition instead of n, so the head step (the check) differs",
        smoke=True,
    ),
    "perf_elapsed_zero": WrongAdapter(
        ("perf",),
        frozenset({"ADP-018.3"}),
        "failed",
        "perf-run times with a millisecond clock: a run under a millisecond answers elapsed_ns 0",
        smoke=True,
    ),
    "perf_claim_without_command": WrongAdapter(
        ("perf",),
        frozenset({"ADP-018.1"}),
        "failed",
        "claims perf in hello but answers perf-run with unsupported-command",
        smoke=True,
    ),
    "perf_n_zero": WrongAdapter(
        ("perf",),
        frozenset({"ADP-018.4"}),
        "failed",
        "perf-run checks n >= 0: n = 0 is answered (a minimal time, the all-zero check) "
        "instead of refused",
    ),
}
