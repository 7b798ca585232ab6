"""A head another writer moved while a run was under way: every message is read once.

Two adapter processes open the same store (ADP-015): runtimes ``a`` and ``b``, two
writers (RUN-002). ``a``'s run starts with what is pending for the counter — ``inc 1``
— and first runs a ``sleepy`` actor whose ``nap`` really takes seconds (WIT-030);
the rounds of ``rt-run`` take actors in ascending id order (ADP-014), so the counter's
turn comes after the nap. Meanwhile ``b`` reads ``inc 1``, is sent ``inc 2`` and
reads it too. When the counter's turn comes in ``a``, its head has read messages
newer than anything ``a`` knew of when its run started.

A runtime that works out what is pending from what it knew at the start of the run
(its routing index, RUN-003) walks the outside's chain back from ``inc 1`` looking for
the head's inbox entry, ``inc 2``, never meets it, and delivers ``inc 1`` (and the
genesis) again — under a compare-and-swap that succeeds, since the head did not move
after it was read. WIT-005 makes the pending messages those *after* the head's inbox
entry: nothing is pending, and every message is read once (RUN-002.3, RUN-003.3,
RUN-007.2), so the count is 3 whatever the interleaving.

``b`` is opened with a short ``time_limit``, so the ``nap`` it also finds pending fails
its attempts quickly (RUN-005.6) and ``b`` marks the sleepy actor failed (RUN-004.4)
instead of sleeping through its own run. The check holds under any interleaving of
the two processes; only whether ``a`` really held a stale view depends on ``b``
finishing within the nap, which leaves ``b`` seconds for a handful of commands.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, fail, ok_answer
from .._writers import count_of, inc
from .._writers import second as second  # the second writer's fixture

pytestmark = pytest.mark.profile("runtime")

#: The ``nap`` that holds ``a``'s run (ms), well inside ``a``'s bound of ``A_LIMIT`` s.
NAP = 1500
A_LIMIT = 10.0
#: ``b``'s bound: its attempts of the nap fail at once (RUN-005.6), 30 times shorter.
B_LIMIT = 0.05
COUNTER = {"blob": b"counter".hex(), "headers": {"runtime": "test-actor"}}
COUNTER_ID = g.object_id(g.Blob(data=b"counter", headers={"runtime": "test-actor"}))
REPLACE = {"blob": b"replace".hex(), "headers": {"runtime": "test-actor"}}


def _counter_after(side: Implementation, runtime: str, after: str) -> str:
    """A counter whose id sorts after ``after``'s: its turn in a round comes later (ADP-014)."""
    for salt in range(64):
        state = {"salt": f"{salt:02x}"}
        actor = str(
            call_ok(side, "ADP-015", "rt-genesis", runtime=runtime, actor="counter", state=state)[
                "actor"
            ]
        )
        if actor > after:
            return actor
    raise AssertionError("64 counters, none with an id above the sleepy actor's")


@pytest.mark.slow
@pytest.mark.req("RUN-003.3", "RUN-002.3", "WIT-005", "RUN-007.2", "ADP-015", "RUN-020.1")
def test_a_head_moved_by_another_writer_during_a_run_reads_nothing_twice(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    a = call_ok(impl, "RUN-003.3", "rt-open", path=str(tmp_path), time_limit=A_LIMIT)["runtime"]
    sleepy = str(call_ok(impl, "RUN-003.3", "rt-genesis", runtime=a, actor="sleepy")["actor"])
    counter = _counter_after(impl, a, sleepy)
    call_ok(impl, "RUN-003.3", "rt-run", runtime=a, max_steps=200)  # the geneses
    nap = str(NAP).encode().hex()
    call_ok(impl, "RUN-003.3", "rt-send", runtime=a, to=sleepy, mt="nap", content={"blob": nap})
    inc(
        impl, a, counter, "1", clause="RUN-003.3"
    )  # pending for a's next run: it knows inc 1 as the last

    b = call_ok(
        second, "RUN-003.3", "rt-open", path=str(tmp_path), time_limit=B_LIMIT, first_delay=0
    )["runtime"]
    answers: list[dict[str, Any]] = []
    run_a = threading.Thread(
        target=lambda: answers.append(call_ok(impl, "RUN-003.3", "rt-run", runtime=a, max_steps=50))
    )
    run_a.start()
    try:
        run_a.join(timeout=0.3)  # a's run has started: the sleepy actor's turn comes first
        call_ok(
            second, "RUN-003.3", "rt-run", runtime=b, max_steps=50
        )  # reads inc 1 (the nap fails here)
        inc(second, b, counter, "2", clause="RUN-003.3")
        call_ok(second, "RUN-003.3", "rt-run", runtime=b, max_steps=50)  # reads inc 2
        check_equal("RUN-003.3", b"3", count_of(second, b, counter, clause="RUN-003.3"))
    finally:
        run_a.join(timeout=60)
    value = run_a.is_alive()
    check(
        "RUN-003.3",
        not value,
        expected="nothing (empty)",
        came=value,
        what="a's rt-run did not end within 60 s",
    )
    check(
        "RUN-003.3", answers, expected="a value, not empty", came=answers, what="a's rt-run failed"
    )
    count = count_of(impl, a, counter, clause="RUN-003.3")
    check_equal(
        ("WIT-005", "RUN-002.3", "RUN-003.3"),
        b"3",
        count,
        f"count {count!r} after inc 1 and inc 2, each read by the other writer: the run "
        "under way read a message again from what it knew when it started (WIT-005, "
        "RUN-002.3, RUN-003.3)",
    )
    check_equal("RUN-003.3", b"3", count_of(second, b, counter, clause="RUN-003.3"))
    check_equal(
        "RUN-003.3", [], call_ok(impl, "RUN-003.3", "rt-run", runtime=a, max_steps=50)["steps"]
    )  # nothing left


def _counter_before(side: Implementation, runtime: str, before: str) -> tuple[str, dict[str, Any]]:
    """A counter core (as ``rt-send`` content) whose actor id sorts before ``before``'s."""
    for salt in range(64):
        core = {"tree": {"wit": COUNTER, "salt": {"blob": f"{salt:02x}"}}}
        actor = g.object_id(
            g.Tree(entries={"wit": COUNTER_ID, "salt": g.object_id(g.Blob(data=bytes([salt])))})
        ).hex()
        if actor < before:
            return actor, core
    raise AssertionError("64 counters, none with an id below the sleepy actor's")


@pytest.mark.slow
@pytest.mark.req("RUN-017.4", "RUN-002.3", "RUN-012.1", "WIT-012.6", "ADP-015", "RUN-020.1")
def test_a_member_lost_to_another_writer_runs_again_in_the_same_run(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """A lost member leaves no idle snapshot: its actor runs again from the head (RUN-017.4).

    In ``a``'s run the counter's first transition reads nothing (its genesis is queued
    behind an update, WIT-012.6) and so leaves its idle snapshot; then the sleepy
    actor naps, and meanwhile ``b`` adopts the very same first step. Where ``a``
    groups (RUN-017), its provisional first step loses its swap at the commit and is
    not adopted; ``a`` must then run the counter again from the head ``b`` set, in
    the same run, as for any lost swap (RUN-002.3) — an idle snapshot belongs to an
    adopted step, and one left by a step that was never adopted would leave the
    update and the genesis unread. A runtime that commits each step on its own loses
    the swap at once and retries just the same. Under any interleaving of ``a`` and
    ``b``, the counter has read both when both runs are over. ``a`` keeps no idle
    actor resident (``max_resident`` 0), so the counter is evicted between rounds
    while its member is open (RUN-012.2).
    """
    a = call_ok(
        impl, "RUN-017.4", "rt-open", path=str(tmp_path), time_limit=A_LIMIT, max_resident=0
    )["runtime"]
    sleepy = str(call_ok(impl, "RUN-017.4", "rt-genesis", runtime=a, actor="sleepy")["actor"])
    counter, core = _counter_before(impl, a, sleepy)
    call_ok(impl, "RUN-017.4", "rt-run", runtime=a, max_steps=200)  # the sleepy actor's genesis
    nap = str(NAP).encode().hex()
    call_ok(impl, "RUN-017.4", "rt-send", runtime=a, to=sleepy, mt="nap", content={"blob": nap})
    update = {"tree": {"wit_update": REPLACE, "wit": COUNTER, "n": {"blob": "01"}}}
    call_ok(impl, "RUN-017.4", "rt-send", runtime=a, to=counter, mt="update", content=update)
    genesis = call_ok(
        impl, "RUN-017.4", "rt-send", runtime=a, to=counter, mt="genesis", content=core
    )["message"]

    b = call_ok(
        second, "RUN-017.4", "rt-open", path=str(tmp_path), time_limit=B_LIMIT, first_delay=0
    )["runtime"]
    answers: list[dict[str, Any]] = []
    run_a = threading.Thread(
        target=lambda: answers.append(call_ok(impl, "RUN-017.4", "rt-run", runtime=a, max_steps=50))
    )
    run_a.start()
    try:
        run_a.join(timeout=0.3)  # a's run has started: the counter first, then the nap
        call_ok(
            second, "RUN-017.4", "rt-run", runtime=b, max_steps=50
        )  # the counter's first step, again
    finally:
        run_a.join(timeout=60)
    came_value = run_a.is_alive()
    check(
        "RUN-017.4",
        not came_value,
        expected="nothing (empty)",
        came=came_value,
        what="a's rt-run did not end within 60 s",
    )
    check(
        "RUN-017.4", answers, expected="a value, not empty", came=answers, what="a's rt-run failed"
    )
    head = call_ok(impl, "RUN-017.4", "rt-head", runtime=a, actor=counter)["step"]
    step = g.decode_object(
        bytes.fromhex(call_ok(impl, "RUN-017.4", "rt-object", runtime=a, id=head)["bytes"])
    )
    if not isinstance(step, g.Step):
        fail("RUN-017.4", expected="a step", came=step, what="the step")
    read = None
    if step.inbox is not None:
        box = g.decode_object(
            bytes.fromhex(
                call_ok(impl, "RUN-017.4", "rt-object", runtime=a, id=step.inbox.hex())["bytes"]
            )
        )
        if not isinstance(box, g.Mailbox):
            fail("RUN-017.4", expected="a mailbox", came=box, what="the box")
        read = next(iter(box.entries.values())).hex()
    check_equal(
        ("RUN-017.4", "RUN-002.3"),
        genesis,
        read,
        f"after a's run the counter's head {head} has read {read}, not the genesis "
        f"{genesis} queued behind the update: a's first step of it lost its swap to b's, "
        f"and a did not run it again from b's head: {answers[0]}",
    )


@pytest.mark.slow
@pytest.mark.parametrize("commit", ["step", "group"])
@pytest.mark.req("RUN-002.2", "RUN-002.3", "RUN-017.4", "RUN-001.2", "ADP-015", "RUN-020.1")
def test_a_transition_that_lost_its_swap_is_built_again_in_the_same_run(
    impl: Implementation, second: Implementation, tmp_path: Path, commit: str
) -> None:
    """Both writers run the same long transition; the later one loses and must go on.

    ``b`` starts its run first, with the sleepy actor's ``nap`` pending; ``a`` starts a
    moment later, when a second, short ``nap`` is pending too, so its transition reads
    both. ``b``'s ends first and moves the head; ``a``'s swap then loses (RUN-002.2: at
    once in step mode, at the group's commit in group mode, RUN-017.4). ``a`` must
    build the transition again from ``b``'s head, in the same run (RUN-002.3): it reads
    the short nap, which ``b`` never saw. A runtime that gives up on a lost swap ends
    its run with the short nap unread. Under any interleaving, the sleepy actor has
    read the short nap when both runs are over.
    """
    opened = impl.call("rt-open", path=str(tmp_path), time_limit=A_LIMIT, commit=commit)
    if not opened.ok and opened.error_class == "bad-request":
        pytest.skip(f"the implementation has no commit mode {commit!r} (ADP-015)")
    a = ok_answer(opened, "RUN-002.2")["runtime"]
    sleepy = str(call_ok(impl, "RUN-002.2", "rt-genesis", runtime=a, actor="sleepy")["actor"])
    call_ok(impl, "RUN-002.2", "rt-run", runtime=a, max_steps=200)
    nap = str(NAP).encode().hex()
    call_ok(impl, "RUN-002.2", "rt-send", runtime=a, to=sleepy, mt="nap", content={"blob": nap})

    b = call_ok(
        second, "RUN-002.2", "rt-open", path=str(tmp_path), time_limit=A_LIMIT, commit=commit
    )["runtime"]
    answers: list[dict[str, Any]] = []
    runs = [
        threading.Thread(
            target=lambda side=side, rt=rt: answers.append(
                call_ok(side, "RUN-002.2", "rt-run", runtime=rt, max_steps=50)
            )
        )
        for side, rt in ((second, b), (impl, a))
    ]
    runs[0].start()  # b reads the long nap
    try:
        runs[0].join(timeout=0.3)
        short = b"10".hex()
        last = call_ok(
            impl, "RUN-002.2", "rt-send", runtime=a, to=sleepy, mt="nap", content={"blob": short}
        )
        runs[1].start()  # a reads the long nap and the short one, and ends later
    finally:
        for run in runs:
            run.join(timeout=60)
    came_value = any(run.is_alive() for run in runs)
    check(
        "RUN-002.2",
        not came_value,
        expected="nothing (empty)",
        came=came_value,
        what="an rt-run did not end within 60 s",
    )
    check_equal("RUN-002.2", 2, len(answers), "an rt-run failed")
    head = call_ok(impl, "RUN-002.2", "rt-head", runtime=a, actor=sleepy)["step"]
    step = g.decode_object(
        bytes.fromhex(call_ok(impl, "RUN-002.2", "rt-object", runtime=a, id=head)["bytes"])
    )
    if not isinstance(step, g.Step):
        fail("RUN-002.2", expected="a step", came=step, what="the step")
    if step.inbox is None:
        fail("RUN-002.2", expected="a value", came=step.inbox, what="step's inbox")
    box = g.decode_object(
        bytes.fromhex(
            call_ok(impl, "RUN-002.2", "rt-object", runtime=a, id=step.inbox.hex())["bytes"]
        )
    )
    if not isinstance(box, g.Mailbox):
        fail("RUN-002.2", expected="a mailbox", came=box, what="the box")
    read = next(iter(box.entries.values())).hex()
    check_equal(
        ("RUN-002.3", "RUN-017.4"),
        last["message"],
        read,
        f"after both runs the sleepy actor's head has read {read}, not the short nap "
        f"{last['message']}: the runtime whose swap lost did not build its transition again "
        f"from the winner's head: {answers}",
    )
