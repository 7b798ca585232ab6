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
    rt = Rt(impl)
    s = rt.genesis("sleepy")
    rt.run()
    assert "slept" not in rt.core(s), "the genesis step reads no nap: no slept entry"
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
    assert run["failures"] == [] and [a for a, _ in run["steps"]] == [s], run
    assert took >= 0.5, f"sleepy must really sleep 300 + 200 ms (WIT-030.1); wit-run took {took}"
    assert rt.entry(s, "slept") == g.Blob(data=b"0200"), "slept: the last valid nap's content"
    assert set(rt.core(s)) == {"wit", "slept"}, "sleepy writes only slept (WIT-028.8)"
    assert rt.replies(s) == [], "sleepy sends nothing (WIT-030)"


@pytest.mark.req("WIT-030.1", "WIT-028.4")
@pytest.mark.inputs("past-largest")
def test_naps_without_a_valid_amount_are_read_without_effect(impl: Implementation) -> None:
    """Only naps that are no valid amount: the step reads them and keeps the core."""
    rt = Rt(impl)
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
    assert took < 5.0, f"a nap of 5001 ms, one above the limit, is not slept (WIT-030.1): {took} s"
    assert [a for a, _ in run["steps"]] == [s], run
    assert rt.step(s).core == before, "no nap was valid: the core keeps its id (WIT-028.4)"


@pytest.mark.req("WIT-018", "WIT-030")
@pytest.mark.req("WIT-028.9")
def test_sleepy_answers_wut_with_its_catalogue_line(impl: Implementation) -> None:
    rt = Rt(impl)
    s = rt.genesis("sleepy")
    rt.run()
    assert rt.query(s, "wut") == WUT, "the wut blob is WIT-018's line for sleepy"
    assert rt.query(s, "slept") == "unknown-query", "sleepy answers wut only (WIT-028.9)"


@pytest.mark.req("WIT-030.1")
@pytest.mark.inputs("largest")
def test_the_longest_nap_is_slept(impl: Implementation) -> None:
    """The last allowed nap, 5000 ms, is slept in full; 5001 (above) is not.

    5000 ms keeps ``wit-run`` well inside the harness's response time-out (10 s by
    default, ADP-012).

    The refused side is ``test_naps_without_a_valid_amount_are_read_without_effect``.
    """
    rt = Rt(impl)
    s = rt.genesis("sleepy")
    rt.run()
    rt.say(s, "nap", b"5000")
    started = time.monotonic()
    run = rt.run()
    took = time.monotonic() - started
    assert [a for a, _ in run["steps"]] == [s], run
    assert took >= 5.0, f"a nap of 5000 ms, the limit, is slept in full (WIT-030.1): {took} s"
    assert rt.entry(s, "slept") == g.Blob(data=b"5000"), "the nap at the limit sets slept"
