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

from .._check import check, check_equal, error_answer, ok_answer
from .._writers import second as second  # the second writer's fixture
from .test_grouped_sends import _count, _counter, _inc, _open, _steps, _target, _whole, outbox
from .test_stale_index import _counter_after

pytestmark = pytest.mark.profile("runtime")


@pytest.mark.req("RUN-019.2", "ADP-015", "RUN-003.4")
@pytest.mark.parametrize("reopen", ["own", "group"])
@pytest.mark.req("RUN-019.1", "RUN-019.3")
@pytest.mark.req("CONV-004")
def test_rt_close_commits_grouped_sends_that_no_run_committed(
    impl: Implementation, tmp_path: Path, reopen: str
) -> None:
    """Sends made after the last ``rt-run`` are durable once ``rt-close`` answers: after a
    reopen each is whole and its recipient reads every one exactly once."""
    rt = _open(impl, tmp_path, "group")
    actor = _counter(impl, rt)
    before = _target(impl, rt, outbox(actor))
    _inc(impl, rt, actor, "2")
    last = _inc(impl, rt, actor, "5")
    ok_answer(impl.call("rt-close", runtime=rt), "ADP-015", "rt-close")
    rt = _open(impl, tmp_path, reopen)
    check(
        ("RUN-019.2", "ADP-015"),
        _whole(impl, rt, actor, last, before),
        expected="sends acknowledged before rt-close whole after it answered: rt-close "
        "commits grouped sends",
        came=f"the sends absent (the outbox still {before})",
    )
    check_equal("RUN-019.2", [actor], _steps(impl, rt), "the steps of the run after a reopen")
    check_equal("RUN-019.2", 7, _count(impl, rt, actor), "the count (each send read once)")
    check_equal("RUN-019.2", [], _steps(impl, rt), "the steps of a second run")
    ok_answer(impl.call("rt-close", runtime=rt), "ADP-015", "rt-close")


@pytest.mark.req("RUN-019.2", "RUN-017.6", "ADP-015", "RUN-003.4")
@pytest.mark.req("RUN-019.1", "RUN-019.3")
@pytest.mark.req("CONV-004")
def test_a_run_that_adopts_nothing_commits_grouped_sends_before_a_clean_close(
    impl: Implementation, tmp_path: Path
) -> None:
    """A send to an id no actor has is pending for nobody: the run adopts no step, and the
    send must be committed all the same — before the run answers, or at the latest by
    ``rt-close`` — and stay pending, whole, after a reopen."""
    rt = _open(impl, tmp_path, "group")
    nobody = g.object_id(g.Blob(data=b"no actor has this id")).hex()
    message = _inc(impl, rt, nobody, "5")
    check_equal("RUN-017.6", [], _steps(impl, rt), "the steps of a run no actor is pending for")
    ok_answer(impl.call("rt-close", runtime=rt), "ADP-015", "rt-close")
    rt = _open(impl, tmp_path, "group")
    check(
        "RUN-019.2",
        _whole(impl, rt, nobody, message, None),
        expected=f"the send of {message} to an actor that does not exist whole after rt-run "
        "and rt-close answered: grouped sends are committed when the group has no member",
        came="the send absent",
    )
    ok_answer(impl.call("rt-close", runtime=rt), "ADP-015", "rt-close")


#: ``a``'s bound: each attempt of the sleepy actor's ``nap`` of :data:`B_NAP` ms fails
#: after it (RUN-005.6); five attempts without delay (``first_delay`` 0) take about 2.5 s.
A_FAILING_LIMIT = 0.5
#: The ``nap`` (ms) that ``b``, with the default bound, runs to the end meanwhile.
B_NAP = 800


@pytest.mark.slow
@pytest.mark.req("RUN-019.2", "RUN-002.3", "RUN-003.1", "RUN-006", "ADP-015")
@pytest.mark.req("CONV-004")
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
        error_answer(reply, "ADP-015", "bad-request", "rt-open with sends 'group'")
        pytest.skip(f"{impl.label} has no commit mode 'group' (ADP-015)")
    a = str(ok_answer(reply, "ADP-015")["runtime"])
    genesis = impl.call("rt-genesis", runtime=a, actor="sleepy")
    sleepy = str(ok_answer(genesis, "ADP-015", "rt-genesis of sleepy")["actor"])
    counter = _counter_after(impl, a, sleepy)
    ok_answer(impl.call("rt-run", runtime=a, max_steps=200), "ADP-015", "the geneses' run")
    opened = second.call("rt-open", path=str(tmp_path), first_delay=0)
    b = ok_answer(opened, "ADP-015", "the second writer's rt-open")["runtime"]
    nap = str(B_NAP).encode().hex()
    sent = second.call("rt-send", runtime=b, to=sleepy, mt="nap", content={"blob": nap})
    ok_answer(sent, "ADP-015", "the second writer's rt-send of nap")
    _inc(impl, a, counter, "5")  # grouped: built on b's outbox, which a reads
    answers: list[Any] = []
    run_a = threading.Thread(
        target=lambda: answers.append(impl.call("rt-run", runtime=a, max_steps=50))
    )
    run_a.start()
    try:
        run_a.join(timeout=0.3)  # a's run has started: the sleepy actor's turn comes first
        ran = second.call("rt-run", runtime=b, max_steps=50)  # runs the nap to the end
        ok_answer(ran, "ADP-015", "the second writer's rt-run")
    finally:
        run_a.join(timeout=60)
    check(
        "RUN-006",
        not run_a.is_alive(),
        expected="a's rt-run ended within 60 s",
        came="it still running",
    )
    check("RUN-006", bool(answers), expected="an answer to a's rt-run", came="none (it raised)")
    answer = ok_answer(answers[0], "ADP-015", "a's rt-run")
    check_equal("RUN-006", True, answer["quiescent"], "a's rt-run quiescent")
    check_equal(
        "RUN-019.2",
        5,
        _count(impl, a, counter),
        "the count once a's rt-run answered quiescent after a's grouped inc 5 (the run under "
        "way loses no grouped send when its index catches up with the refs)",
    )
    check_equal("RUN-019.2", [], _steps(impl, a), "the steps of a's next run")
    check_equal("RUN-019.2", 5, _count(second, b, counter), "the count b reads")
