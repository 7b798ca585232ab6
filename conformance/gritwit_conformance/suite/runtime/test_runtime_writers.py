"""Two writers on one store: a lost compare-and-swap overwrites nothing and loses nothing.

ADP-015 lets two runtimes of one adapter be open on the same directory: two writers
of one store (RUN-002). Runtime ``a`` makes an actor and runs it, so it holds that
actor's head (and the outside's outbox) in memory; runtime ``b`` then sends to the
actor and runs it, moving both refs past what ``a`` holds. When ``a`` sends and runs
next, its swaps lose (or would, had it kept stale state): it must not overwrite
``b``'s step or mailbox (RUN-001.2, RUN-002.2, RUN-002.4) and must do its work again
from the winner's (RUN-002.3), so that in the end the step ``a`` adopts continues
``b``'s, and the message ``a`` sent follows ``b``'s in the outside's chain (WIT-004).
A runtime that sets refs without a compare-and-swap, or that gives up on a lost one,
or that reads its stale copy, ends with a different history.

Each check is stated from the spec (the counter's count, a step's ``previous``, a
message's ``previous``); every answer is also compared with the in-process reference
fed the same commands.
"""

from __future__ import annotations

import itertools
import threading
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, fail, ok_answer
from .._writers import second as second  # the second writer's fixture
from ._drive import SideBySide
from ._multi import outside_ref

pytestmark = pytest.mark.profile("runtime")


def _decoded(both: SideBySide, where: str, oid: str) -> g.GritObject:
    return g.decode_object(bytes.fromhex(both(where, "rt-object", id=oid)["bytes"]))


def _inc(both: SideBySide, where: str, actor: str, amount: str) -> str:
    sent = both(where, "rt-send", to=actor, mt="inc", content={"blob": amount.encode().hex()})
    return str(sent["message"])


@pytest.mark.smoke
@pytest.mark.req("ADP-015", "RUN-001.2", "RUN-002.2", "RUN-002.3", "RUN-002.4", "WIT-004")
def test_a_lost_swap_neither_overwrites_the_winner_nor_drops_its_work(
    impl: Implementation, tmp_path: Path
) -> None:
    both = SideBySide(impl, tmp_path, clause="ADP-015")
    try:
        both.open("a", "store")
        both.open("b", "store")  # a second writer of the same store
        actor = both("a", "rt-genesis", actor="counter")["actor"]
        check_equal(
            "ADP-015",
            [actor],
            [a for a, _ in both("a", "rt-run", max_steps=20)["steps"]],
            "the actors of both's steps",
        )
        first = both("a", "rt-head", actor=actor)["step"]

        five = _inc(both, "b", actor, "5")
        run_b = both("b", "rt-run", max_steps=20)
        check_equal(
            "ADP-015",
            [actor],
            [a for a, _ in run_b["steps"]],
            "the actors of rt-run (run_b)'s steps",
        )
        winner = run_b["steps"][0][1]
        check_equal(
            "ADP-015",
            winner,
            both("a", "rt-head", actor=actor)["step"],
            "a reads heads from the store",
        )

        seven = _inc(both, "a", actor, "7")
        message = _decoded(both, "a", seven)
        if not isinstance(message, g.Message):
            fail("ADP-015", expected="a message", came=message, what="the message")
        if message.previous is None:
            fail(
                ("RUN-002.4", "WIT-004"),
                expected="a value",
                came=message.previous,
                what="the outside's second send must continue the first, made by the other writer "
                f"(RUN-002.4, WIT-004): previous is {message.previous}, not {five}",
            )
        check_equal(
            ("RUN-002.4", "WIT-004"),
            five,
            message.previous.hex(),
            "the outside's second send must continue the first, made by the other writer "
            f"(RUN-002.4, WIT-004): previous is {message.previous}, not {five}",
        )
        run_a = both("a", "rt-run", max_steps=20)
        check_equal(
            "ADP-015",
            [actor],
            [a for a, _ in run_a["steps"]],
            "the actors of rt-run (run_a)'s steps",
        )
        last = run_a["steps"][0][1]
        step = _decoded(both, "a", last)
        if not isinstance(step, g.Step):
            fail("ADP-015", expected="a step", came=step, what="the step")
        if step.previous is None:
            fail("ADP-015", expected="a value", came=step.previous, what="step's previous")
        check_equal(
            ("RUN-002.2", "RUN-002.3"),
            winner,
            step.previous.hex(),
            f"the step adopted after a lost swap must continue the winner's step {winner}, "
            f"not {step.previous.hex()} (RUN-002.2, RUN-002.3; the first step was {first})",
        )
        for where in ("a", "b"):
            check_equal("ADP-015", last, both(where, "rt-head", actor=actor)["step"], "both's step")
            count = both(where, "rt-query", actor=actor, name="count")["data"]
            check_equal("ADP-015", b"12", bytes.fromhex(count), f"runtime {where}: count {count}")
    finally:
        both.kill()


@pytest.mark.smoke
@pytest.mark.req("ADP-015", "RUN-002.4", "WIT-004")
def test_sends_from_two_writers_chain_in_the_outside_outbox(
    impl: Implementation, tmp_path: Path
) -> None:
    both = SideBySide(impl, tmp_path, clause="ADP-015")
    try:
        both.open("a", "store")
        both.open("b", "store")
        actor = both("a", "rt-genesis", actor="counter")["actor"]
        sent = [_inc(both, "a", actor, "1")]
        for index in range(4):  # the writers take turns; each send continues the last
            sent.append(_inc(both, "ab"[index % 2], actor, "1"))
        for earlier, later in itertools.pairwise(sent):
            message = _decoded(both, "b", later)
            if not isinstance(message, g.Message):
                fail("ADP-015", expected="a message", came=message, what="the message")
            if message.previous is None:
                fail(
                    "ADP-015", expected="a value", came=message.previous, what="message's previous"
                )
            check_equal(
                "RUN-002.4",
                earlier,
                message.previous.hex(),
                f"send {sent.index(later)} does not continue send {sent.index(earlier)}: "
                "a writer overwrote the other's outbox",
            )
        outbox = both("b", "rt-ref", name=outside_ref(actor))["target"]  # RUN-003.4
        box = _decoded(both, "a", outbox)
        if not isinstance(box, g.Mailbox):
            fail("ADP-015", expected="a mailbox", came=box, what="the box")
        check_equal("ADP-015", sent[-1], box.entries[g.ObjectId.from_hex(actor)].hex())
        both("b", "rt-run", max_steps=20)
        check_equal(
            "ADP-015", b"5", bytes.fromhex(both("a", "rt-query", actor=actor, name="count")["data"])
        )
    finally:
        both.kill()


#: Sends and runs per writer in the concurrent test: enough for their transitions to
#: overlap many times on two cores.
ROUNDS = 40


def _history(impl: Implementation, runtime: str, head: str) -> list[str]:
    """The step ids from ``head`` back to the first step, following ``previous``."""
    chain = []
    at: str | None = head
    while at is not None:
        chain.append(at)
        reply = impl.call("rt-object", runtime=runtime, id=at)
        reply_ok = ok_answer(reply, "ADP-015", f"rt-object {at}")
        step = g.decode_object(bytes.fromhex(reply_ok["bytes"]))
        if not isinstance(step, g.Step):
            fail("ADP-015", expected="a step", came=step, what="the step")
        at = None if step.previous is None else step.previous.hex()
    return chain


@pytest.mark.smoke
@pytest.mark.req(
    "ADP-015", "RUN-001.2", "RUN-002.1", "RUN-002.2", "RUN-002.3", "RUN-002.4", "RUN-020.1"
)
def test_two_writers_at_once_lose_no_step_and_no_message(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """Two adapter processes run the same actor at the same time, ``ROUNDS`` sends each.

    Whatever the interleaving: every step either runtime reported adopted is in the
    actor's history (none overwritten: RUN-001.2, RUN-002.2), and the count is the
    number of ``inc`` sent (each read once, none dropped after a lost swap: RUN-002.3,
    RUN-002.4).
    """
    sides = [impl, second]
    handles = []
    for side in sides:
        reply = side.call("rt-open", path=str(tmp_path))
        reply_ok = ok_answer(reply, "ADP-015", "rt-open")
        handles.append(str(reply_ok["runtime"]))
    made = impl.call("rt-genesis", runtime=handles[0], actor="counter")
    made_ok = ok_answer(made, "ADP-015")
    actor = str(made_ok["actor"])
    adopted: list[list[str]] = [[], []]
    problems: list[str] = []

    def writer(index: int) -> None:
        try:
            write(index)
        except Exception as exc:  # reported below, not lost in the thread
            problems.append(f"writer {index}: {type(exc).__name__}: {exc}")

    def write(index: int) -> None:
        side, runtime = sides[index], handles[index]
        for _ in range(ROUNDS):
            sent = side.call("rt-send", runtime=runtime, to=actor, mt="inc", content={"blob": ""})
            ran = side.call("rt-run", runtime=runtime, max_steps=50)
            if not (sent.ok and ran.ok):
                problems.append(f"writer {index}: {sent.error or ran.error}")
                return
            steps = ok_answer(ran, "ADP-015")["steps"]  # ok: checked just above
            adopted[index] += [step for who, step in steps if who == actor]

    threads = [threading.Thread(target=writer, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    hung = [i for i, thread in enumerate(threads) if thread.is_alive()]
    check(
        "ADP-015",
        not hung,
        expected="nothing (empty)",
        came=hung,
        what=f"writer(s) {hung} still running after 300 s: an rt-run that never ends",
    )
    check("ADP-015", not problems, expected="nothing (empty)", came=problems, what="the problems")
    for index in (0, 1):  # what the other writer left pending is run here
        ran = sides[index].call("rt-run", runtime=handles[index], max_steps=200)
        ran_ok = ok_answer(ran, "ADP-015")
        adopted[index] += [step for who, step in ran_ok["steps"] if who == actor]
    head = impl.call("rt-head", runtime=handles[0], actor=actor)
    head_ok = ok_answer(head, "ADP-015")
    if head_ok["step"] is None:
        fail("ADP-015", expected="a value", came=head)
    history = set(_history(impl, handles[0], str(head_ok["step"])))
    lost = [step for steps in adopted for step in steps if step not in history]
    check(
        ("RUN-001.2", "RUN-002.2"),
        not lost,
        expected="nothing (empty)",
        came=lost,
        what=f"{len(lost)} of {sum(map(len, adopted))} steps reported adopted are not in the "
        f"actor's history: a writer overwrote the other's head: {lost[:3]}",
    )
    count = impl.call("rt-query", runtime=handles[0], actor=actor, name="count")
    count_ok = ok_answer(count, "ADP-015")
    check_equal(
        ("RUN-002.3", "RUN-002.4"),
        str(2 * ROUNDS).encode(),
        bytes.fromhex(count_ok["data"]),
        f"count {bytes.fromhex(count_ok['data'])!r} after {2 * ROUNDS} inc from two "
        "writers at once: a message was lost or read twice",
    )


@pytest.mark.smoke
@pytest.mark.req("RUN-013.2", "RUN-013.1", "ADP-015")
def test_a_restore_reads_the_head_another_writer_moved(
    impl: Implementation, tmp_path: Path
) -> None:
    """Evicted in runtime ``a``, the actor moves on in runtime ``b``; ``a`` restores it.

    Restoring reads the head ref and head step (RUN-013.2): ``a``'s query and its next
    step must see ``b``'s step, not what ``a`` knew before the eviction.
    """
    both = SideBySide(impl, tmp_path, clause="RUN-013.2")
    try:
        both.open("a", "store")
        both.open("b", "store")
        actor = both("a", "rt-genesis", actor="counter")["actor"]
        both("a", "rt-run", max_steps=20)
        check_equal("RUN-013.2", [actor], both("a", "rt-evict")["evicted"], "both's evicted")
        _inc(both, "b", actor, "5")
        both("b", "rt-run", max_steps=20)
        count = bytes.fromhex(both("a", "rt-query", actor=actor, name="count")["data"])
        check_equal(
            "RUN-013.2", b"5", count, "restored from what it kept before the eviction: count"
        )
        _inc(both, "a", actor, "7")
        both("a", "rt-run", max_steps=20)
        count = bytes.fromhex(both("a", "rt-query", actor=actor, name="count")["data"])
        check_equal("RUN-013.2", b"12", count, "the count")
    finally:
        both.kill()
