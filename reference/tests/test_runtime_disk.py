"""The bytes a step and a run add to the store, at both sides of each bound (RUN-022, RUN-023).

The expected figures are computed here from the objects a step must store, built with the
codec and sized with :func:`gritwit.encode_object`, or measured as the store's growth, never
read from the runtime's own count:

* an ``updater`` given ``set-code`` stores four new objects — its new ``wit`` blob, its new
  core, its inbox and the step — all known in advance (WIT-023.1), so a test can give a
  bound of exactly a step's bytes, or one less;
* a Wit of this file, ``hoarder``, leaves a blob of a chosen size in its core each step and
  pings itself: its run's bytes are the store's growth, summed over what it stored.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from unittest import mock

import pytest
from aio import run
from hypothesis import given, settings
from hypothesis import strategies as st
from test_runtime_bounds import hoarder, start_hoarder

import gritwit as g
from gritwit import ObjectId
from gritwit.runtime import MAX_RUN_BYTES, MAX_STEP_BYTES, Runtime, erase_blob
from gritwit.runtime._bound import TimeBound
from gritwit.runtime._disk import Halted
from gritwit.store import Store
from gritwit.wit import (
    OUTSIDE,
    TEST_ACTORS,
    TransitionInput,
    TransitionOutput,
    test_actor_core,
)

MODES = ["group", "step"]


def size(obj: g.GritObject) -> int:
    return len(g.encode_object(obj))


def store_bytes(store: Store) -> int:
    return sum(len(store.get(oid)) for oid in store.iter_ids())


# --- updaters: steps whose objects are known in advance --------------------------------------


class Updaters:
    """``updater`` actors given ``set-code`` with chosen data, and the step each must adopt."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.cores: dict[ObjectId, g.Tree] = {}

    async def create(self, count: int) -> list[ObjectId]:
        actors = []
        for i in range(count):
            core, objects = test_actor_core("updater", {"t": g.Blob(data=bytes([i]))})
            actor = await self.rt.genesis(core, objects)
            self.cores[actor] = core
            actors.append(actor)
        await self.rt.run_rounds(100)  # their geneses: small steps
        return sorted(actors)  # the order of rt-run's rounds (ADP-014)

    async def set_code(self, actor: ObjectId, data: bytes) -> list[g.GritObject]:
        """Send ``set-code`` with ``data``; the new objects the step will store (WIT-023.1)."""
        content = g.Blob(data=data)
        sent = await self.rt.send(actor, g.object_id(content), {"mt": "set-code"}, [content])
        wit = g.Blob(data=data, headers={"runtime": "test-actor"})
        core = g.Tree(entries={**dict(self.cores[actor].entries), "wit": g.object_id(wit)})
        inbox = g.Mailbox(entries={OUTSIDE: sent})
        step = g.Step(
            actor=actor,
            core=g.object_id(core),
            previous=self.rt.head(actor),
            inbox=g.object_id(inbox),
            outbox=None,
        )
        return [wit, core, inbox, step]


def added(steps: Sequence[Sequence[g.GritObject]], held: set[ObjectId]) -> list[int]:
    """Each step's added bytes (RUN-022.1): its objects not held before it, each once."""
    seen = set(held)
    out = []
    for objects in steps:
        total = 0
        for obj in objects:
            oid = g.object_id(obj)
            if oid not in seen:
                seen.add(oid)
                total += size(obj)
        out.append(total)
    return out


async def three_set_codes(rt: Runtime) -> tuple[list[ObjectId], list[list[g.GritObject]]]:
    """Three updaters: the first two in run order get the same data (one ``wit`` blob,
    stored by the first), the third other data."""
    ups = Updaters(rt)
    actors = await ups.create(3)
    datas = [b"x" * 3000, b"x" * 3000, b"y" * 2000]
    steps = [await ups.set_code(a, d) for a, d in zip(actors, datas, strict=True)]
    return actors, steps


# --- RUN-022: the bytes of a step ------------------------------------------------------------


@pytest.mark.req("RUN-022.2", "RUN-022.3", "RUN-004.1", "RUN-004.4", "RUN-004.9")
@pytest.mark.parametrize("commit", MODES)
@pytest.mark.parametrize("rounds", [True, False], ids=["rounds", "passes"])
def test_a_step_of_exactly_max_step_bytes_is_adopted_one_byte_more_fails(
    commit: str, rounds: bool
) -> None:
    def scenario(bound: int) -> tuple[Runtime, Store, ObjectId, list[g.GritObject]]:
        store = Store.memory()
        rt = Runtime(store, commit=commit, first_backoff=0, max_step_bytes=bound)

        async def go() -> tuple[ObjectId, list[g.GritObject]]:
            ups = Updaters(rt)
            (actor,) = await ups.create(1)
            objects = await ups.set_code(actor, b"z" * 4000)
            await (rt.run_rounds(100) if rounds else rt.run_until_quiescent())
            return actor, objects

        actor, objects = run(go())
        return rt, store, actor, objects

    _, _, _, objects = scenario(MAX_STEP_BYTES)
    (exact,) = added([objects], set())
    assert exact == sum(size(o) for o in objects) > 4000

    rt, store, actor, objects = scenario(exact)
    assert rt.head(actor) == g.object_id(objects[-1]), "a step of exactly the bound is adopted"
    assert rt.run_bytes == exact and not rt.failures

    rt, store, actor, objects = scenario(exact - 1)
    assert rt.head(actor) != g.object_id(objects[-1])
    assert [f.error_class for f in rt.failures] == ["step-too-large"] * 5  # RUN-004.3
    assert all(f.error.requirement == "RUN-022.3" for f in rt.failures)
    for obj in objects:  # RUN-004.9: nothing of it stored
        assert not store.has(g.object_id(obj)), type(obj).__name__
    record = store.get_object(store.get_ref(f"names/failed/{actor.hex()}"))  # type: ignore[arg-type]
    assert isinstance(record, g.Blob)
    assert record.data == (
        f'{{"actor":"{actor.hex()}","attempts":5,"error":"step-too-large"}}'.encode()
    )
    assert rt.run_bytes == 0


@pytest.mark.req("RUN-022.1", "RUN-022.2")
@pytest.mark.parametrize("commit", MODES)
def test_objects_the_store_or_the_group_holds_add_nothing(commit: str) -> None:
    """Two updaters given the same code: the second's ``wit`` blob is held (stored by the
    first, or in step mode already stored), so a bound of its other objects passes it;
    one byte less fails it.  The first runs in a run of its own."""

    def scenario(bound: int) -> tuple[Runtime, list[ObjectId], list[list[g.GritObject]]]:
        rt = Runtime(Store.memory(), commit=commit, first_backoff=0)

        async def go() -> tuple[list[ObjectId], list[list[g.GritObject]]]:
            ups = Updaters(rt)
            actors = await ups.create(2)
            first = await ups.set_code(actors[0], b"q" * 5000)
            second = await ups.set_code(actors[1], b"q" * 5000)
            await rt.run_rounds(1)  # the first alone
            rt.max_step_bytes = bound
            await rt.run_rounds(100)
            return actors, [first, second]

        actors, steps = run(go())
        return rt, actors, steps

    rt, actors, steps = scenario(MAX_STEP_BYTES)
    first, second = added(steps, set())
    assert second == sum(size(o) for o in steps[1][1:]) and first > second + 5000
    rt, actors, steps = scenario(second)
    assert rt.head(actors[1]) == g.object_id(steps[1][-1]) and not rt.failures
    rt, actors, steps = scenario(second - 1)
    assert [f.error_class for f in rt.failures] == ["step-too-large"] * 5


#: A blob a step names twice, in two core entries and twice among its new objects.
JUNK = g.Blob(data=b"j" * 6000)


def twice(inp: TransitionInput) -> TransitionOutput:
    """The Wit ``twice``: each step sets core entries ``a`` and ``b`` to :data:`JUNK`."""
    entries = dict(inp.core.entries)
    entries["a"] = entries["b"] = g.object_id(JUNK)
    return TransitionOutput(
        core=g.Tree(entries=entries),
        read={s: len(items) for s, items in inp.pending.items()},
        new_objects=(JUNK, JUNK),
    )


@pytest.mark.req("RUN-022.1", "RUN-011.4")
@pytest.mark.parametrize("erase", [False, True], ids=["new", "erased"])
def test_an_erased_blob_and_a_repeated_object_add_nothing(erase: bool) -> None:
    """A step writing a blob that was stored and erased adds nothing for it (``has`` is
    true, RUN-011.4), and a new object a step names twice counts once."""
    store = Store.memory()
    rt = Runtime(store, actors={**TEST_ACTORS, "twice": twice}, commit="step")

    async def go() -> int:
        if erase:
            erase_blob(store, store.put_object(JUNK), "gone")
        await rt.genesis(*test_actor_core("twice"))
        before = store_bytes(store)
        await rt.run_until_quiescent()
        return store_bytes(store) - before

    grown = run(go())
    assert rt.run_bytes == grown, (rt.run_bytes, grown)
    assert (grown < 6000) is erase


@pytest.mark.req("RUN-022.4")
@pytest.mark.parametrize("commit", MODES)
def test_a_wit_rule_is_reported_before_the_size(commit: str) -> None:
    """A frozen updater's set-code breaks WIT-016 however small the bound: frozen-core."""
    rt = Runtime(Store.memory(), commit=commit, first_backoff=0, max_step_bytes=1)

    async def go() -> None:
        core, objects = test_actor_core("updater", {"frozen": g.Blob(data=b"")})
        actor = await rt.genesis(core, objects)
        content = g.Blob(data=b"echo")
        await rt.send(actor, g.object_id(content), {"mt": "set-code"}, [content])
        await rt.run_rounds(100)

    run(go())
    assert [f.error_class for f in rt.failures] == ["frozen-core"] * 5


@pytest.mark.req("RUN-022.2", "RUN-023.2")
def test_the_bounds_default_and_are_checked() -> None:
    assert MAX_STEP_BYTES == 80 * 2**20 and MAX_RUN_BYTES == 2**30
    rt = Runtime(Store.memory())
    assert (rt.max_step_bytes, rt.max_run_bytes) == (MAX_STEP_BYTES, MAX_RUN_BYTES)
    for name, clause in (("max_step_bytes", r"RUN-022\.2"), ("max_run_bytes", r"RUN-023\.2")):
        for good in (1, 2**53 - 1):
            assert getattr(Runtime(Store.memory(), **{name: good}), name) == good
        for bad in (0, -1, 2**53):
            with pytest.raises(ValueError, match=clause):
                Runtime(Store.memory(), **{name: bad})
        for wrong in (True, 1.5, None, "1"):
            with pytest.raises(TypeError, match=clause):
                Runtime(Store.memory(), **{name: wrong})


# --- RUN-023: the bytes of a run -------------------------------------------------------------


@pytest.mark.req("RUN-023.1", "RUN-023.2", "RUN-023.3", "RUN-018.3")
@pytest.mark.parametrize("commit", MODES)
def test_a_run_stops_once_its_bytes_reach_the_bound_not_before(commit: str) -> None:
    """Three set-codes of known bytes a, b, c (b's ``wit`` blob held: a stored it): a
    bound of a stops after one step, a + 1 after two, a + b after two, a + b + 1 after
    three; each stopped run answers not quiescent, and a + b + c + 1 quiescent."""

    def scenario(bound: int) -> tuple[Runtime, list[ObjectId], list[int], object]:
        rt = Runtime(Store.memory(), commit=commit, max_run_bytes=bound)

        async def go() -> tuple[list[ObjectId], list[int], object]:
            actors, steps = await three_set_codes(rt)
            report = await rt.run_rounds(100)
            return actors, added(steps, set()), report

        actors, sizes, report = run(go())
        return rt, actors, sizes, report

    _, _, (a, b, c), _ = scenario(MAX_RUN_BYTES)
    assert a > 3000 and c > 2000 and b < 1000  # b's wit blob is a's
    for bound, count, quiescent in (
        (a, 1, False),
        (a + 1, 2, False),
        (a + b, 2, False),
        (a + b + 1, 3, False),  # checked before each candidate, as max_steps (RUN-023.3)
        (a + b + c, 3, False),
        (a + b + c + 1, 3, True),
    ):
        rt, actors, _, report = scenario(bound)
        assert len(report.steps) == count, (bound, report.steps)  # type: ignore[attr-defined]
        assert report.quiescent is quiescent, bound  # type: ignore[attr-defined]
        assert rt.run_bytes == (a, a + b, a + b + c)[count - 1]
        assert rt.busy() == actors[count:], bound
        if count < 3:  # the next run counts from zero and goes on (RUN-023.2)
            rest = run(rt.run_rounds(100))
            assert [actor for actor, _ in rest.steps] == actors[count:], bound


@pytest.mark.req("RUN-023.1", "RUN-023.2", "RUN-023.3", "RUN-017.10")
@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 30_000), min_size=1, max_size=6),
    pings=st.integers(0, 10),
    bound=st.integers(1, 150_000),
    commit=st.sampled_from(MODES),
    group_bytes=st.sampled_from([1, 20_000, 2**25]),
)
def test_a_run_counts_what_the_store_grew_by_and_stops_at_the_first_step_reaching_it(
    sizes: list[int], pings: int, bound: int, commit: str, group_bytes: int
) -> None:
    """A hoarder leaves blobs of the given sizes (repeating: a repeated blob is held) and
    pings itself: the run's count is exactly what the store grew by less the sends, and the
    run stops right after the first step that took it to the bound, never before."""
    store = Store.memory()
    wit = hoarder(lambda n: sizes[n % len(sizes)], repeat=True)
    rt = Runtime(
        store,
        actors={**TEST_ACTORS, "hoarder": wit},
        commit=commit,
        group_bytes=group_bytes,
        max_run_bytes=bound,
        send_commit="own",
    )
    grown: list[int] = []

    async def go() -> object:
        await start_hoarder(rt, pings)
        before = store_bytes(store)
        report = await rt.run_until_quiescent()
        grown.append(store_bytes(store) - before)
        return report

    report = run(go())
    steps = len(report.steps)  # type: ignore[attr-defined]
    assert rt.run_bytes == grown[0]
    # each step alone, measured as the store's growth
    solo = Store.memory()
    one = Runtime(
        solo, actors={**TEST_ACTORS, "hoarder": wit}, commit=commit, max_steps=1, send_commit="own"
    )
    per_step: list[int] = []

    async def each() -> None:
        await start_hoarder(one, pings)
        for _ in range(pings + 1):
            before = store_bytes(solo)
            await one.run_until_quiescent()
            per_step.append(store_bytes(solo) - before)

    run(each())
    totals = [sum(per_step[: i + 1]) for i in range(len(per_step))]
    reached = next((i + 1 for i, t in enumerate(totals) if t >= bound), None)
    assert steps == (pings + 1 if reached is None else reached), (totals, bound, steps)
    assert report.quiescent is (steps == pings + 1)  # type: ignore[attr-defined]


@pytest.mark.req("RUN-023.2", "RUN-018.3")
def test_a_halted_run_starts_nothing_queued_for_the_lane() -> None:
    """Five hoarders whose transitions all wait for the engine lane: once the first step
    reaches the bound, the ones still waiting do not start (one already in the lane may
    finish), and they are left busy.  Without the gate all five would step."""
    store = Store.memory()
    rt = Runtime(store, actors={**TEST_ACTORS, "hoarder": hoarder(lambda n: 5000)})

    async def go() -> object:
        actors = [await start_hoarder(rt, 0, bytes([i])) for i in range(5)]
        await rt.run_until_quiescent(max_steps=5)  # the geneses batch with their pings
        return actors

    with mock.patch.object(TimeBound, "in_lane", lambda self, *args: True):
        rt.max_run_bytes = 10**9
        probe = Runtime(Store.memory(), actors={**TEST_ACTORS, "hoarder": hoarder(lambda n: 5000)})
        run(start_hoarder(probe, 0))
        run(probe.run_until_quiescent())
        rt.max_run_bytes = probe.run_bytes  # one step's bytes
        actors = run(go())
    steps = [a for a, _ in rt._commits.sink]
    assert len(steps) == 1, steps  # the others wait for it to be counted, then stop
    assert set(rt.busy()) == set(actors) - set(steps)  # type: ignore[arg-type]


def test_the_gate_raises_once_halted() -> None:
    rt = Runtime(Store.memory())
    rt._bounds.gate()
    rt._bounds.halted = True
    with pytest.raises(Halted):
        rt._bounds.gate()


# --- gritwit runtime run ---------------------------------------------------------------------


@pytest.mark.req("RUN-023.2", "RUN-022.2", "RUN-018.3")
def test_runtime_run_stops_at_max_run_bytes_and_says_so(tmp_path: Path) -> None:
    with Store.open(tmp_path / "st") as store:
        rt = Runtime(store, send_commit="own")
        run(three_set_codes(rt))
    argv = [sys.executable, "-m", "gritwit", "runtime", "run", str(tmp_path / "st")]
    ran = subprocess.run([*argv, "--max-run-bytes", "1"], capture_output=True, text=True)
    assert ran.returncode == 3, ran.stdout + ran.stderr
    assert "--max-run-bytes 1 (RUN-023.2)" in ran.stderr and "2 actor(s) busy" in ran.stderr
    last = ran.stdout.splitlines()[-1]
    assert last.startswith("1 step(s) adopted, ") and last.endswith("; quiescent: False")
    small = subprocess.run([*argv, "--max-step-bytes", "100"], capture_output=True, text=True)
    assert small.returncode == 0, small.stdout + small.stderr
    failed = {line.split()[1] for line in small.stdout.splitlines() if line.startswith("failed ")}
    assert len(failed) == 2 and small.stdout.count(" step-too-large") == 10, small.stdout
    for flag in ("--max-step-bytes", "--max-run-bytes"):
        for bad in ("0", str(2**53), "1.5"):
            refused = subprocess.run([*argv, flag, bad], capture_output=True, text=True)
            assert refused.returncode == 2 and flag in refused.stderr, refused.stderr
    shown = subprocess.run([*argv[:5], "--help"], capture_output=True, text=True)
    text = " ".join(shown.stdout.split())
    assert f"default: {MAX_STEP_BYTES}" in text and f"default: {MAX_RUN_BYTES}" in text
