"""Eviction on both sides of ``max_resident`` and ``idle_after``, LRU first (RUN-012, RUN-014).

With ``max_resident`` = 2, two idle actors stay resident (no ``archived`` event); a
third makes the runtime evict exactly one, the least recently used — the one not
touched since, whichever was created first. ``rt-evict`` then evicts the rest, least
recently used first.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import call_ok, check, check_equal, ok_answer

pytestmark = pytest.mark.profile("runtime")

#: The core limit of ``python-wasi`` actors when ``rt-open`` names none (SBX-007.7).
DEFAULT_CORE_BYTES = 64 * 2**20


def _archived(impl: Implementation, runtime: str) -> list[str]:
    events = call_ok(impl, "RUN-012", "rt-events", runtime=runtime)["events"]
    return [e["actor"] for e in events if e["event"] == "archived"]


def _counter(impl: Implementation, runtime: str, note: str) -> str:
    actor = call_ok(
        impl, "RUN-012", "rt-genesis", runtime=runtime, actor="counter", state={"n": note}
    )
    return str(actor["actor"])


@pytest.mark.req("RUN-012.2", "RUN-014.1")
@pytest.mark.inputs("largest", "past-largest")
def test_capacity_eviction_at_the_limit_and_in_lru_order(
    impl: Implementation, tmp_path: Path
) -> None:
    (tmp_path / "rt").mkdir()
    runtime = str(
        call_ok(impl, "RUN-012.2", "rt-open", path=str(tmp_path / "rt"), max_resident=2)["runtime"]
    )
    first = _counter(impl, runtime, "01")
    second = _counter(impl, runtime, "02")
    call_ok(impl, "RUN-012.2", "rt-run", runtime=runtime, max_steps=20)
    call_ok(impl, "RUN-012.2", "rt-events", runtime=runtime)  # forget the creation events
    call_ok(
        impl, "RUN-012.2", "rt-send", runtime=runtime, to=first, mt="inc", content={"blob": "31"}
    )
    call_ok(impl, "RUN-012.2", "rt-run", runtime=runtime, max_steps=20)  # first is now used last
    check_equal(
        "RUN-012.2", [], _archived(impl, runtime), "two resident actors are within max_resident = 2"
    )
    third = _counter(impl, runtime, "03")
    call_ok(impl, "RUN-012.2", "rt-run", runtime=runtime, max_steps=20)
    check_equal(
        "RUN-012.2", [second], _archived(impl, runtime), "a third evicts the least recently used"
    )
    evicted = call_ok(impl, "RUN-012.2", "rt-evict", runtime=runtime)["evicted"]
    check_equal("RUN-012.2", [first, third], evicted, "rt-evict: least recently used first")


@pytest.mark.req("RUN-012.4", "RUN-014.1")
def test_the_default_max_resident_evicts_nothing_among_a_few_actors(
    impl: Implementation, tmp_path: Path
) -> None:
    """``rt-open`` without ``max_resident`` uses the default (10000): three actors stay."""
    (tmp_path / "rt").mkdir()
    runtime = str(call_ok(impl, "RUN-012.4", "rt-open", path=str(tmp_path / "rt"))["runtime"])
    for note in ("01", "02", "03"):
        _counter(impl, runtime, note)
    call_ok(impl, "RUN-012.4", "rt-run", runtime=runtime, max_steps=20)
    check_equal(
        "RUN-012.4",
        [],
        _archived(impl, runtime),
        "three actors are far below the default max_resident",
    )
    evicted = call_ok(impl, "RUN-012.4", "rt-evict", runtime=runtime)["evicted"]
    check_equal("RUN-012.4", 3, len(evicted), f"all three were resident and idle: {evicted}")


@pytest.mark.req("RUN-012.2", "RUN-014.1")
def test_max_resident_null_means_no_capacity_eviction(impl: Implementation, tmp_path: Path) -> None:
    (tmp_path / "rt").mkdir()
    opened = impl.call("rt-open", path=str(tmp_path / "rt"), max_resident=None)
    runtime = str(ok_answer(opened, "RUN-012.2")["runtime"])
    for note in ("01", "02", "03"):
        _counter(impl, runtime, note)
    call_ok(impl, "RUN-012.2", "rt-run", runtime=runtime, max_steps=20)
    check_equal(
        "RUN-012.2",
        [],
        _archived(impl, runtime),
        "max_resident null: no limit, no capacity eviction",
    )


@pytest.mark.req("RUN-012.2", "RUN-014.1")
def test_max_resident_zero_evicts_every_idle_actor(impl: Implementation, tmp_path: Path) -> None:
    (tmp_path / "rt").mkdir()
    runtime = str(
        call_ok(impl, "RUN-012.2", "rt-open", path=str(tmp_path / "rt"), max_resident=0)["runtime"]
    )
    actors = sorted(_counter(impl, runtime, note) for note in ("01", "02"))
    call_ok(impl, "RUN-012.2", "rt-run", runtime=runtime, max_steps=20)
    check_equal(
        "RUN-012.2", actors, sorted(_archived(impl, runtime)), "max_resident 0: none stays resident"
    )


@pytest.mark.req("RUN-012.1", "ADP-015")
def test_rt_evict_keeps_an_actor_a_send_made_busy(impl: Implementation, tmp_path: Path) -> None:
    """An actor with a message pending that it has not seen is not idle: ``rt-evict`` keeps it.

    The actor is a fork, read by a query (resident, RUN-012.6), that the outside has
    never sent to: the ``rt-send`` is its first message from the outside, so only the
    send itself can mark it busy (a transition of it is about to start, RUN-012.1).
    ``rt-evict`` archives the idle parent and keeps the fork; after ``rt-run`` has
    consumed the message the fork is idle and ``rt-evict`` archives it. A runtime that
    learns of a send only at its next run — routing the outside's outbox lazily —
    evicts the fork with its message unread.
    """
    (tmp_path / "rt").mkdir()
    runtime = str(call_ok(impl, "RUN-012.1", "rt-open", path=str(tmp_path / "rt"))["runtime"])
    parent = _counter(impl, runtime, "00")
    call_ok(impl, "RUN-012.1", "rt-run", runtime=runtime, max_steps=5)
    step = call_ok(impl, "RUN-012.1", "rt-head", runtime=runtime, actor=parent)["step"]
    forked = impl.call("rt-fork", runtime=runtime, actor=parent, step=step, state={"n": "01"})
    child = str(ok_answer(forked, "RUN-012.1")["actor"])
    call_ok(
        impl, "RUN-012.1", "rt-query", runtime=runtime, actor=child, name="count"
    )  # resident now
    call_ok(impl, "RUN-012.1", "rt-send", runtime=runtime, to=child, mt="inc", content={"blob": ""})
    evicted = call_ok(impl, "RUN-012.1", "rt-evict", runtime=runtime)["evicted"]
    check_equal(
        "RUN-012.1",
        [parent],
        evicted,
        f"rt-evict with a message pending for the fork {child}: only the idle parent "
        f"{parent} may be evicted",
    )
    run = call_ok(impl, "RUN-012.1", "rt-run", runtime=runtime, max_steps=5)
    check_equal("RUN-012.1", [child], [a for a, _ in run["steps"]], "the actors rt-run stepped")
    check_equal(
        "RUN-012.1",
        [child],
        call_ok(impl, "RUN-012.1", "rt-evict", runtime=runtime)["evicted"],
        "once its message is read the fork is idle and rt-evict evicts it",
    )


#: ``idle_after`` of the idle-timeout test, in seconds, and the two waits in it: each
#: side of the limit has at least a second of margin for a slow machine, and all three
#: are scaled like the answer limits (``_state.scaled``): ``b`` must still be within
#: ``idle_after`` when the rule runs (at most), which load would otherwise decide.
IDLE_AFTER = 3.0
FIRST_WAIT, SECOND_WAIT = 1.5, 2.0


@pytest.mark.req("RUN-012.3", "RUN-014.1", "ADP-015")
def test_the_idle_timeout_evicts_from_the_last_use_on(impl: Implementation, tmp_path: Path) -> None:
    """``idle_after`` = 3 s: at 1.5 s nothing is evicted; at 3.5 s only the actor unused since.

    Actor ``a`` is last used at the start; ``b`` again 1.5 s later. When ``rt-run``
    evaluates the rule at 3.5 s, ``a`` has been idle 3.5 s (past the limit) and ``b``
    2 s (within it): exactly ``a`` is archived, with reason ``idle`` (RUN-012.3). A
    runtime that measures idleness from creation evicts ``b`` too; one that ignores
    ``idle_after`` evicts neither.
    """
    (tmp_path / "rt").mkdir()
    idle_after, first_wait, second_wait = (scaled(s) for s in (IDLE_AFTER, FIRST_WAIT, SECOND_WAIT))
    opened = impl.call("rt-open", path=str(tmp_path / "rt"), idle_after=idle_after)
    runtime = str(ok_answer(opened, "RUN-012.3")["runtime"])
    a, b = (_counter(impl, runtime, note) for note in ("01", "02"))
    call_ok(impl, "RUN-012.3", "rt-run", runtime=runtime, max_steps=20)
    call_ok(impl, "RUN-012.3", "rt-events", runtime=runtime)  # forget the creation events
    time.sleep(first_wait)
    call_ok(impl, "RUN-012.3", "rt-send", runtime=runtime, to=b, mt="inc", content={"blob": "31"})
    b_used = time.monotonic()  # b's use comes after this: it is idle for at most …
    call_ok(impl, "RUN-012.3", "rt-run", runtime=runtime, max_steps=20)  # b is used again
    check_equal(
        "RUN-012.3",
        [],
        _archived(impl, runtime),
        f"at {first_wait} s no actor is idle for idle_after = {idle_after} s",
    )
    time.sleep(second_wait)
    call_ok(impl, "RUN-012.3", "rt-run", runtime=runtime, max_steps=20)  # evaluates the rule
    b_idle = time.monotonic() - b_used  # … this long when the rule has run
    events = call_ok(impl, "RUN-012.3", "rt-events", runtime=runtime)["events"]
    archived = [(e["actor"], e["reason"]) for e in events if e["event"] == "archived"]
    check_equal(
        "RUN-012.3",
        [(a, "idle")],
        archived,
        f"after {first_wait + second_wait} s only {a} (unused since the start) is past "
        f"idle_after = {idle_after} s; {b} was used at most {b_idle:.2f} s before the rule "
        f"ran (measured by the harness)",
    )


@pytest.mark.smoke
@pytest.mark.req("ADP-015", "RUN-005.1", "RUN-005.2", "RUN-012.4")
@pytest.mark.req("RUN-022.2", "RUN-023.2", "SBX-007.7")
def test_rt_open_answers_the_settings_in_effect(impl: Implementation, tmp_path: Path) -> None:
    """``rt-open`` answers its settings, defaults filled in: 5 s, 10000, idle timeout off.

    The defaults are RUN-005.1's time bound and RUN-012.4's ``max_resident``; the
    idle timeout is off in this profile unless asked for (ADP-015). Given values
    come back as given.  ``max_core_bytes``, the core limit of ``python-wasi`` actors,
    MAY be left out by an implementation without the sandbox profile (ADP-015); when
    answered it is the default, 64 MiB (SBX-007.7).
    """
    (tmp_path / "defaults").mkdir()
    (tmp_path / "given").mkdir()
    defaults = call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path / "defaults"))["settings"]
    _core_limit(defaults)
    bytes_bounds = {"max_step_bytes": 80 * 2**20, "max_run_bytes": 2**30}
    check_equal(
        ("RUN-005.1", "RUN-012.4", "ADP-015", "RUN-022.2", "RUN-023.2"),
        {
            "time_limit": 5,
            "max_resident": 10000,
            "idle_after": None,
            **bytes_bounds,
        },
        defaults,
        "the defaults in effect: a transition bounded to 5 s by default, 10000 actors kept "
        "resident, the idle timeout off, a step bounded to 80 MiB and a run to 1 GiB",
    )
    given = {"time_limit": 0.25, "max_resident": None, "idle_after": 7, **bytes_bounds}
    opened = impl.call(
        "rt-open", path=str(tmp_path / "given"), time_limit=0.25, max_resident=None, idle_after=7
    )
    settings = ok_answer(opened, "ADP-015")["settings"]
    _core_limit(settings)
    check_equal("ADP-015", given, settings, f"rt-open with {given}")


def _core_limit(settings: dict[str, Any]) -> None:
    """Take ``max_core_bytes`` out of ``settings``: absent, or the default core limit."""
    core = settings.pop("max_core_bytes", DEFAULT_CORE_BYTES)
    check_equal(
        "SBX-007.7",
        DEFAULT_CORE_BYTES,
        core,
        "rt-open answers the core limit in effect, 64 MiB by default",
    )


def _echo_id(tag: int) -> str:
    """The id of an ``echo`` made by ``wit-genesis`` with state ``{"t": tag}`` (ADP-014)."""
    wit = g.Blob(data=b"echo", headers={"runtime": "test-actor"})
    core = g.Tree(entries={"wit": g.object_id(wit), "t": g.object_id(g.Blob(data=bytes([tag])))})
    return g.object_id(core).hex()


@pytest.mark.smoke
@pytest.mark.req("RUN-012.2", "RUN-014.1", "RUN-014.2", "ADP-015")
@pytest.mark.req("ADP-014")
def test_capacity_eviction_runs_between_the_rounds_of_one_call(
    impl: Implementation, tmp_path: Path
) -> None:
    """``max_resident`` = 1 over three rounds of one ``rt-run``: evictions between rounds.

    Round 1: a counter counts and ``requester`` asks ``echo``; round 2: ``echo``
    (its id sorts first) replies and ``requester`` stores the answer. Capacity eviction is evaluated
    before every round (ADP-015), so an idle actor of round 1 is archived before
    ``echo`` is restored in round 2 — a runtime that evicts only at the end of the
    call archives everything after ``echo``'s restore. The events must be the
    reference's, in order.
    """
    from ._drive import SideBySide

    both = SideBySide(impl, tmp_path, clause="RUN-012.2")
    try:
        both.open_with("a", max_resident=1)
        counter = both("a", "rt-genesis", actor="counter")["actor"]
        asker = both("a", "rt-genesis", actor="requester")["actor"]
        # An echo whose id sorts before the requester's, so that it runs in round 2.
        tag = next(t for t in range(256) if _echo_id(t) < asker)
        echo = both("a", "rt-genesis", actor="echo", state={"t": f"{tag:02x}"})["actor"]
        check_equal("ADP-014", _echo_id(tag), echo, "wit-genesis builds the core of ADP-014")
        both("a", "rt-run", max_steps=20)
        both("a", "rt-events")
        both("a", "rt-send", to=counter, mt="inc", content={"blob": ""})
        question = {"to": {"blob": echo.encode().hex()}, "question": {"blob": "3f"}}
        both("a", "rt-send", to=asker, mt="ask", content={"tree": question})
        run = both("a", "rt-run", max_steps=20)
        check_equal(
            "RUN-012.2",
            [echo, asker],
            [a for a, _ in run["steps"]][-2:],
            "the last two actors rt-run stepped",
        )
        events = [(e["event"], e["actor"]) for e in both("a", "rt-events")["events"]]
        archived = [i for i, (kind, _) in enumerate(events) if kind == "archived"]
        check(
            "RUN-012.2",
            archived and archived[0] < events.index(("restored", echo)),
            expected="an idle actor evicted before round 2 restores echo",
            came=f"the events {events}",
        )
    finally:
        both.kill()


#: The default ``max_resident`` of RUN-012.4.
DEFAULT_MAX_RESIDENT = 10_000


@pytest.mark.heavy
@pytest.mark.req("RUN-012.2", "RUN-012.4", "RUN-012.6", "RUN-014.1")
@pytest.mark.inputs("largest", "past-largest")
def test_the_default_max_resident_on_both_sides(impl: Implementation, tmp_path: Path) -> None:
    """10,000 resident actors under the default stay; the 10,001st evicts exactly one.

    ``rt-open`` without ``max_resident``. A counter ``parent`` becomes resident when
    its first step is adopted; 9,999 forks of it become resident when a query reads
    each (RUN-012.6: a fork alone uses nothing). Forks rather than genesis messages
    because every outside send rewrites the outside's mailbox, whose size grows with
    the number of recipients. The last allowed count, 10,000 resident actors, gives
    no ``archived`` event at the next ``rt-run``; the first refused one, a 10,001st
    read by a query, makes that ``rt-run`` archive exactly one actor, the least
    recently used (``parent``), with the reason ``capacity``. A runtime whose
    default is larger or unlimited evicts nothing; one whose default is smaller, or
    that evicts at the limit instead of past it, evicts at the first ``rt-run``.
    """
    (tmp_path / "rt").mkdir()
    runtime = str(call_ok(impl, "RUN-012.2", "rt-open", path=str(tmp_path / "rt"))["runtime"])
    parent = _counter(impl, runtime, "00")
    call_ok(impl, "RUN-012.2", "rt-run", runtime=runtime, max_steps=5)
    step = call_ok(impl, "RUN-012.2", "rt-head", runtime=runtime, actor=parent)["step"]

    def fork_and_read(note: str) -> str:
        child = call_ok(
            impl,
            "RUN-012.2",
            "rt-fork",
            runtime=runtime,
            actor=parent,
            step=step,
            state={"n": note},
        )["actor"]
        call_ok(impl, "RUN-012.2", "rt-query", runtime=runtime, actor=child, name="count")  # a use
        return str(child)

    for i in range(DEFAULT_MAX_RESIDENT - 1):
        fork_and_read(f"{i + 1:08x}")
    call_ok(
        impl, "RUN-012.2", "rt-run", runtime=runtime, max_steps=5
    )  # evaluates both rules (ADP-015)
    check_equal(
        "RUN-012.2", [], _archived(impl, runtime), "10,000 resident actors are within the default"
    )
    fork_and_read("ff")
    call_ok(impl, "RUN-012.2", "rt-run", runtime=runtime, max_steps=5)
    events = call_ok(impl, "RUN-012.2", "rt-events", runtime=runtime)["events"]
    archived = [(e["actor"], e["reason"]) for e in events if e["event"] == "archived"]
    check_equal(
        "RUN-012.2",
        [(parent, "capacity")],
        archived,
        "a 10,001st resident actor evicts exactly one, the least recently used "
        f"({parent}, used when its first step was adopted), for capacity",
    )


@pytest.mark.req("RUN-012.2", "RUN-012.6", "RUN-014.1", "ADP-015")
@pytest.mark.parametrize(("limit", "actors"), [(3, 2), (3, 3), (3, 4), (3, 7), (7, 7), (7, 16)])
def test_capacity_eviction_brings_residents_down_to_the_limit(
    impl: Implementation, tmp_path: Path, limit: int, actors: int
) -> None:
    """``max_resident`` 3 and 7 (the others are 0, 1 and 2), ``actors`` counters run in
    one ``rt-run``: all used once, in ascending id order (ADP-015 rounds), so all idle
    and the lowest ids least recently used. Within the limit none is archived; past it
    exactly ``actors - limit`` are, the lowest ids, each for ``capacity`` (RUN-012.2),
    however many one evaluation must evict."""
    (tmp_path / "rt").mkdir()
    opened = impl.call("rt-open", path=str(tmp_path / "rt"), max_resident=limit)
    runtime = str(ok_answer(opened, "RUN-012.2")["runtime"])
    made = sorted(_counter(impl, runtime, f"{note:02x}") for note in range(actors))
    run = call_ok(impl, "RUN-012.2", "rt-run", runtime=runtime, max_steps=100)
    check_equal("RUN-012.2", made, [a for a, _ in run["steps"]], "the actors rt-run stepped")
    events = call_ok(impl, "RUN-012.2", "rt-events", runtime=runtime)["events"]
    archived = [(e["actor"], e.get("reason")) for e in events if e["event"] == "archived"]
    expected = [(actor, "capacity") for actor in made[: max(0, actors - limit)]]
    check_equal(
        "RUN-012.2",
        expected,
        archived,
        f"max_resident = {limit} with {actors} idle resident actors: the {len(expected)} "
        f"least recently used must be archived for capacity, least recently used first, "
        f"leaving {min(limit, actors)} resident",
    )
    evicted = call_ok(impl, "RUN-012.2", "rt-evict", runtime=runtime)["evicted"]
    check_equal(
        "RUN-012.2",
        made[len(expected) :],
        evicted,
        f"rt-evict must find the {min(limit, actors)} actors left resident, least recently "
        f"used first",
    )
