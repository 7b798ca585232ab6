"""A message queued on an outbox chain's new top is read in the same run (RUN-003.1, WIT-005).

A ``fanout`` actor (WIT-021) queues to 257 ids no actor has (WIT-009.4): its outbox is one
mailbox of 257 entries. Its next step queues to a ``counter`` that exists: WIT-009.5 keeps
the base of 257 and puts the one entry that changed in a new top, so the step's outbox
is a chain whose top alone names the counter. The runtime routes what committed heads
send (RUN-003.1): the counter's message is pending as soon as the fanout's step is
adopted, and a run goes on until nothing is pending (ADP-014's rounds, quiescent), so the
same ``rt-run`` runs the counter on it. An implementation that routes a chain's new top
by comparing it wrongly with the map it holds leaves the message for a later run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal
from .._outbox_model import fresh_id

pytestmark = pytest.mark.profile("runtime")

#: Recipients of the first fan: a base of 257 does not merge a top of one (WIT-009.5).
FIRST = 257


def _fan(impl: Implementation, runtime: str, fanout: str, recipients: list[str]) -> None:
    """Send ``fanout`` one ``fanout`` message naming ``recipients`` (WIT-021.1)."""
    listing = {f"{i:06d}": {"blob": r.encode().hex()} for i, r in enumerate(recipients)}
    call_ok(
        impl,
        "ADP-015",
        "rt-send",
        runtime=runtime,
        to=fanout,
        mt="fanout",
        content={"tree": listing},
    )


def _run(impl: Implementation, runtime: str) -> Any:
    run = call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=50)
    check(
        "ADP-014",
        run["quiescent"] is True and not run["failures"],
        expected="a quiescent run with no failure",
        came=run,
        what="rt-run",
    )
    return run


@pytest.mark.req("RUN-003.1", "WIT-005", "WIT-009.5", "WIT-021.1", "ADP-014", "ADP-015")
def test_a_counter_named_by_a_chains_new_top_runs_in_the_same_run(
    impl: Implementation, tmp_path: Path
) -> None:
    """A fanout queues to 257 fresh ids, then to a counter: the run that adopts the second
    fan also runs the counter on the message it queued, and the counter's head step
    reads it (its inbox names the fanout)."""
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    try:
        fanout = str(
            call_ok(
                impl, "ADP-015", "rt-genesis", runtime=runtime, actor="fanout", state={"tag": "03"}
            )["actor"]
        )
        counter = str(
            call_ok(impl, "ADP-015", "rt-genesis", runtime=runtime, actor="counter")["actor"]
        )
        _run(impl, runtime)
        _fan(impl, runtime, fanout, [fresh_id(30_000 + i) for i in range(FIRST)])
        _run(impl, runtime)
        _fan(impl, runtime, fanout, [counter])
        run = _run(impl, runtime)
        check_equal(
            ("RUN-003.1", "WIT-005", "ADP-014"),
            [fanout, counter],
            [actor for actor, _ in run["steps"]],
            "the actors of the run's steps after a fan to the counter over an outbox of "
            f"{FIRST} entries: the fanout's step, whose outbox's new top names the counter, "
            "then the counter's, reading the message in the same run",
        )
        head = call_ok(impl, "ADP-015", "rt-head", runtime=runtime, actor=counter)["step"]
        data = call_ok(impl, "ADP-015", "rt-object", runtime=runtime, id=head)["bytes"]
        step = g.decode_object(bytes.fromhex(data))
        inbox = step.inbox if isinstance(step, g.Step) else None
        box = None
        if inbox is not None:
            raw = call_ok(impl, "ADP-015", "rt-object", runtime=runtime, id=inbox.hex())["bytes"]
            box = g.decode_object(bytes.fromhex(raw))
        senders = sorted(s.hex() for s in box.entries) if isinstance(box, g.Mailbox) else []
        check(
            "WIT-005",
            fanout in senders,
            expected=f"the counter's head inbox has an entry for the fanout {fanout}",
            came=senders,
            what="the senders of the counter's head step's inbox",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
