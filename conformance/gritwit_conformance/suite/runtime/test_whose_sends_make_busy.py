"""Whose sends make an actor busy between runs (RUN-012.9).

RUN-012.1 judges an actor between runs (``rt-evict``) as at the end of the last run,
except that the recipient of a message *sent since* is busy until a run has looked at
it. RUN-012.9 says whose sends those are: the ones made through this runtime — an
``rt-send``, the genesis message of an ``rt-genesis``, grouped or not — and not those of
another writer of the store, which the runtime learns of by reading the refs in its
next run. Each test has both sides: a counter is resident and idle after a run; one
kind of send is made; ``rt-evict`` keeps it (busy) or archives it (idle), and the next
run reads what was sent whatever ``rt-evict`` did (RUN-012.5).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, ok_answer
from .._writers import count_of, inc
from .._writers import second as second  # the second writer's fixture

pytestmark = pytest.mark.profile("runtime")


def _evicted(side: Implementation, runtime: str) -> list[str]:
    return [str(a) for a in call_ok(side, "ADP-015", "rt-evict", runtime=runtime)["evicted"]]


def _resident_counter(side: Implementation, runtime: str, amount: str) -> str:
    """A counter made through ``runtime``, run once: resident, nothing pending, idle."""
    actor = str(call_ok(side, "ADP-015", "rt-genesis", runtime=runtime, actor="counter")["actor"])
    inc(side, runtime, actor, amount, clause="ADP-015")
    run = call_ok(side, "ADP-015", "rt-run", runtime=runtime, max_steps=20)
    check(
        "ADP-015",
        run["quiescent"],
        expected="a value, not empty",
        came=run,
        what="rt-run's quiescent",
    )
    check(
        "ADP-015", any(a == actor for a, _ in run["steps"]), expected="a value, not empty", came=run
    )
    return actor


def _ran(side: Implementation, runtime: str, actor: str) -> list[str]:
    run = call_ok(side, "ADP-015", "rt-run", runtime=runtime, max_steps=20)
    check(
        "ADP-015",
        run["quiescent"],
        expected="a value, not empty",
        came=run,
        what="rt-run's quiescent",
    )
    check_equal("ADP-015", [], run["failures"], "rt-run's failures")
    return [str(step) for who, step in run["steps"] if who == actor]


@pytest.mark.req("RUN-012.9", "RUN-012.1", "ADP-015")
@pytest.mark.parametrize(
    "options", [{}, {"sends": "group", "commit": "group"}], ids=["own", "group"]
)
def test_a_send_through_the_runtime_makes_its_recipient_busy(
    impl: Implementation, tmp_path: Path, options: dict[str, Any]
) -> None:
    """``rt-send`` to a resident idle counter: busy until the next run (grouped or not)."""
    reply = impl.call("rt-open", path=str(tmp_path), **options)
    if options and not reply.ok:
        pytest.skip(f"{impl.label} has no commit modes (ADP-015)")
    runtime = str(ok_answer(reply, "RUN-012.9")["runtime"])
    try:
        actor = _resident_counter(impl, runtime, "2")
        inc(impl, runtime, actor, "3", clause="RUN-012.9")
        check_equal(
            ("RUN-012.9", "RUN-012.1"),
            [],
            _evicted(impl, runtime),
            f"an inc sent through this runtime ({options or 'sends own'}) since its last run "
            "makes the counter busy until a run looks at it",
        )
        value = _ran(impl, runtime, actor)
        check(
            "RUN-012.9",
            value,
            expected="a value, not empty",
            came=value,
            what="the next run reads the inc",
        )
        check_equal("RUN-012.9", b"5", count_of(impl, runtime, actor, clause="RUN-012.9"))
        check_equal("RUN-012.1", [actor], _evicted(impl, runtime), "a run looked at it: idle again")
    finally:
        impl.call("rt-close", runtime=runtime)


@pytest.mark.req("RUN-012.9", "RUN-012.1", "WIT-012.5", "ADP-015")
def test_a_genesis_through_the_runtime_makes_its_recipient_busy(
    impl: Implementation, tmp_path: Path
) -> None:
    """A second ``rt-genesis`` of the counter's core sends a genesis message to an actor that
    exists: a message like any other (WIT-012.5), so the counter is busy until a run."""
    runtime = str(call_ok(impl, "RUN-012.9", "rt-open", path=str(tmp_path))["runtime"])
    try:
        actor = _resident_counter(impl, runtime, "2")
        again = call_ok(impl, "RUN-012.9", "rt-genesis", runtime=runtime, actor="counter")["actor"]
        check_equal("RUN-012.9", actor, again, "the same core: the same actor")
        check_equal(
            "RUN-012.9",
            [],
            _evicted(impl, runtime),
            "a genesis message sent through this runtime since its last run makes its "
            "recipient busy, as an rt-send does",
        )
        check_equal(
            "RUN-012.9", 1, len(_ran(impl, runtime, actor)), "the duplicate genesis, read alone"
        )
        check_equal(
            "RUN-012.9",
            b"2",
            count_of(impl, runtime, actor, clause="RUN-012.9"),
            "a duplicate genesis changes nothing",
        )
        check_equal("RUN-012.1", [actor], _evicted(impl, runtime), "a run looked at it: idle again")
    finally:
        impl.call("rt-close", runtime=runtime)


@pytest.mark.req("RUN-012.9", "RUN-012.1", "RUN-020.4", "RUN-020.7", "ADP-015")
def test_another_writers_send_leaves_the_recipient_as_the_last_run_left_it(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``b``, a second runtime on the store, sends to the counter ``a`` keeps resident and
    idle: in ``a`` the counter stays idle, so ``a``'s ``rt-evict`` archives it; ``a``'s next
    run reads ``b``'s message all the same (RUN-020.7) and restores it to do so."""
    a = str(call_ok(impl, "RUN-012.9", "rt-open", path=str(tmp_path))["runtime"])
    b = str(call_ok(second, "RUN-012.9", "rt-open", path=str(tmp_path))["runtime"])
    try:
        actor = _resident_counter(impl, a, "2")
        inc(
            second, b, actor, "4", clause="RUN-012.9"
        )  # another writer's send: acknowledged, in the store
        evicted = _evicted(impl, a)
        check_equal(
            "RUN-012.9",
            [actor],
            evicted,
            f"a's rt-evict answers {evicted}: a message another writer sent since a's last "
            "run does not make its recipient busy in a, which judges it as its last run left "
            "it, idle",
        )
        value = _ran(impl, a, actor)
        check(
            ("RUN-020.7", "RUN-020.4"),
            value,
            expected="a value, not empty",
            came=value,
            what="a's next run reads b's inc",
        )
        check_equal("RUN-012.9", b"6", count_of(impl, a, actor, clause="RUN-012.9"))
        # and the same counter, sent to through a itself: busy (the other side)
        inc(impl, a, actor, "1", clause="RUN-012.9")
        check_equal("RUN-012.9", [], _evicted(impl, a), "a send through a since its last run: busy")
    finally:
        second.call("rt-close", runtime=b)
        impl.call("rt-close", runtime=a)


@pytest.mark.req("RUN-012.9", "RUN-012.1", "RUN-012.6", "RUN-003.1", "ADP-015")
def test_before_its_first_run_only_a_send_through_the_runtime_makes_busy(
    impl: Implementation, tmp_path: Path
) -> None:
    """A runtime that has not run has no last run to judge by: every actor counts as one a
    run left idle, but the recipient of a send through it since it opened (RUN-012.9). A
    counter with an ``inc`` pending from before the directory was opened again, made
    resident by a query, is archived; sent one through the runtime, it is kept; the first
    run reads both (RUN-003.1)."""
    first = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    actor = _resident_counter(impl, first, "2")
    inc(
        impl, first, actor, "3", clause="RUN-012.9"
    )  # pending in the store when the directory is opened again
    call_ok(impl, "ADP-015", "rt-close", runtime=first)
    runtime = str(call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path))["runtime"])
    try:
        check_equal(
            "RUN-003.1",
            b"2",
            count_of(impl, runtime, actor, clause="RUN-012.9"),
            "a query before any run: the head, the inc unread",
        )
        evicted = _evicted(impl, runtime)
        check_equal(
            "RUN-012.9",
            [actor],
            evicted,
            "rt-evict before its first run: a message pending when the runtime opened does not "
            "make its recipient busy, so the counter, resident by a query, is judged as one a run "
            "left idle and archived",
        )
        check_equal(
            "RUN-012.6",
            b"2",
            count_of(impl, runtime, actor, clause="RUN-012.9"),
            "queried again, resident again",
        )
        inc(impl, runtime, actor, "1", clause="RUN-012.9")
        check_equal(
            ("RUN-012.9", "RUN-012.1"),
            [],
            _evicted(impl, runtime),
            "rt-evict before its first run, after a send through the runtime since it opened "
            "(its recipient busy)",
        )
        check(
            "RUN-003.1",
            _ran(impl, runtime, actor),
            expected="the first run to read the incs",
            came="no step of the counter",
        )
        check_equal(
            "RUN-003.1",
            b"6",
            count_of(impl, runtime, actor, clause="RUN-012.9"),
            "the count after the run: 2 + 3 + 1",
        )
        check_equal(
            "RUN-012.1", [actor], _evicted(impl, runtime), "rt-evict after a run looked at it: idle"
        )
    finally:
        impl.call("rt-close", runtime=runtime)
