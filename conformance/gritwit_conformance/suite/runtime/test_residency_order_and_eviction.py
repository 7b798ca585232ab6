"""Which actors are resident, when each was last used, and which eviction rule runs first.

RUN-012.6 … RUN-012.8: the outside implementer's questions Q26, Q28 and Q41
(``docs/outsider-questions.md``). Expected answers follow from the spec's sentences:
an actor becomes resident only by being used (a transition attempt, an adopted step,
a query) — not by a restart, a fork, an export or a verify; an actor without a head
becomes resident without restore events; the idle timeout counts from the last use;
and the idle rule runs before the capacity rule.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import call_ok, check, check_equal

pytestmark = pytest.mark.profile("runtime")

#: ``idle_after`` of the clock test and its wait: a second of margin on each side, both
#: scaled like the answer limits (``_state.scaled``), since B must still be within
#: ``idle_after`` when the rule runs (at most), which load would otherwise decide.
IDLE_AFTER = 1.5
WAIT = 2.5


def _events(impl: Implementation, runtime: str) -> list[tuple[str, str, str | None]]:
    events = call_ok(impl, "ADP-015", "rt-events", runtime=runtime)["events"]
    return [(e["event"], e["actor"], e["reason"]) for e in events]


def _open(impl: Implementation, path: Path, **settings: Any) -> str:
    return str(call_ok(impl, "ADP-015", "rt-open", path=str(path), **settings)["runtime"])


@pytest.mark.req("RUN-012.6", "RUN-012.7", "RUN-012.8", "RUN-012.3", "RUN-014.1", "ADP-015")
@pytest.mark.req("RUN-013.1", "RUN-014.2")
def test_idle_rule_first_counted_from_the_last_use_and_a_restart_makes_no_actor_resident(
    impl: Implementation, tmp_path: Path
) -> None:
    """After a restart A is queried, 2.5 s later B; then ``rt-run``, with 1 resident at most.

    C, never used since the restart, is not resident: it is neither archived nor
    evicted (a runtime that counts every actor with a head as resident from
    ``rt-open`` on archives it as idle). A was last used 2.5 s before the run, past
    ``idle_after`` = 1.5 s; B just before it. Two actors are resident for a limit of
    one, so both rules apply: the idle rule comes first and archives A with reason
    ``idle``, after which one actor is left and capacity evicts nothing (capacity
    first would archive A with reason ``capacity``). ``rt-evict`` then finds only B.
    """
    path = tmp_path / "rt"
    path.mkdir()
    first = _open(impl, path)
    a, b, c = (
        str(
            call_ok(
                impl, "RUN-012.6", "rt-genesis", runtime=first, actor="counter", state={"n": n}
            )["actor"]
        )
        for n in ("01", "02", "03")
    )
    call_ok(impl, "RUN-012.6", "rt-run", runtime=first, max_steps=20)
    call_ok(impl, "RUN-012.6", "rt-close", runtime=first)

    idle_after, wait = scaled(IDLE_AFTER), scaled(WAIT)
    runtime = _open(impl, path, max_resident=1, idle_after=idle_after)  # a restart
    check_equal(
        "RUN-012.6",
        "30",
        call_ok(impl, "RUN-012.6", "rt-query", runtime=runtime, actor=a, name="count")["data"],
    )
    time.sleep(wait)
    b_used = time.monotonic()  # B's use comes after this
    check_equal(
        "RUN-012.6",
        "30",
        call_ok(impl, "RUN-012.6", "rt-query", runtime=runtime, actor=b, name="count")["data"],
    )
    call_ok(impl, "RUN-012.6", "rt-run", runtime=runtime, max_steps=20)  # evaluates both rules
    b_idle = time.monotonic() - b_used
    events = _events(impl, runtime)
    check(
        ("RUN-013.1", "RUN-014.2"),
        ("restore-requested", a, "query") in events,
        expected=f"queries of A and B restore them: {events}",
        came=("restore-requested", a, "query"),
    )
    check(
        ("RUN-013.1", "RUN-014.2"),
        ("restored", b, None) in events,
        expected=f"queries of A and B restore them: {events}",
        came=("restored", b, None),
    )
    value = all(actor != c for _, actor, _ in events)
    check(
        "RUN-012.6",
        value,
        expected="a value, not empty",
        came=value,
        what=f"C was never used since the restart: not resident, no event about it: {events}",
    )
    archived = [(actor, reason) for kind, actor, reason in events if kind == "archived"]
    check_equal(
        "RUN-012.8",
        [(a, "idle")],
        archived,
        f"A (last used {wait} s ago, idle_after {idle_after} s) must be archived by the "
        f"idle rule, which runs before the capacity rule, and nothing else "
        f"(B was used at most {b_idle:.2f} s before, measured by the harness)",
    )
    evicted = call_ok(impl, "RUN-012.6", "rt-evict", runtime=runtime)["evicted"]
    check_equal("RUN-012.6", [b], evicted, "only B is still resident; C never was")


@pytest.mark.req("RUN-012.6", "RUN-012.2", "RUN-014.1", "RUN-014.2", "ADP-015")
def test_an_actor_waiting_for_its_genesis_is_resident_without_a_restore(
    impl: Implementation, tmp_path: Path
) -> None:
    """With ``max_resident`` = 0, an actor without a head that looked at its messages.

    Its attempt finds no genesis and adopts nothing, yet it used the actor, which is
    therefore resident and evicted by capacity at the end of the run — with an
    ``archived`` event and no ``restore-requested``/``restored`` (no head to load).
    """
    (tmp_path / "rt").mkdir()
    runtime = _open(impl, tmp_path / "rt", max_resident=0)
    nobody = "ab" * 32
    call_ok(
        impl, "RUN-012.6", "rt-send", runtime=runtime, to=nobody, mt="inc", content={"blob": "31"}
    )
    run = call_ok(impl, "RUN-012.6", "rt-run", runtime=runtime, max_steps=20)
    check_equal("RUN-012.6", [], run["steps"], f"no genesis: nothing runs: {run}")
    check_equal("RUN-012.6", [], run["attempts"], f"no genesis: nothing runs: {run}")
    events = _events(impl, runtime)
    check_equal(
        "RUN-012.6",
        [("archived", nobody, "capacity")],
        events,
        "an actor whose messages wait for its genesis was used by its attempt, so it is "
        "resident and max_resident 0 evicts it; it has no head to restore",
    )


@pytest.mark.req("RUN-012.6", "RUN-013.3", "RUN-014.1", "ADP-015")
def test_fork_export_verify_and_reads_use_no_actor(impl: Implementation, tmp_path: Path) -> None:
    """After ``rt-evict`` nothing is resident; lifecycle commands and reads leave it so."""
    (tmp_path / "rt").mkdir()
    runtime = _open(impl, tmp_path / "rt")
    actor = str(call_ok(impl, "RUN-012.6", "rt-genesis", runtime=runtime, actor="counter")["actor"])
    call_ok(impl, "RUN-012.6", "rt-run", runtime=runtime, max_steps=20)
    check_equal(
        "RUN-012.6", [actor], call_ok(impl, "RUN-012.6", "rt-evict", runtime=runtime)["evicted"]
    )
    _events(impl, runtime)  # forget the events so far
    head = str(call_ok(impl, "RUN-012.6", "rt-head", runtime=runtime, actor=actor)["step"])
    call_ok(impl, "RUN-012.6", "rt-object", runtime=runtime, id=head)
    call_ok(impl, "RUN-012.6", "rt-verify", runtime=runtime, actor=actor)
    call_ok(impl, "RUN-012.6", "rt-export", runtime=runtime, actor=actor)
    child = str(
        call_ok(impl, "RUN-012.6", "rt-fork", runtime=runtime, actor=actor, step=head)["actor"]
    )
    check_equal("RUN-013.3", [], _events(impl, runtime), "no command here restores an actor")
    evicted = call_ok(impl, "RUN-012.6", "rt-evict", runtime=runtime)["evicted"]
    check_equal(
        "RUN-012.6",
        [],
        evicted,
        f"neither {actor} nor its fork {child} was used, so none is resident",
    )
