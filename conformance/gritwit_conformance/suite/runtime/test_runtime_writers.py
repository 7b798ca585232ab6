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

from .._check import check
from ._drive import SideBySide
from ._multi import outside_ref
from ._writers import second as second  # the second writer's fixture

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
    both = SideBySide(impl, tmp_path)
    try:
        both.open("a", "store")
        both.open("b", "store")  # a second writer of the same store
        actor = both("a", "rt-genesis", actor="counter")["actor"]
        assert [a for a, _ in both("a", "rt-run", max_steps=20)["steps"]] == [actor]
        first = both("a", "rt-head", actor=actor)["step"]

        five = _inc(both, "b", actor, "5")
        run_b = both("b", "rt-run", max_steps=20)
        assert [a for a, _ in run_b["steps"]] == [actor], run_b
        winner = run_b["steps"][0][1]
        assert both("a", "rt-head", actor=actor)["step"] == winner, "a reads heads from the store"

        seven = _inc(both, "a", actor, "7")
        message = _decoded(both, "a", seven)
        assert isinstance(message, g.Message)
        assert message.previous is not None and message.previous.hex() == five, (
            "the outside's second send must continue the first, made by the other writer "
            f"(RUN-002.4, WIT-004): previous is {message.previous}, not {five}"
        )
        run_a = both("a", "rt-run", max_steps=20)
        assert [a for a, _ in run_a["steps"]] == [actor], run_a
        last = run_a["steps"][0][1]
        step = _decoded(both, "a", last)
        assert isinstance(step, g.Step) and step.previous is not None
        assert step.previous.hex() == winner, (
            f"the step adopted after a lost swap must continue the winner's step {winner}, "
            f"not {step.previous.hex()} (RUN-002.2, RUN-002.3; the first step was {first})"
        )
        for where in ("a", "b"):
            assert both(where, "rt-head", actor=actor)["step"] == last
            count = both(where, "rt-query", actor=actor, name="count")["data"]
            assert bytes.fromhex(count) == b"12", f"runtime {where}: count {count}"
    finally:
        both.kill()


@pytest.mark.smoke
@pytest.mark.req("ADP-015", "RUN-002.4", "WIT-004")
def test_sends_from_two_writers_chain_in_the_outside_outbox(
    impl: Implementation, tmp_path: Path
) -> None:
    both = SideBySide(impl, tmp_path)
    try:
        both.open("a", "store")
        both.open("b", "store")
        actor = both("a", "rt-genesis", actor="counter")["actor"]
        sent = [_inc(both, "a", actor, "1")]
        for index in range(4):  # the writers take turns; each send continues the last
            sent.append(_inc(both, "ab"[index % 2], actor, "1"))
        for earlier, later in itertools.pairwise(sent):
            message = _decoded(both, "b", later)
            assert isinstance(message, g.Message) and message.previous is not None
            assert message.previous.hex() == earlier, (
                f"send {sent.index(later)} does not continue send {sent.index(earlier)}: "
                "a writer overwrote the other's outbox (RUN-002.4)"
            )
        outbox = both("b", "rt-ref", name=outside_ref(actor))["target"]  # RUN-003.4
        box = _decoded(both, "a", outbox)
        assert (
            isinstance(box, g.Mailbox)
            and box.entries[g.ObjectId.from_hex(actor)].hex() == (sent[-1])
        )
        both("b", "rt-run", max_steps=20)
        assert bytes.fromhex(both("a", "rt-query", actor=actor, name="count")["data"]) == b"5"
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
        assert reply.ok, f"rt-object {at}: {reply.error}"
        step = g.decode_object(bytes.fromhex(reply.result["bytes"]))
        assert isinstance(step, g.Step)
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
        assert reply.ok, f"rt-open: {reply.error}"
        handles.append(str(reply.result["runtime"]))
    made = impl.call("rt-genesis", runtime=handles[0], actor="counter")
    assert made.ok, made.error
    actor = str(made.result["actor"])
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
            adopted[index] += [step for who, step in ran.result["steps"] if who == actor]

    threads = [threading.Thread(target=writer, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    hung = [i for i, thread in enumerate(threads) if thread.is_alive()]
    assert not hung, f"writer(s) {hung} still running after 300 s: an rt-run that never ends"
    check(
        "RUN-002.1",
        not problems,
        expected="every writer's sends and runs answered a value",
        came=problems,
        what="the two writers at once",
    )
    for index in (0, 1):  # what the other writer left pending is run here
        ran = sides[index].call("rt-run", runtime=handles[index], max_steps=200)
        assert ran.ok, ran.error
        adopted[index] += [step for who, step in ran.result["steps"] if who == actor]
    head = impl.call("rt-head", runtime=handles[0], actor=actor)
    assert head.ok and head.result["step"] is not None, head
    history = set(_history(impl, handles[0], str(head.result["step"])))
    lost = [step for steps in adopted for step in steps if step not in history]
    assert not lost, (
        f"{len(lost)} of {sum(map(len, adopted))} steps reported adopted are not in the "
        f"actor's history: a writer overwrote the other's head (RUN-001.2, RUN-002.2): {lost[:3]}"
    )
    count = impl.call("rt-query", runtime=handles[0], actor=actor, name="count")
    assert count.ok, count.error
    assert bytes.fromhex(count.result["data"]) == str(2 * ROUNDS).encode(), (
        f"count {bytes.fromhex(count.result['data'])!r} after {2 * ROUNDS} inc from two "
        "writers at once: a message was lost or read twice (RUN-002.3, RUN-002.4)"
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
    both = SideBySide(impl, tmp_path)
    try:
        both.open("a", "store")
        both.open("b", "store")
        actor = both("a", "rt-genesis", actor="counter")["actor"]
        both("a", "rt-run", max_steps=20)
        assert both("a", "rt-evict")["evicted"] == [actor]
        _inc(both, "b", actor, "5")
        both("b", "rt-run", max_steps=20)
        count = bytes.fromhex(both("a", "rt-query", actor=actor, name="count")["data"])
        assert count == b"5", f"restored from what it kept before the eviction: count {count!r}"
        _inc(both, "a", actor, "7")
        both("a", "rt-run", max_steps=20)
        count = bytes.fromhex(both("a", "rt-query", actor=actor, name="count")["data"])
        assert count == b"12", count
    finally:
        both.kill()
