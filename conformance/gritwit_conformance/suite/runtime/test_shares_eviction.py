"""Shares, continued: a runtime evicts the actors outside its share, when a run ends
and on the idle timeout (RUN-021, RUN-012)."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, ok_answer
from .._writers import count_of, inc
from .._writers import second as second  # the second writer's fixture
from .test_shares import chosen, genesis, genesis_core, in_share, open_share, run

#: Shares are a feature an implementation claims in hello (ADP-005.7): the tests run
#: only where it is claimed, and are *not claimed* elsewhere.
pytestmark = [pytest.mark.profile("runtime"), pytest.mark.feature("shares")]


def _two_chosen(name: str, k: int, n: int) -> list[tuple[dict[str, str], str]]:
    """Two ``name`` actors of share ``k/n`` (:func:`chosen`'s first two seeds)."""
    found = []
    for seed in itertools.count():
        state = {"seed": f"{seed:08x}"}
        actor = g.object_id(genesis_core(name, state)).hex()
        if in_share(actor, k, n):
            found.append((state, actor))
            if len(found) == 2:
                return found
    raise AssertionError("unreachable")


@pytest.mark.req("RUN-021.5", "RUN-012.1", "RUN-012.2", "RUN-012.3", "RUN-012.6", "ADP-015")
@pytest.mark.parametrize("first", [0, 1], ids=["queried-in-order", "queried-reversed"])
@pytest.mark.req("RUN-006.2", "RUN-021.1", "RUN-021.2", "RUN-021.4", "WIT-002")
def test_every_actor_outside_the_share_is_evicted_when_a_run_ends(
    impl: Implementation, tmp_path: Path, first: int
) -> None:
    """Share 0/2, ``max_resident`` 1, queries two counters of share 1 (resident there from
    the query, RUN-012.6) and sends each an ``inc``; its own ``y`` gets one too.  Its next
    run steps ``y`` alone, and when the rules are evaluated (RUN-012.3) both outside
    actors are idle, whatever is pending for each (RUN-021.5): capacity evicts the two,
    least recently queried first, and keeps ``y``.  Share 1's runtime then runs both."""
    share_a, share_b = [0, 2], [1, 2]
    b = open_share(impl, tmp_path, share_b)
    reply = impl.call("rt-open", path=str(tmp_path), share=share_a, max_resident=1)
    a = str(
        ok_answer(reply, "RUN-021.5", f"rt-open with share {share_a} and max_resident 1")["runtime"]
    )
    outside = _two_chosen("counter", 1, 2)
    y_state, y = chosen("counter", 0, 2)
    xs = [genesis(impl, b, "counter", state) for state, _ in outside]
    run(impl, b, share_b, [*xs, y], xs)
    genesis(impl, a, "counter", y_state)
    run(impl, a, share_a, [*xs, y], [y])
    call_ok(impl, "RUN-021.5", "rt-events", runtime=a)  # what the runs so far emitted
    order = xs if first == 0 else xs[::-1]
    for x in order:
        check_equal(
            "RUN-021.5", b"0", count_of(impl, a, x, clause="RUN-021.5")
        )  # a query: x is resident in share 0's runtime
    for x in order:
        inc(impl, a, x, "1", clause="RUN-021.5")
    inc(impl, a, y, "1", clause="RUN-021.5")
    run(impl, a, share_a, [*xs, y], [y])
    archived = [
        (e["actor"], e["reason"])
        for e in call_ok(impl, "RUN-021.5", "rt-events", runtime=a)["events"]
        if e["event"] == "archived"
    ]
    check_equal(
        ("RUN-021.5", "RUN-012.2"),
        [(x, "capacity") for x in order],
        archived,
        f"share 0/2 with max_resident 1 archived {archived} in its run: both actors of share "
        f"1 it queried ({order}, in that order) count as idle with an inc pending "
        "(RUN-021.5) and must be evicted for capacity, least recently used first "
        "(RUN-012.2), keeping its own y, which the run used last",
    )
    run(impl, b, share_b, [*xs, y], xs)
    check_equal("RUN-021.5", [b"1", b"1"], [count_of(impl, b, x, clause="RUN-021.5") for x in xs])


#: The idle timeout of the runtime of share 0/2 below, and how long it is left unused.
IDLE_AFTER = 0.5
UNUSED = 1.2


@pytest.mark.req("RUN-021.5", "RUN-012.1", "RUN-012.3", "RUN-012.6", "RUN-012.7", "ADP-015")
@pytest.mark.req("RUN-006.2", "RUN-021.1", "RUN-021.2", "RUN-021.4", "WIT-002")
def test_an_actor_outside_the_share_is_evicted_on_the_idle_timeout(
    impl: Implementation, tmp_path: Path
) -> None:
    """Share 0/2 with ``idle_after`` 0.5 s and no capacity bound queries ``x`` of share 1
    (resident there, RUN-012.6) and sends it an ``inc``, then is left unused for more
    than 0.5 s. Its next run evaluates the idle rule (RUN-012.3): ``x`` counts as idle
    whatever is pending for it (RUN-021.5), and is evicted for the timeout, as any idle
    actor is — not kept because of the ``inc`` it will never run there."""
    share_a, share_b = [0, 2], [1, 2]
    b = open_share(impl, tmp_path, share_b)
    reply = impl.call(
        "rt-open", path=str(tmp_path), share=share_a, max_resident=None, idle_after=IDLE_AFTER
    )
    a = str(
        ok_answer(reply, "ADP-015", f"rt-open with share {share_a} and idle_after {IDLE_AFTER}")[
            "runtime"
        ]
    )
    (x_state, x), (y_state, y) = chosen("counter", 1, 2), chosen("counter", 0, 2)
    genesis(impl, b, "counter", x_state)
    run(impl, b, share_b, [x, y], [x])
    genesis(impl, a, "counter", y_state)
    run(impl, a, share_a, [x, y], [y])
    check_equal(
        "RUN-012.6",
        b"0",
        count_of(impl, a, x, clause="RUN-021.5"),
        "a query: x resident in share 0's runtime",
    )
    inc(impl, a, x, "1", clause="RUN-021.5")
    call_ok(impl, "ADP-015", "rt-events", runtime=a)  # what came before: not this run's
    time.sleep(UNUSED)
    call_ok(impl, "ADP-015", "rt-run", runtime=a, max_steps=100)
    archived = [
        (e["actor"], e["reason"])
        for e in call_ok(impl, "ADP-015", "rt-events", runtime=a)["events"]
        if e["event"] == "archived"
    ]
    check(
        ("RUN-021.5", "RUN-012.3"),
        (x, "idle") in archived,
        expected=f"share 0/2 with idle_after {IDLE_AFTER} s, in a run {UNUSED} s after it last "
        f"used {x}, of share 1, by a query, to archive it for the idle timeout, reason idle: "
        "it counts as idle with an inc pending, since it does not run there",
        came=archived,
        what="the archived",
    )
    run(impl, b, share_b, [x, y], [x])
    check_equal(
        "RUN-021.5",
        b"1",
        count_of(impl, b, x, clause="RUN-021.5"),
        f"{x} counted in its own share after the inc",
    )
