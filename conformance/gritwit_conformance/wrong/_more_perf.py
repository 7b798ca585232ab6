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
    "perf_runtime_python_twins": WrongAdapter(
        ("perf",),
        frozenset({"ADP-018.6"}),
        "failed",
        "the runtime workloads create the test actors' Python twins instead of the Wasm "
        "modules the harness sent: the same counts, other cores, so the check differs",
    ),
    "perf_runtime_durable_in_memory": WrongAdapter(
        ("perf",),
        frozenset({"ADP-018.6"}),
        "failed",
        "the durable runtime workloads check path and then run in memory: the same check, "
        "but a later rt-open of path finds no head",
    ),
    "perf_runtime_modules_any_case": WrongAdapter(
        ("perf",),
        frozenset({"ADP-018.7"}),
        "failed",
        "a runtime workload's modules are read with bytes.fromhex: upper-case hex is "
        "accepted instead of refused as bad-request",
    ),
}
