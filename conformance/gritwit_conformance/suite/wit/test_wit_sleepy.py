"""``sleepy`` in ``wit-run``: it really sleeps for each ``nap`` and its step is adopted (WIT-030).

``wit-run`` bounds no transition (ADP-014), so every nap is slept and the step
adopted. Expected bytes come from WIT-030.1 and WIT-018's catalogue line, never from
an implementation; the wall time of ``wit-run`` is measured here, from outside.
"""

from __future__ import annotations

import time

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, check_error_class
from .._check_more import check_same
from .test_wit_actor_rows import Rt

pytestmark = pytest.mark.profile("wit")

#: ``sleepy``'s line of WIT-018's catalogue, byte for byte.
WUT = (
    b'{"description":"Sleeps for each mt \'nap\' before its step ends; the runtime bounds it.",'
    b'"messages":[{"description":"Content: a decimal number of milliseconds, at most 5000.",'
    b'"mt":"nap"}],"name":"sleepy","queries":[{"description":"This description, as JSON.",'
    b'"name":"wut"}]}'
)


@pytest.mark.smoke
@pytest.mark.req("WIT-030.1", "WIT-028.2", "WIT-028.4")
@pytest.mark.req("WIT-028.8")
def test_sleepy_sleeps_each_nap_and_its_step_is_adopted(impl: Implementation) -> None:
    """Naps of 300 and 0200 ms (0.5 s in all) around naps read without effect.

    ``60001`` is far above the limit, ``x`` and the empty data are no decimal, a tree is no
    blob: none waits or writes. ``slept`` is the last valid nap's content, the same id.
    """
    rt = Rt(impl, "WIT-030.1")
    s = rt.genesis("sleepy")
    rt.run()
    entries = sorted(rt.core(s))
    check(
        "WIT-030.1",
        "slept" not in entries,
        expected="a core without slept",
        came=entries,
        what="the core after the genesis step, which reads no nap",
    )
    rt.say(s, "nap", b"300")
    rt.say(s, "nap", b"60001")
    rt.say(s, "nap", b"0200")
    rt.say(s, "nap", b"x")
    rt.say(s, "nap", b"")
    rt.send(s, "nap", {"tree": {"n": {"blob": b"100".hex()}}})
    rt.say(s, "sleep", b"100")
    started = time.monotonic()
    run = rt.run()
    took = time.monotonic() - started
    check_equal(
        "WIT-028.4",
        [[], [s]],
        [run["failures"], [a for a, _ in run["steps"]]],
        "the run's [failures, actors of its steps]: one step, adopted",
    )
    check(
        "WIT-030.1",
        took >= 0.5,
        expected="a run of at least 0.5 s (naps of 300 and 200 ms)",
        came=f"{took:.3f} s",
        what="the time wit-run took",
    )
    check_same(
        "WIT-030.1",
        g.Blob(data=b"0200"),
        rt.entry(s, "slept"),
        "slept: the last valid nap's content",
    )
    check_equal(
        "WIT-028.8",
        ["slept", "wit"],
        sorted(rt.core(s)),
        "the entries of sleepy's core: it writes only slept",
    )
    check_equal("WIT-030.1", [], rt.replies(s), "what sleepy sent: nothing")


@pytest.mark.req("WIT-030.1", "WIT-028.4")
@pytest.mark.inputs("past-largest")
def test_naps_without_a_valid_amount_are_read_without_effect(impl: Implementation) -> None:
    """Only naps that are no valid amount: the step reads them and keeps the core."""
    rt = Rt(impl, "WIT-030.1")
    s = rt.genesis("sleepy", slept=b"kept")
    rt.run()
    before = rt.step(s).core
    for data in (b"5001", b"-1", b" 1", b"1" * 19):
        rt.say(s, "nap", data)
    started = time.monotonic()
    run = rt.run()
    took = time.monotonic() - started
    # a runtime that slept it cannot answer within 5.001 s on any machine: the line sits
    # at that physical bound, not at a guess of a correct runtime's speed
    check(
        "WIT-030.1",
        took < 5.0,
        expected="a run under 5 s: a nap of 5001 ms is not slept",
        came=f"{took:.3f} s",
        what="the time wit-run took",
    )
    check_equal("WIT-028.4", [s], [a for a, _ in run["steps"]], "the actors of the run's steps")
    check_same(
        "WIT-028.4",
        before,
        rt.step(s).core,
        "the core after naps none of which was valid: its id kept",
    )


@pytest.mark.req("WIT-018", "WIT-030")
@pytest.mark.req("WIT-028.9")
@pytest.mark.req("CONV-004")
def test_sleepy_answers_wut_with_its_catalogue_line(impl: Implementation) -> None:
    rt = Rt(impl, "WIT-028.9")
    s = rt.genesis("sleepy")
    rt.run()
    check_equal("WIT-018", WUT, rt.query(s, "wut"), "the wut blob: WIT-018's line for sleepy")
    check_error_class(
        "WIT-028.9",
        "unknown-query",
        rt.query(s, "slept"),
        "the query slept: sleepy answers wut only",
    )


@pytest.mark.req("WIT-030.1")
@pytest.mark.inputs("largest")
def test_the_longest_nap_is_slept(impl: Implementation) -> None:
    """The last allowed nap, 5000 ms, is slept in full; 5001 (above) is not.

    5000 ms keeps ``wit-run`` well inside the harness's response time-out (10 s by
    default, ADP-012).

    The refused side is ``test_naps_without_a_valid_amount_are_read_without_effect``.
    """
    rt = Rt(impl, "WIT-030.1")
    s = rt.genesis("sleepy")
    rt.run()
    rt.say(s, "nap", b"5000")
    started = time.monotonic()
    run = rt.run()
    took = time.monotonic() - started
    check_equal("WIT-030.1", [s], [a for a, _ in run["steps"]], "the actors of the run's steps")
    check(
        "WIT-030.1",
        took >= 5.0,
        expected="a run of at least 5 s: the nap at the limit slept",
        came=f"{took:.3f} s",
        what="the time wit-run took",
    )
    check_same(
        "WIT-030.1", g.Blob(data=b"5000"), rt.entry(s, "slept"), "slept: the nap at the limit"
    )
