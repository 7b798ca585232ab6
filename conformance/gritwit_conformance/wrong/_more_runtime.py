"""Wrong adapters of the runtime group (chapter 07, profile ``runtime``); merged into WRONG."""

from __future__ import annotations

from gritwit_conformance.wrong import WrongAdapter

MORE: dict[str, WrongAdapter] = {
    "runtime_objects_after_head": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-001.1", "RUN-007.1"}),
        "failed",
        "stores a step and moves its head at once, but writes the step's core, entries, "
        "messages and mailboxes only at the next rt-run: a kill in between loses them",
        smoke=True,
    ),
    "runtime_forgets_cursors_on_restart": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-007.2"}),
        "failed",
        "after a restart, the first transition of each actor sees every message of its "
        "senders' outboxes again, as if its inbox were empty: messages delivered twice",
        smoke=True,
    ),
    "runtime_one_message_per_step": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-006.2", "RUN-006.3"}),
        "failed",
        "hands each transition only the oldest pending message of each sender instead of "
        "everything pending when it starts: counts agree, step ids do not",
        smoke=True,
    ),
    "runtime_overrun_not_failed": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-005.3"}),
        "failed",
        "an overrunning transition is set aside to wait for its result instead of failing: "
        "the actor is neither retried nor marked failed",
    ),
    "runtime_wasm_clock": WrongAdapter(
        ("runtime",),
        frozenset({"RUN-016.3"}),
        "failed",
        "the Wasm host links one import beyond ABI 1, gritwit.clock_now: a Wit can read a clock",
        smoke=True,
    ),
}
