"""Reverting an actor (RUN-024) and clearing its failed mark (RUN-025), through
``rt-revert`` and ``rt-clear`` (ADP-015).

Every expected answer is computed from the clauses: a revert step has the reverted-to
step's core and the head's inbox and outbox, its ``previous`` the head (RUN-024.1), so a
counter counts on from the reverted count (RUN-024.2), what the reverted steps read is
not read again (RUN-024.3) and what they sent is not sent again (RUN-024.4: an ``echo``
peer replies to each message once, so its replies count the messages it received).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal
from ._forks import Rt, _blob_of, genesis, genesis_core

pytestmark = pytest.mark.profile("runtime")


def _count(rt: Rt, actor: str) -> int:
    return int(bytes.fromhex(rt("rt-query", actor=actor, name="count")["data"]))


def _revert(rt: Rt, actor: str, step: str) -> str:
    return str(rt("rt-revert", actor=actor, step=step)["step"])


def _refused(rt: Rt, actor: str, step: str) -> str | None:
    """The error class ``rt-revert`` answers, or ``None`` when it reverted."""
    assert isinstance(rt.impl, Implementation)
    reply = rt.impl.call("rt-revert", runtime=rt.handle, actor=actor, step=step)
    return None if reply.ok else reply.error_class


def _chain(rt: Rt, last: g.ObjectId | None) -> list[g.ObjectId]:
    """The messages of a queue from ``last`` back through ``previous``."""
    out = []
    while last is not None:
        out.append(last)
        message = rt.obj(last)
        assert isinstance(message, g.Message)
        last = message.previous
    return out


def _counter_of_three(rt: Rt) -> tuple[str, list[str]]:
    """A counter at 3 after three ``inc`` of 1, one step each; its steps, oldest first."""
    counter = genesis(rt, "counter").actor
    rt.run()
    for _ in range(3):
        rt("rt-send", to=counter, mt="inc", content={"blob": ""})
        rt.run()
    steps = list(reversed(rt.history(counter)))
    assert len(steps) == 4 and _count(rt, counter) == 3, "a counter at 3 (WIT-020)"
    return counter, steps


@pytest.mark.req("RUN-024.1", "RUN-024.2", "RUN-024.3", "RUN-024.5")
@pytest.mark.req("WIT-002", "WIT-020")
def test_a_reverted_counter_counts_on_from_the_reverted_count(
    impl: Implementation, tmp_path: Path
) -> None:
    """Revert a counter two steps (3 → 1): a new head whose ``previous`` is the old one,
    with the old step's core and the head's mailboxes; the next ``inc`` makes it 2, not 4
    (the reverted steps' messages are not read again) and the history verifies."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        counter, steps = _counter_of_three(rt)
        head = steps[-1]
        new = _revert(rt, counter, steps[1])
        assert rt.head(counter) == new and new not in steps, "RUN-024.1: a new step is the head"
        step, last, at = rt.step(new), rt.step(head), rt.step(steps[1])
        assert step.actor.hex() == counter and step.previous == g.ObjectId.from_hex(head), (
            "RUN-024.1: the revert step continues the head it reverts"
        )
        assert step.core == at.core, "RUN-024.1: the revert step has the reverted-to core"
        assert (step.inbox, step.outbox) == (last.inbox, last.outbox), (
            "RUN-024.1: the revert step keeps the head's inbox and outbox"
        )
        assert _count(rt, counter) == 1, "RUN-024.2: a query answers from the reverted core"
        assert rt.run()["steps"] == [], (
            "RUN-024.3: a run right after the revert adopts nothing: the messages the "
            "reverted steps read are not pending again"
        )
        rt("rt-send", to=counter, mt="inc", content={"blob": ""})
        rt.run()
        assert _count(rt, counter) == 2, (
            "RUN-024.2, RUN-024.3: the next inc counts from the reverted count, once"
        )
        history = rt.history(counter)
        assert history[1:] == [new, *reversed(steps)], "RUN-024.5: every step stays"
        verify = rt("rt-verify", actor=counter)
        assert verify["verified"] is True and verify["steps"] == 6, (
            f"RUN-024.5: a history holding a revert step verifies: {verify}"
        )
    finally:
        rt.close()


@pytest.mark.req("RUN-024.4", "RUN-024.1", "WIT-004")
@pytest.mark.req("RUN-024.3", "WIT-002")
def test_messages_the_reverted_steps_sent_are_not_sent_again(
    impl: Implementation, tmp_path: Path
) -> None:
    """A ``fanout`` queues ``fanned`` to an ``echo`` three times, is reverted to the
    step that sent the first, then fans out once more: the echo receives four messages in all, each
    once (it replies four times), and the fourth chains after the third."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        echo = genesis(rt, "echo").actor
        fanout = genesis(rt, "fanout").actor
        rt.run()
        listing = {"tree": {"to": _blob_of(echo)}}
        for _ in range(3):
            rt("rt-send", to=fanout, mt="fanout", content=listing)
            rt.run()
        # its steps: genesis, then per fanout one that sends and one that reads the echo
        first = list(reversed(rt.history(fanout)))[1]
        assert rt.step(first).outbox is not None, "the step after the first fanout sent"
        head = rt.step(str(rt.head(fanout)))
        third = rt.mailbox(head.outbox)[g.ObjectId.from_hex(echo)]
        _revert(rt, fanout, first)
        assert rt.run()["steps"] == [], (
            "RUN-024.3, RUN-024.4: a run right after the revert adopts nothing: no message "
            "is pending again, for the fanout or for the echo"
        )
        rt("rt-send", to=fanout, mt="fanout", content=listing)
        rt.run()
        sent = rt.mailbox(rt.step(str(rt.head(fanout))).outbox)[g.ObjectId.from_hex(echo)]
        fourth = rt.obj(sent)
        assert isinstance(fourth, g.Message) and fourth.previous == third, (
            "RUN-024.4: the next message to a recipient chains after the last one sent"
        )
        replies = rt.mailbox(rt.step(str(rt.head(echo))).outbox)[g.ObjectId.from_hex(fanout)]
        assert len(_chain(rt, replies)) == 4, (
            "RUN-024.4: the echo replied to each message once: four messages, none twice"
        )
    finally:
        rt.close()


@pytest.mark.req("RUN-024.6")
@pytest.mark.req("RUN-024.2", "WIT-002", "WIT-020")
def test_a_revert_to_another_actors_step_the_head_or_an_unknown_id_is_refused(
    impl: Implementation, tmp_path: Path
) -> None:
    """Each refusal changes nothing: the head stays, the count stays."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        counter, steps = _counter_of_three(rt)
        other = genesis(rt, "counter", {"tag": "01"}).actor
        rt.run()
        other_step = str(rt.head(other))
        core = rt.step(steps[0]).core.hex()
        unknown = g.object_id(g.Blob(data=b"no such step")).hex()
        cases = {
            "a step of another actor": (counter, other_step, "invalid-ref-target"),
            "the head itself": (counter, steps[-1], "invalid-ref-target"),
            "an object that is not a step": (counter, core, "invalid-ref-target"),
            "an id not stored": (counter, unknown, "not-found"),
            "an actor without a head": (unknown, steps[0], "not-found"),
        }
        for case, (actor, step, expected) in cases.items():
            assert _refused(rt, actor, step) == expected, f"RUN-024.6: {case} → {expected}"
            assert rt.head(counter) == steps[-1] and _count(rt, counter) == 3, (
                f"RUN-024.6: a refused revert ({case}) changed the actor"
            )
        # a child's own first step is its history; its parent's steps are not
        child = str(rt("rt-fork", actor=counter, step=steps[2])["actor"])
        rt("rt-send", to=child, mt="inc", content={"blob": ""})
        rt.run()
        first = str(rt.step(str(rt.head(child))).previous.hex())  # type: ignore[union-attr]
        assert _refused(rt, child, steps[1]) == "invalid-ref-target", (
            "RUN-024.6: a step of the parent below a fork is not the child's own"
        )
        assert _refused(rt, child, first) is None, "RUN-024.6: the child's first step is its own"
        assert _count(rt, child) == 2, "RUN-024.2: the child's first step's count"
    finally:
        rt.close()


@pytest.mark.req("RUN-024.6", "RUN-024.5")
@pytest.mark.req("WIT-002", "WIT-020")
def test_a_revert_is_undone_by_reverting_to_the_step_it_continued(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Rt(impl, tmp_path / "rt")
    try:
        counter, steps = _counter_of_three(rt)
        _revert(rt, counter, steps[0])
        assert _count(rt, counter) == 0
        _revert(rt, counter, steps[-1])  # the step the first revert continued
        assert _count(rt, counter) == 3, "RUN-024.6: a reverted step is still on the chain"
        assert rt("rt-verify", actor=counter)["verified"] is True, "RUN-024.5"
    finally:
        rt.close()


@pytest.mark.req("RUN-024.7")
@pytest.mark.req("WIT-002")
def test_a_frozen_actor_is_not_reverted_to_before_its_freeze(
    impl: Implementation, tmp_path: Path
) -> None:
    """A counter frozen by an update (WIT-013, WIT-016): a revert to the step before the
    update would drop ``frozen`` → ``frozen-core``; a revert between frozen steps is made."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        counter = genesis(rt, "counter").actor
        rt.run()
        before = str(rt.head(counter))
        rt("rt-send", to=counter, mt="update", content={"tree": {"frozen": {"blob": "31"}}})
        rt.run()
        frozen = str(rt.head(counter))
        rt("rt-send", to=counter, mt="inc", content={"blob": ""})
        rt.run()
        assert _count(rt, counter) == 1
        head = rt.head(counter)
        assert _refused(rt, counter, before) == "frozen-core", "RUN-024.7: it would unfreeze"
        assert _count(rt, counter) == 1 and rt.head(counter) == head, "RUN-024.7: unchanged"
        assert _refused(rt, counter, frozen) is None, "RUN-024.7: frozen to frozen is a revert"
        assert _count(rt, counter) == 0
    finally:
        rt.close()


def _failed_pinged(rt: Rt) -> tuple[str, str]:
    """A ``failing`` actor marked failed with a question of a ``requester`` pending, so
    that the requester got one error receipt (RUN-004.6).

    The question is sent before the failing actor exists (it waits for its genesis,
    WIT-012.2), so that its first transition has it pending whatever the ids' order."""
    requester = genesis(rt, "requester").actor
    rt.run()
    failing = g.object_id(genesis_core("failing", {})).hex()
    ask = {"tree": {"to": _blob_of(failing), "question": {"blob": "3f"}}}
    rt("rt-send", to=requester, mt="ask", content=ask)
    rt.run()
    assert genesis(rt, "failing").actor == failing
    answer = rt.run()
    assert [a for a, _ in answer["failures"]] == [failing], f"RUN-004.4: {answer}"
    assert rt.failed(failing) is not None
    rt.run()  # the requester reads its receipt (it may arrive after the run's last round)
    return failing, requester


def _receipts(rt: Rt, requester: str) -> int:
    """How many messages the outside sent ``requester`` after its genesis: error receipts."""
    step = rt.step(str(rt.head(requester)))
    entry = rt.mailbox(step.inbox).get(g.ObjectId(bytes(32)))
    return len(_chain(rt, entry)) - 2  # its genesis and the ask are the outside's too


@pytest.mark.req("RUN-025.1", "RUN-025.3", "RUN-004.7")
@pytest.mark.req("RUN-004.4", "RUN-004.6", "WIT-002")
def test_clearing_a_failed_mark_runs_the_actor_again_with_fresh_attempts(
    impl: Implementation, tmp_path: Path
) -> None:
    """Clear answers true and deletes the mark; the next run retries the pending message
    the full number of attempts (5, RUN-004.3) and marks it failed again, with a new
    error receipt; the first receipt stays. A second clear of the cleared actor, and a
    clear of an actor never marked, answer false and change nothing."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        failing, requester = _failed_pinged(rt)
        assert _receipts(rt, requester) == 1, "RUN-004.6: one receipt"
        assert rt("rt-clear", actor=failing) == {"cleared": True}, "RUN-025.1"
        assert rt.failed(failing) is None, "RUN-025.1: the mark is deleted"
        assert rt("rt-clear", actor=failing) == {"cleared": False}, "RUN-025.1: twice"
        assert rt("rt-clear", actor=requester) == {"cleared": False}, "RUN-025.1: unmarked"
        answer = rt.run()
        assert answer["attempts"] == [[failing, "failed"]] * 5, (
            f"RUN-025.3: the actor runs again, five attempts afresh: {answer['attempts']}"
        )
        assert [a for a, _ in answer["failures"]] == [failing], "RUN-025.3: marked again"
        assert rt.failed(failing) is not None
        rt.run()
        assert _receipts(rt, requester) == 2, "RUN-025.3: a new receipt, the first kept"
    finally:
        rt.close()


@pytest.mark.req("RUN-024.8", "RUN-025.3")
@pytest.mark.req("RUN-004.7", "WIT-002")
def test_a_failed_actor_reverted_stays_held_until_cleared(
    impl: Implementation, tmp_path: Path
) -> None:
    """A counter marked failed after an update made it ``failing``: a revert to before
    the update keeps the mark (no run runs it), and the clear then runs its pending
    ``inc`` from the reverted core."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        counter = genesis(rt, "counter").actor
        rt.run()
        good = str(rt.head(counter))
        wit = {"blob": b"failing".hex(), "headers": {"runtime": "test-actor"}}
        rt("rt-send", to=counter, mt="update", content={"tree": {"wit": wit}})
        rt.run()
        rt("rt-send", to=counter, mt="inc", content={"blob": ""})
        assert [a for a, _ in rt.run()["failures"]] == [counter]
        mark = rt.failed(counter)
        _revert(rt, counter, good)
        assert rt.failed(counter) == mark, "RUN-024.8: the mark stays"
        assert rt.run()["steps"] == [], "RUN-024.8: a held actor does not run (RUN-004.7)"
        assert rt("rt-clear", actor=counter) == {"cleared": True}
        answer = rt.run()
        assert [a for a, _ in answer["steps"]] == [counter] and answer["failures"] == [], (
            f"RUN-025.3: the cleared actor runs its pending inc from the reverted core: {answer}"
        )
        assert _count(rt, counter) == 1
    finally:
        rt.close()


def _evicted(rt: Rt) -> list[str]:
    return list(rt("rt-evict")["evicted"])


@pytest.mark.req("RUN-025.4", "RUN-012.1")
@pytest.mark.req("RUN-004.4", "RUN-025.3", "WIT-002")
def test_a_cleared_or_reverted_actor_is_busy_until_a_run_looks_at_it(
    impl: Implementation, tmp_path: Path
) -> None:
    """Marked failed, a resident actor is idle (RUN-012.1) and ``rt-evict`` archives it;
    cleared, it is busy until the next ``rt-run`` looks at it, so ``rt-evict`` keeps it
    whatever its failed attempts saw before; after that run (five attempts, marked
    again) it is idle again. A counter reverted with nothing pending is kept likewise
    until a run has looked at it."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        failing, _ = _failed_pinged(rt)
        assert rt("rt-clear", actor=failing) == {"cleared": True}
        assert failing not in _evicted(rt), (
            "RUN-025.4: rt-evict archived an actor cleared since the last run"
        )
        answer = rt.run()
        assert [a for a, _ in answer["failures"]] == [failing], "RUN-025.3: marked again"
        assert failing in _evicted(rt), "RUN-012.1: a resident actor marked failed is idle"
        counter = genesis(rt, "counter").actor
        rt.run()
        rt("rt-send", to=counter, mt="inc", content={"blob": ""})
        rt.run()
        first = rt.history(counter)[-1]
        _evicted(rt)  # every idle actor archived: the counter is resident again only if used
        assert _count(rt, counter) == 1  # a query uses it (RUN-012.6)
        _revert(rt, counter, first)
        assert counter not in _evicted(rt), (
            "RUN-025.4: rt-evict archived an actor reverted since the last run"
        )
        rt.run()
        assert counter in _evicted(rt), "RUN-012.1: looked at, with nothing pending, idle"
    finally:
        rt.close()


@pytest.mark.req("RUN-025.4", "RUN-024.8", "RUN-012.1")
@pytest.mark.req("RUN-004.4", "RUN-004.7", "WIT-002")
def test_a_failed_actor_reverted_is_busy_until_a_run_has_held_it(
    impl: Implementation, tmp_path: Path
) -> None:
    """A counter marked failed (an update made it ``failing``) with an ``inc`` pending,
    resident from its attempts, reverted to before the update and not cleared: the revert
    asks a run to look at it, failed or not, so ``rt-evict`` keeps it (RUN-025.4) though
    RUN-012.1 counts a failed actor idle; the next run finds the mark and holds it
    (RUN-024.8: no step, no attempt), after which it is idle again and ``rt-evict``
    archives it, its ``inc`` still pending."""
    rt = Rt(impl, tmp_path / "rt")
    try:
        counter = genesis(rt, "counter").actor
        rt.run()
        good = str(rt.head(counter))
        wit = {"blob": b"failing".hex(), "headers": {"runtime": "test-actor"}}
        rt("rt-send", to=counter, mt="update", content={"tree": {"wit": wit}})
        rt.run()
        rt("rt-send", to=counter, mt="inc", content={"blob": ""})
        check_equal(
            "RUN-004.4",
            [counter],
            [a for a, _ in rt.run()["failures"]],
            "the actors the run marks failed",
        )
        _revert(rt, counter, good)
        evicted = _evicted(rt)
        check(
            "RUN-025.4",
            counter not in evicted,
            expected=f"rt-evict to keep {counter}: a failed actor reverted since the last run is "
            "busy until a run has looked at it, failed or not",
            came=evicted,
        )
        answer = rt.run()
        check(
            ("RUN-024.8", "RUN-004.7"),
            answer["steps"] == [] and answer["attempts"] == [],
            expected="the reverted actor held: no step, no attempt",
            came=answer,
        )
        evicted = _evicted(rt)
        check(
            ("RUN-025.4", "RUN-012.1"),
            counter in evicted,
            expected=f"rt-evict to archive {counter}: the run found the mark and held the actor, "
            "which then counts as idle, a failed actor's pending inc notwithstanding",
            came=evicted,
        )
        check(
            "RUN-024.8",
            rt.failed(counter) is not None,
            expected="the failed mark to stay",
            came="no mark",
        )
    finally:
        rt.close()
