"""``multi_runtime -w ring`` ("capped, with half the sends crossing shares").

Rings of four actors, two in one share and two in another (RUN-021), one ball each:
every other hop crosses, so exactly half the sends cross whatever the scheduling.  What
crossed is read back from the store (the outboxes each step changed), not taken from
the plan, and on the same store the ``cross`` workload reads as all crossing: the count
can tell them apart.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asv_bench._multi import Plan, crossing_actors, make_actors
from asv_bench._ring import (
    RING,
    SIZE,
    actors_of,
    balls,
    crossed,
    hops_since,
    laps,
    next_of,
    ring_ids,
    ring_shares,
    ring_step,
)

pytestmark = pytest.mark.req("RUN-021")


def _share_of(actor: Any, n: int) -> int:
    """The share ``actor`` is in, computed here from its id (RUN-021), not by the tool."""
    return int.from_bytes(actor.digest[:8], "big") % n


def _run(plan: Plan) -> tuple[list[tuple[Any, Any]], int]:
    """Make ``plan``'s actors in a memory store, send one round's balls (every process's)
    and run them to the end (one runtime runs all); every hop read back, and the
    outside's sends."""
    from gritwit.runtime import Runtime
    from gritwit.store import Store

    store = Store.memory()
    runtime = Runtime(store, actors=actors_of(plan))
    asyncio.run(make_actors(runtime, plan))
    actors = [a for ids in ring_ids(plan) for a in ids]
    since = {a: store.get_ref("heads/" + a.hex()) for a in actors}
    sent = 0
    for process in range(plan.processes):
        sends, objects = balls(plan, process)
        asyncio.run(runtime.send_all(sends, objects))
        sent += len(sends)
    report = asyncio.run(runtime.run_until_quiescent())
    assert not report.failures and len(report.steps) == plan.steps  # the round's, exactly
    return hops_since(store, since), sent


@pytest.mark.parametrize(("n", "laps"), [(2, 1), (2, 3), (4, 2)])
def test_a_ring_sends_exactly_half_across_shares_read_from_the_store(n: int, laps: int) -> None:
    rings = 2 * n
    plan = Plan(workload=RING, processes=n, shares=True, pairs=rings, steps=SIZE * laps * rings)
    hops, outside = _run(plan)
    assert outside == rings  # a ball each
    assert len(hops) + outside == SIZE * laps * rings  # a send each step but the last of each
    across = sum(_share_of(a, n) != _share_of(b, n) for a, b in hops)
    assert 2 * across == len(hops) + outside  # exactly half of all sends
    assert crossed(plan, hops) == across  # the tool's count agrees with this one
    nexts = next_of(plan)
    assert all(nexts[a] == b for a, b in hops)  # each hop to the actor after it


def test_with_one_share_the_same_ring_sends_nothing_across() -> None:
    plan = Plan(workload=RING, processes=1, shares=True, pairs=3, steps=2 * SIZE * 3)
    hops, outside = _run(plan)
    assert len(hops) + outside == 2 * SIZE * 3 and crossed(plan, hops) == 0
    assert crossing_actors(plan) == set()


def test_the_store_count_sees_cross_as_all_across() -> None:
    """The other side: a workload whose every send crosses reads as all crossing."""
    from gritwit.runtime import Runtime
    from gritwit.store import Store

    plan = Plan(workload="cross", processes=2, shares=True, pairs=4)
    store = Store.memory()
    runtime = Runtime(store)
    asyncio.run(make_actors(runtime, plan))
    since = {a: store.get_ref("heads/" + a.hex()) for a in crossing_actors(plan)}
    asyncio.run(runtime.run_until_quiescent(max_steps=16))
    hops = hops_since(store, since)
    assert len(hops) == 16 and crossed(plan, hops) == 16


def test_a_round_is_whole_laps_or_refused() -> None:
    with pytest.raises(ValueError, match="whole laps"):
        laps(Plan(workload=RING, processes=2, shares=True, pairs=3, steps=4 * 3 + 2))
    assert laps(Plan(workload=RING, processes=2, shares=True, pairs=3, steps=4 * 3 * 5)) == 5


@given(n=st.sampled_from([2, 4, 6, 8]), rings=st.integers(1, 24))
def test_each_ring_has_two_actors_in_each_of_two_partner_shares(n: int, rings: int) -> None:
    plan = Plan(workload=RING, processes=n, shares=True, pairs=rings)
    per_share = [0] * n
    for r in range(rings):
        first, second = ring_shares(plan, r)
        assert first != second and first ^ 1 == second  # a pair of processes, balanced
        per_share[first] += 2
        per_share[second] += 2
    for p in range(0, n, 2):
        assert per_share[p] == per_share[p + 1]  # the parts _multi_process._rest needs


@pytest.mark.parametrize("n", [2, 4])
def test_the_actors_ids_are_in_the_shares_planned(n: int) -> None:
    plan = Plan(workload=RING, processes=n, shares=True, pairs=n)
    for r, ids in enumerate(ring_ids(plan)):
        first, second = ring_shares(plan, r)
        assert [_share_of(a, n) for a in ids] == [first, first, second, second]
    senders = crossing_actors(plan)
    assert len(senders) == 2 * plan.pairs  # b and d of each ring
    assert all(_share_of(a, n) != _share_of(next_of(plan)[a], n) for a in senders)


def test_an_odd_number_of_shares_is_refused() -> None:
    """With 3 shares the last one would have no partner: its rings all local."""
    with pytest.raises(ValueError, match="even"):
        ring_shares(Plan(workload=RING, processes=3, shares=True, pairs=3), 0)


def test_the_ring_wit_forwards_a_ring_ball_and_only_reads_the_rest() -> None:
    import gritwit as g
    from gritwit.store import Store
    from gritwit.wit import PendingMessage, TransitionInput

    store = Store.memory()
    me, other, sender = (g.object_id(g.Blob(data=b"%d" % i)) for i in range(3))
    name = g.Blob(data=other.hex().encode())
    ball = g.Tree(entries={me.hex(): g.object_id(name)})
    stray = g.Tree(entries={other.hex(): g.object_id(name)})  # names no next for me
    for obj in (name, ball, stray):
        store.put_object(obj)

    def message(content: g.Tree, mt: str, left: str = "3") -> PendingMessage:
        msg = g.Message(content=g.object_id(content), headers={"mt": mt, "left": left})
        return PendingMessage(g.object_id(msg), msg)

    core = g.Tree(entries={"wit": g.object_id(name)})
    pending = (
        message(ball, RING),
        message(ball, "genesis"),
        message(stray, RING),
        message(ball, RING, left="0"),  # at its end: kept
        message(ball, RING, left="x"),
        message(ball, RING, left="1"),  # its last hop
    )
    out = ring_step(TransitionInput(actor=me, last_step=None, core=core,
                                    pending={sender: pending}, objects=store))  # fmt: skip
    assert out.read == {sender: 6}
    assert [(s.recipient, s.content, dict(s.headers)) for s in out.sends] == [
        (other, g.object_id(ball), {"mt": RING, "left": "2"}),
        (other, g.object_id(ball), {"mt": RING, "left": "0"}),
    ]
    assert out.core == core


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (["--shares", "2", "3"], "an even number of shares"),
        (["--steps", "1000"], "not whole laps"),
    ],
)
def test_the_tool_refuses_a_ring_it_cannot_run_before_starting_anything(
    argv: list[str], why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from asv_bench.tools.multi_runtime import main

    with pytest.raises(SystemExit) as exited:
        main(["-w", RING, *argv])
    assert exited.value.code == 2
    assert why in capsys.readouterr().err


def test_ring_joins_the_test_actors_only_in_a_runtime_process_of_the_tool() -> None:
    """The tool's runtime processes build ``ring`` inline (``run_inline``); the parent
    and the tests keep the spec's test actors as they are (WIT-018: ``wut`` lists them)."""
    import subprocess
    import sys

    from gritwit.wit import TEST_ACTORS

    plan = Plan(workload=RING, processes=2, shares=True, pairs=2, steps=SIZE * 2)
    assert RING in actors_of(plan) and RING not in TEST_ACTORS
    code = (
        "from asv_bench._multi import Plan; from asv_bench._ring import run_inline; "
        "from gritwit.wit import TEST_ACTORS; "
        f"run_inline(Plan(workload={RING!r}, processes=2, shares=True, pairs=2, steps=8)); "
        f"print({RING!r} in TEST_ACTORS)"
    )
    root = str(__import__("pathlib").Path(__file__).resolve().parents[2])
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=root, check=True
    )
    assert out.stdout.strip() == "True"


def test_the_tool_prints_what_the_store_says_crossed_per_configuration() -> None:
    from asv_bench._multi import POSTGRES, SHARES, Measured, Round
    from asv_bench.tools.multi_runtime import crossing

    rounds = [Round(1.0, 8, 1, 0, 0, 0.0, crossing=8)]  # the children's count: all 8

    def row(store: str, n: int, sends: tuple[int, int] | None) -> Measured:
        return Measured(store, RING, n, 8, rounds, rounds, sends=sends)

    line = crossing([row(POSTGRES, 1, None), row(SHARES, 2, (3, 6)), row(SHARES, 4, (1, 4))])
    assert "2: 50.0 % of 6 sends" in line and "4: 25.0 % of 4 sends" in line
    assert "1:" not in line  # one runtime without shares: no share to cross
