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
    "wit_sleepy_simulated": WrongAdapter(
        ("wit",),
        frozenset({"WIT-030.1"}),
        "failed",
        "sleepy records its naps without sleeping: its steps are right but take no time",
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
    "wit_update_before_genesis": WrongAdapter(
        ("wit",),
        frozenset({"WIT-013.3"}),
        "failed",
        "an update sent before the genesis is read over by the first transition",
        smoke=False,
    ),
    "wit_actor_reads_one_per_sender": WrongAdapter(
        ("wit",),
        frozenset({"WIT-028.2"}),
        "failed",
        "the test actors read only each sender's oldest pending message per step",
        smoke=False,
    ),
    "wit_first_step_without_genesis": WrongAdapter(
        ("wit",),
        frozenset({"WIT-012.1"}),
        "failed",
        "an actor's first transition is not given its genesis among its pending messages",
        smoke=True,
    ),
    "wit_query_answers_drift": WrongAdapter(
        ("wit",),
        frozenset({"WIT-017.2"}),
        "failed",
        "equal queries against one head answer differently: state carries over between them",
        smoke=True,
    ),
    "wit_counter_adds_two": WrongAdapter(
        ("wit",),
        frozenset({"WIT-020"}),
        "failed",
        "counter counts every increment twice: an inc of 1 adds 2 to its core entry count",
        smoke=True,
    ),
    "wit_counter_count_newline": WrongAdapter(
        ("wit",),
        frozenset({"WIT-028.7", "WIT-020.4"}),
        "failed",
        "counter and budget write and send their numbers with a trailing newline",
        smoke=False,
    ),
    "wit_budget_refusal_rendered": WrongAdapter(
        ("wit",),
        frozenset({"WIT-025.3"}),
        "failed",
        "budget refuses a spend that is no decimal with the text None, not the empty blob",
        smoke=False,
    ),
    "wit_budget_writes_unchanged": WrongAdapter(
        ("wit",),
        frozenset({"WIT-025.4"}),
        "failed",
        "budget writes its entry although its value did not change (0 when absent)",
        smoke=False,
    ),
    "wit_query_runs_pending": WrongAdapter(
        ("wit",),
        frozenset({"WIT-017.1"}),
        "failed",
        "a query first runs the actor's pending messages: it creates a step",
        smoke=False,
    ),
    "wit_actor_rebuilds_core": WrongAdapter(
        ("wit",),
        frozenset({"WIT-028.8"}),
        "failed",
        "counter, budget and requester drop core entries their rows do not name",
        smoke=False,
    ),
    "wit_unknown_query_empty": WrongAdapter(
        ("wit",),
        frozenset({"WIT-028.9"}),
        "failed",
        "a test actor answers a query it does not list with the empty blob",
        smoke=False,
    ),
    "wit_presence_check_shallow": WrongAdapter(
        ("wit", "wasm"),
        frozenset({"WIT-007.4"}),
        "failed",
        "the presence check of a new core looks at its own entries only, not below trees",
        smoke=False,
    ),
}
