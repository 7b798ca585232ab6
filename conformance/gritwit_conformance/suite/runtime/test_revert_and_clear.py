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

from .._check import check, check_equal, check_error_class, fail
from ._forks import Rt, _blob_of, genesis, genesis_core

pytestmark = pytest.mark.profile("runtime")


def _count(rt: Rt, actor: str) -> int:
    return int(bytes.fromhex(rt("rt-query", actor=actor, name="count")["data"]))


def _revert(rt: Rt, actor: str, step: str) -> str:
    return str(rt("rt-revert", actor=actor, step=step)["step"])


def _refused(rt: Rt, actor: str, step: str) -> str | None:
    """The error class ``rt-revert`` answers, or ``None`` when it reverted."""
    if not isinstance(rt.impl, Implementation):
        fail("RUN-024", expected="a Implementation", came=rt.impl)
    reply = rt.impl.call("rt-revert", runtime=rt.handle, actor=actor, step=step)
    return None if reply.ok else reply.error_class


def _chain(rt: Rt, last: g.ObjectId | None) -> list[g.ObjectId]:
    """The messages of a queue from ``last`` back through ``previous``."""
    out = []
    while last is not None:
        out.append(last)
        message = rt.obj(last)
        if not isinstance(message, g.Message):
            fail("WIT-002", expected="a message", came=message, what="the message")
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
    check_equal("WIT-020", 4, len(steps), "a counter at 3")
    check_equal("WIT-020", 3, _count(rt, counter), "a counter at 3")
    return counter, steps


@pytest.mark.req("RUN-024.1", "RUN-024.2", "RUN-024.3", "RUN-024.5")
@pytest.mark.req("WIT-002", "WIT-020")
def test_a_reverted_counter_counts_on_from_the_reverted_count(
    impl: Implementation, tmp_path: Path
) -> None:
    """Revert a counter two steps (3 → 1): a new head whose ``previous`` is the old one,
    with the old step's core and the head's mailboxes; the next ``inc`` makes it 2, not 4
    (the reverted steps' messages are not read again) and the history verifies."""
    rt = Rt(impl, tmp_path / "rt", clause="RUN-024.1")
    try:
        counter, steps = _counter_of_three(rt)
        head = steps[-1]
        new = _revert(rt, counter, steps[1])
        check_equal("RUN-024.1", new, rt.head(counter), "a new step is the head")
        check("RUN-024.1", new not in steps, expected="a new step is the head", came=new)
        step, last, at = rt.step(new), rt.step(head), rt.step(steps[1])
        check_equal(
            "RUN-024.1", counter, step.actor.hex(), "the revert step continues the head it reverts"
        )
        check_equal(
            "RUN-024.1",
            g.ObjectId.from_hex(head),
            step.previous,
            "the revert step continues the head it reverts",
        )
        check_equal("RUN-024.1", at.core, step.core, "the revert step has the reverted-to core")
        check_equal(
            "RUN-024.1",
            (last.inbox, last.outbox),
            (step.inbox, step.outbox),
            "the revert step keeps the head's inbox and outbox",
        )
        check_equal("RUN-024.2", 1, _count(rt, counter), "a query answers from the reverted core")
        check_equal(
            "RUN-024.3",
            [],
            rt.run()["steps"],
            "a run right after the revert adopts nothing: the messages the "
            "reverted steps read are not pending again",
        )
        rt("rt-send", to=counter, mt="inc", content={"blob": ""})
        rt.run()
        check_equal(
            ("RUN-024.2", "RUN-024.3"),
            2,
            _count(rt, counter),
            "the next inc counts from the reverted count, once",
        )
        history = rt.history(counter)
        check_equal("RUN-024.5", [new, *reversed(steps)], history[1:], "every step stays")
        verify = rt("rt-verify", actor=counter)
        check(
            "RUN-024.5",
            verify["verified"] is True,
            expected="true",
            came=verify["verified"],
            what=f"a history holding a revert step verifies: {verify}",
        )
        check_equal(
            "RUN-024.5", 6, verify["steps"], f"a history holding a revert step verifies: {verify}"
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
    rt = Rt(impl, tmp_path / "rt", clause="RUN-024.4")
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
        value = rt.step(first).outbox
        if value is None:
            fail(
                "RUN-024.4",
                expected="a value",
                came=value,
                what="the step after the first fanout sent",
            )
        head = rt.step(str(rt.head(fanout)))
        third = rt.mailbox(head.outbox)[g.ObjectId.from_hex(echo)]
        _revert(rt, fanout, first)
        check_equal(
            ("RUN-024.3", "RUN-024.4"),
            [],
            rt.run()["steps"],
            "a run right after the revert adopts nothing: no message "
            "is pending again, for the fanout or for the echo",
        )
        rt("rt-send", to=fanout, mt="fanout", content=listing)
        rt.run()
        sent = rt.mailbox(rt.step(str(rt.head(fanout))).outbox)[g.ObjectId.from_hex(echo)]
        fourth = rt.obj(sent)
        if not isinstance(fourth, g.Message):
            fail(
                "RUN-024.4",
                expected="a message",
                came=fourth,
                what="the next message to a recipient chains after the last one sent",
            )
        check_equal(
            "RUN-024.4",
            third,
            fourth.previous,
            "the next message to a recipient chains after the last one sent",
        )
        replies = rt.mailbox(rt.step(str(rt.head(echo))).outbox)[g.ObjectId.from_hex(fanout)]
        check_equal(
            "RUN-024.4",
            4,
            len(_chain(rt, replies)),
            "the echo replied to each message once: four messages, none twice",
        )
    finally:
        rt.close()


@pytest.mark.req("RUN-024.6")
@pytest.mark.req("RUN-024.2", "WIT-002", "WIT-020")
@pytest.mark.req("CONV-004")
def test_a_revert_to_another_actors_step_the_head_or_an_unknown_id_is_refused(
    impl: Implementation, tmp_path: Path
) -> None:
    """Each refusal changes nothing: the head stays, the count stays."""
    rt = Rt(impl, tmp_path / "rt", clause="RUN-024.6")
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
            check_equal("RUN-024.6", expected, _refused(rt, actor, step), f"{case} → {expected}")
            check_equal(
                "RUN-024.6",
                steps[-1],
                rt.head(counter),
                f"a refused revert ({case}) changed the actor",
            )
            check_equal(
                "RUN-024.6", 3, _count(rt, counter), f"a refused revert ({case}) changed the actor"
            )
        # a child's own first step is its history; its parent's steps are not
        child = str(rt("rt-fork", actor=counter, step=steps[2])["actor"])
        rt("rt-send", to=child, mt="inc", content={"blob": ""})
        rt.run()
        first = str(rt.step(str(rt.head(child))).previous.hex())  # type: ignore[union-attr]
        check_error_class(
            "RUN-024.6",
            "invalid-ref-target",
            _refused(rt, child, steps[1]),
            "a step of the parent below a fork is not the child's own",
        )
        value = _refused(rt, child, first)
        check(
            "RUN-024.6",
            value is None,
            expected="nothing (null)",
            came=value,
            what="the child's first step is its own",
        )
        check_equal("RUN-024.2", 2, _count(rt, child), "the child's first step's count")
    finally:
        rt.close()


@pytest.mark.req("RUN-024.6", "RUN-024.5")
@pytest.mark.req("WIT-002", "WIT-020")
def test_a_revert_is_undone_by_reverting_to_the_step_it_continued(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Rt(impl, tmp_path / "rt", clause="RUN-024.6")
    try:
        counter, steps = _counter_of_three(rt)
        _revert(rt, counter, steps[0])
        check_equal("RUN-024.6", 0, _count(rt, counter), "the count")
        _revert(rt, counter, steps[-1])  # the step the first revert continued
        check_equal("RUN-024.6", 3, _count(rt, counter), "a reverted step is still on the chain")
        value = rt("rt-verify", actor=counter)["verified"]
        check(
            "RUN-024.5",
            value is True,
            expected="true",
            came=value,
            what="rt-verify after two reverts",
        )
    finally:
        rt.close()


@pytest.mark.req("RUN-024.7")
@pytest.mark.req("WIT-002")
@pytest.mark.req("CONV-004")
def test_a_frozen_actor_is_not_reverted_to_before_its_freeze(
    impl: Implementation, tmp_path: Path
) -> None:
    """A counter frozen by an update (WIT-013, WIT-016): a revert to the step before the
    update would drop ``frozen`` → ``frozen-core``; a revert between frozen steps is made."""
    rt = Rt(impl, tmp_path / "rt", clause="RUN-024.7")
    try:
        counter = genesis(rt, "counter").actor
        rt.run()
        before = str(rt.head(counter))
        rt("rt-send", to=counter, mt="update", content={"tree": {"frozen": {"blob": "31"}}})
        rt.run()
        frozen = str(rt.head(counter))
        rt("rt-send", to=counter, mt="inc", content={"blob": ""})
        rt.run()
        check_equal("RUN-024.7", 1, _count(rt, counter), "the count")
        head = rt.head(counter)
        check_error_class(
            "RUN-024.7", "frozen-core", _refused(rt, counter, before), "it would unfreeze"
        )
        check_equal("RUN-024.7", 1, _count(rt, counter), "unchanged")
        check_equal("RUN-024.7", head, rt.head(counter), "unchanged")
        value = _refused(rt, counter, frozen)
        check(
            "RUN-024.7",
            value is None,
            expected="nothing (null)",
            came=value,
            what="frozen to frozen is a revert",
        )
        check_equal("RUN-024.7", 0, _count(rt, counter), "the count")
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
    check_equal("RUN-004.4", failing, genesis(rt, "failing").actor, "genesis's actor")
    answer = rt.run()
    check_equal(
        "RUN-004.4", [failing], [a for a, _ in answer["failures"]], "the actors rt-run failed"
    )
    value = rt.failed(failing)
    if value is None:
        fail("RUN-004.4", expected="a value", came=value)
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
    rt = Rt(impl, tmp_path / "rt", clause="RUN-025.1")
    try:
        failing, requester = _failed_pinged(rt)
        check_equal("RUN-004.6", 1, _receipts(rt, requester), "one receipt")
        check_equal(
            "RUN-025.1",
            {"cleared": True},
            rt("rt-clear", actor=failing),
            "rt-clear of the failed actor",
        )
        value = rt.failed(failing)
        check(
            "RUN-025.1",
            value is None,
            expected="nothing (null)",
            came=value,
            what="the mark is deleted",
        )
        check_equal("RUN-025.1", {"cleared": False}, rt("rt-clear", actor=failing), "twice")
        check_equal("RUN-025.1", {"cleared": False}, rt("rt-clear", actor=requester), "unmarked")
        answer = rt.run()
        check_equal(
            "RUN-025.3",
            [[failing, "failed"]] * 5,
            answer["attempts"],
            f"the actor runs again, five attempts afresh: {answer['attempts']}",
        )
        check_equal("RUN-025.3", [failing], [a for a, _ in answer["failures"]], "marked again")
        value = rt.failed(failing)
        if value is None:
            fail("RUN-025.1", expected="a value", came=value)
        rt.run()
        check_equal("RUN-025.3", 2, _receipts(rt, requester), "a new receipt, the first kept")
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
    rt = Rt(impl, tmp_path / "rt", clause="RUN-024.8")
    try:
        counter = genesis(rt, "counter").actor
        rt.run()
        good = str(rt.head(counter))
        wit = {"blob": b"failing".hex(), "headers": {"runtime": "test-actor"}}
        rt("rt-send", to=counter, mt="update", content={"tree": {"wit": wit}})
        rt.run()
        rt("rt-send", to=counter, mt="inc", content={"blob": ""})
        check_equal(
            "RUN-024.8",
            [counter],
            [a for a, _ in rt.run()["failures"]],
            "the actors of run's failures",
        )
        mark = rt.failed(counter)
        _revert(rt, counter, good)
        check_equal("RUN-024.8", mark, rt.failed(counter), "the mark stays")
        check_equal(("RUN-024.8", "RUN-004.7"), [], rt.run()["steps"], "a held actor does not run")
        check_equal("RUN-024.8", {"cleared": True}, rt("rt-clear", actor=counter))
        answer = rt.run()
        check_equal(
            "RUN-025.3",
            [counter],
            [a for a, _ in answer["steps"]],
            f"the cleared actor runs its pending inc from the reverted core: {answer}",
        )
        check_equal(
            "RUN-025.3",
            [],
            answer["failures"],
            f"the cleared actor runs its pending inc from the reverted core: {answer}",
        )
        check_equal("RUN-024.8", 1, _count(rt, counter), "the count")
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
    rt = Rt(impl, tmp_path / "rt", clause="RUN-025.4")
    try:
        failing, _ = _failed_pinged(rt)
        check_equal("RUN-025.4", {"cleared": True}, rt("rt-clear", actor=failing))
        check(
            "RUN-025.4",
            failing not in _evicted(rt),
            expected="rt-evict archived an actor cleared since the last run",
            came=failing,
            what="the failing",
        )
        answer = rt.run()
        check_equal("RUN-025.3", [failing], [a for a, _ in answer["failures"]], "marked again")
        check(
            "RUN-012.1",
            failing in _evicted(rt),
            expected="a resident actor marked failed is idle",
            came=failing,
            what="the failing",
        )
        counter = genesis(rt, "counter").actor
        rt.run()
        rt("rt-send", to=counter, mt="inc", content={"blob": ""})
        rt.run()
        first = rt.history(counter)[-1]
        _evicted(rt)  # every idle actor archived: the counter is resident again only if used
        check_equal("RUN-025.4", 1, _count(rt, counter), "the count")  # a query uses it (RUN-012.6)
        _revert(rt, counter, first)
        check(
            "RUN-025.4",
            counter not in _evicted(rt),
            expected="rt-evict archived an actor reverted since the last run",
            came=counter,
            what="the counter",
        )
        rt.run()
        check(
            "RUN-012.1",
            counter in _evicted(rt),
            expected="looked at, with nothing pending, idle",
            came=counter,
            what="the counter",
        )
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
    rt = Rt(impl, tmp_path / "rt", clause="RUN-025.4")
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
            what="the counter",
        )
        answer = rt.run()
        check(
            ("RUN-024.8", "RUN-004.7"),
            answer["steps"] == [] and answer["attempts"] == [],
            expected="the reverted actor held: no step, no attempt",
            came=answer,
            what="the answer",
        )
        evicted = _evicted(rt)
        check(
            ("RUN-025.4", "RUN-012.1"),
            counter in evicted,
            expected=f"rt-evict to archive {counter}: the run found the mark and held the actor, "
            "which then counts as idle, a failed actor's pending inc notwithstanding",
            came=evicted,
            what="the counter",
        )
        if rt.failed(counter) is None:
            fail("RUN-024.8", expected="the failed mark to stay", came="no mark")
    finally:
        rt.close()
