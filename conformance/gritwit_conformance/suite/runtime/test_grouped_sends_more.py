"""Grouped sends made durable by ``rt-close`` and by a run that adopts nothing (RUN-019.2).

With ``sends: "group"`` an acknowledged ``rt-send`` is durable once the next ``rt-run``
answers, whether or not it adopted a step, or once ``rt-close`` answers (ADP-015). These
tests close the runtime cleanly (no kill) and reopen the directory: the send must be
there, whole, and read exactly once. An implementation that commits grouped sends on
their own passes them too.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from ._writers import second as second  # the second writer's fixture
from .test_grouped_sends import _count, _counter, _inc, _open, _whole, outbox
from .test_stale_index import _counter_after

pytestmark = pytest.mark.profile("runtime")


@pytest.mark.req("RUN-019.2", "ADP-015")
@pytest.mark.parametrize("reopen", ["own", "group"])
@pytest.mark.req("RUN-019.1", "RUN-019.3")
def test_rt_close_commits_grouped_sends_that_no_run_committed(
    impl: Implementation, tmp_path: Path, reopen: str
) -> None:
    """Sends made after the last ``rt-run`` are durable once ``rt-close`` answers: after a
    reopen each is whole and its recipient reads every one exactly once."""
    rt = _open(impl, tmp_path, "group")
    actor = _counter(impl, rt)
    before = impl.call("rt-ref", runtime=rt, name=outbox(actor)).expect_ok()["target"]
    _inc(impl, rt, actor, "2")
    last = _inc(impl, rt, actor, "5")
    impl.call("rt-close", runtime=rt).expect_ok()
    rt = _open(impl, tmp_path, reopen)
    assert _whole(impl, rt, actor, last, before), (
        f"sends acknowledged before rt-close are absent after it answered (the outbox is "
        f"still {before}): rt-close must commit grouped sends (ADP-015, RUN-019.2)"
    )
    ran = impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()
    assert [a for a, _ in ran["steps"]] == [actor], ran
    assert _count(impl, rt, actor) == 7, "a send closed over was lost or read twice"
    assert impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()["steps"] == []
    impl.call("rt-close", runtime=rt).expect_ok()


@pytest.mark.req("RUN-019.2", "RUN-017.6", "ADP-015")
@pytest.mark.req("RUN-019.1", "RUN-019.3")
def test_a_run_that_adopts_nothing_commits_grouped_sends_before_a_clean_close(
    impl: Implementation, tmp_path: Path
) -> None:
    """A send to an id no actor has is pending for nobody: the run adopts no step, and the
    send must be committed all the same — before the run answers, or at the latest by
    ``rt-close`` — and stay pending, whole, after a reopen."""
    rt = _open(impl, tmp_path, "group")
    nobody = g.object_id(g.Blob(data=b"no actor has this id")).hex()
    message = _inc(impl, rt, nobody, "5")
    ran = impl.call("rt-run", runtime=rt, max_steps=1000).expect_ok()
    assert ran["steps"] == [], ran
    impl.call("rt-close", runtime=rt).expect_ok()
    rt = _open(impl, tmp_path, "group")
    assert _whole(impl, rt, nobody, message, None), (
        f"the send of {message} to an actor that does not exist is absent after rt-run and "
        "rt-close answered: grouped sends must be committed when the group has no member "
        "(RUN-019.2)"
    )
    impl.call("rt-close", runtime=rt).expect_ok()


#: ``a``'s bound: each attempt of the sleepy actor's ``nap`` of :data:`B_NAP` ms fails
#: after it (RUN-005.6); five attempts without delay (``first_delay`` 0) take about 2.5 s.
A_FAILING_LIMIT = 0.5
#: The ``nap`` (ms) that ``b``, with the default bound, runs to the end meanwhile.
B_NAP = 800


@pytest.mark.slow
@pytest.mark.req("RUN-019.2", "RUN-002.3", "RUN-003.1", "RUN-006", "ADP-015")
def test_a_catch_up_with_only_grouped_sends_open_still_delivers_them(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """A head moved by another writer while ``a`` holds grouped sends and no member.

    ``b`` sends a ``nap`` to a ``sleepy`` actor on its own; ``a`` (grouped sends, a
    ``time_limit`` shorter than the nap) sends ``inc 5`` to a counter whose turn comes
    after the sleepy actor's (ADP-014), and runs. ``a``'s attempts of the nap fail, so
    its group holds the send and no member, while ``b`` runs the nap to the end and
    moves the sleepy actor's head. At ``a``'s next attempt the head moved: the routing
    index catches up with the refs (RUN-003.1, RUN-002.3), which do not hold ``inc 5``
    until the group commits — the run must deliver it all the same before it answers
    quiescent (RUN-006, RUN-019.2). Whatever the interleaving, once both runs answered
    the counter has read 5, and nothing is left for ``a``.
    """
    reply = impl.call(
        "rt-open",
        path=str(tmp_path),
        sends="group",
        commit="group",
        time_limit=A_FAILING_LIMIT,
        first_delay=0,
    )
    if not reply.ok:
        assert reply.error_class == "bad-request", reply.error
        pytest.skip(f"{impl.label} has no commit mode 'group' (ADP-015)")
    a = str(reply.result["runtime"])
    sleepy = str(impl.call("rt-genesis", runtime=a, actor="sleepy").expect_ok()["actor"])
    counter = _counter_after(impl, a, sleepy)
    impl.call("rt-run", runtime=a, max_steps=200).expect_ok()  # the geneses
    b = second.call("rt-open", path=str(tmp_path), first_delay=0).expect_ok()["runtime"]
    nap = str(B_NAP).encode().hex()
    second.call("rt-send", runtime=b, to=sleepy, mt="nap", content={"blob": nap}).expect_ok()
    _inc(impl, a, counter, "5")  # grouped: built on b's outbox, which a reads
    answers: list[dict[str, Any]] = []
    run_a = threading.Thread(
        target=lambda: answers.append(impl.call("rt-run", runtime=a, max_steps=50).expect_ok())
    )
    run_a.start()
    try:
        run_a.join(timeout=0.3)  # a's run has started: the sleepy actor's turn comes first
        second.call("rt-run", runtime=b, max_steps=50).expect_ok()  # runs the nap to the end
    finally:
        run_a.join(timeout=60)
    assert not run_a.is_alive(), "a's rt-run did not end within 60 s"
    assert answers, "a's rt-run failed"
    assert answers[0]["quiescent"], answers[0]
    count = _count(impl, a, counter)
    assert count == 5, (
        f"count {count} once a's rt-run answered quiescent after a's grouped inc 5: the run "
        "under way lost a grouped send when its index caught up with the refs (RUN-019.2, "
        "RUN-006)"
    )
    assert impl.call("rt-run", runtime=a, max_steps=50).expect_ok()["steps"] == []
    assert _count(second, b, counter) == 5
