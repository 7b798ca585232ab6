"""Wrong adapters of the Wit chapter (``spec/06-wit.md``), merged into ``WRONG``."""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "wit_failing_reads_over": WrongAdapter(
        ("wit",),
        frozenset({"WIT-024"}),
        "failed",
        "the failing test actor reads its messages instead of failing",
        smoke=True,
    ),
    "wit_slow_finishes": WrongAdapter(
        ("wit",),
        frozenset({"WIT-027.1"}),
        "failed",
        "a transition of slow is not bounded: it ends and its step is adopted",
        smoke=True,
    ),
    "wit_run_stops_at_failure": WrongAdapter(
        ("wit",),
        frozenset({"WIT-027.2"}),
        "failed",
        "a failed transition ends the run: the other actors stop running",
        smoke=True,
    ),
    "wit_reroutes_unchanged": WrongAdapter(
        ("wit",),
        frozenset({"WIT-010.2"}),
        "failed",
        "after a step, outbox entries it left unchanged are routed again",
        smoke=True,
    ),
    "wit_echo_reads_clock": WrongAdapter(
        ("wit",),
        frozenset({"WIT-011"}),
        "failed",
        "echo keeps the wall-clock time in its core: step ids depend on when it ran",
        smoke=True,
    ),
}
