"""A send makes its recipient busy, not the other recipients of its mailbox (RUN-012.9).

The outside keeps its entry for a recipient in one of 16 mailboxes, chosen by the 16th
hex digit of the recipient's id (RUN-003.4): recipients whose ids share that digit share
a mailbox, and a send to one of them swaps the mailbox that holds the others' entries
too, unchanged. Between runs, only the recipient of a message sent since the last run
is busy (RUN-012.1, RUN-012.9): a counter resident and idle after a run, whose entry
lives in the mailbox a later send to another actor swaps, is still idle, and
``rt-evict`` archives it. An implementation that takes every recipient of a mailbox it
swapped as sent to fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, suite_premise
from .._writers import count_of, inc

pytestmark = pytest.mark.profile("runtime")


def _neighbour(actor: str) -> str:
    """An actor id of the same mailbox as ``actor`` (the same 16th hex digit, RUN-003.4)
    and no actor of this runtime: ``actor`` with its last digit changed."""
    last = "0" if actor[-1] != "0" else "1"
    return actor[:-1] + last


@pytest.mark.req("RUN-012.9", "RUN-012.1", "RUN-003.4", "ADP-015")
def test_a_send_leaves_the_other_recipients_of_its_mailbox_idle(
    impl: Implementation, tmp_path: Path
) -> None:
    """A counter is sent ``inc 2`` and run: resident, idle. A message is then sent to
    another actor whose entry lives in the counter's mailbox: ``rt-evict`` archives the
    counter, which nothing was sent to since the run; the next run reads nothing for
    it, and its count is still 2."""
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    try:
        actor = str(
            call_ok(impl, "ADP-015", "rt-genesis", runtime=runtime, actor="counter")["actor"]
        )
        inc(impl, runtime, actor, "2", clause="ADP-015")
        run = call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=20)
        check(
            "ADP-015",
            run["quiescent"] and any(a == actor for a, _ in run["steps"]),
            expected="a quiescent run with a step of the counter",
            came=run,
            what="rt-run after the counter's genesis and inc",
        )
        other = _neighbour(actor)
        suite_premise(
            other != actor and other[15] == actor[15],
            "the other recipient's id has the counter's 16th hex digit: the same mailbox",
        )
        inc(impl, runtime, other, "3", clause="RUN-003.4")
        check_equal(
            ("RUN-012.9", "RUN-012.1"),
            [actor],
            [str(a) for a in call_ok(impl, "ADP-015", "rt-evict", runtime=runtime)["evicted"]],
            "rt-evict after a send to another actor of the counter's outside mailbox: the "
            "counter, sent nothing since its run, is idle and archived",
        )
        run = call_ok(impl, "ADP-015", "rt-run", runtime=runtime, max_steps=20)
        check_equal(
            "RUN-012.9",
            [],
            [step for who, step in run["steps"] if who == actor],
            "the counter's steps in the next run: nothing was sent to it",
        )
        check_equal("RUN-012.9", b"2", count_of(impl, runtime, actor, clause="RUN-012.9"))
    finally:
        impl.call("rt-close", runtime=runtime)
