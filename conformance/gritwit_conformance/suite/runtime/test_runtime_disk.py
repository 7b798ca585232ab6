"""The bytes a step and a run add to the store, at both sides of each bound (RUN-022, RUN-023).

An ``updater`` given ``set-code`` with data D (WIT-023.1) stores exactly four new objects:
its new ``wit`` blob (D, header ``runtime: test-actor``), its new core, its inbox (the
outside's ``set-code`` message) and the step, none of which the store held before — but
for the ``wit`` blob when another updater stored the same one first.  The suite builds
those objects itself from the ids the implementation answered (``rt-genesis``,
``rt-send``, ``rt-head``) and sizes them with the reference's codec, so each bound is
given exactly, or one byte less, never read from the implementation:

* ``max_step_bytes`` equal to a step's added bytes adopts it, one less fails it
  ``step-too-large`` in every attempt, and nothing of it is stored (RUN-022.2,
  RUN-022.3); a ``wit`` blob the store holds adds nothing (RUN-022.1); a frozen core's
  ``set-code`` fails ``frozen-core`` whatever the bound (RUN-022.4);
* ``max_run_bytes`` a, a + 1, a + b, a + b + 1 … over steps of a, b, c bytes (b's blob
  held) stops the run after exactly the step that reached it, ``quiescent: false``, and
  not before; the next ``rt-run`` counts from zero (RUN-023.1 … RUN-023.3);
* ``rt-open`` takes both bounds as integers from 1 to 2⁵³ − 1, answers them in
  ``settings`` (defaults 80 MiB and 1 GiB) and refuses anything else (ADP-015).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, error_answer, ok_answer
from .._writers import second as second  # the store profile's process (ADP-010.6)

pytestmark = pytest.mark.profile("runtime")

#: RUN-004.3: attempts of a failing transition before its actor is marked failed.
ATTEMPTS = 5
#: RUN-022.2, RUN-023.2: the defaults, and the largest bound a caller may give.
MAX_STEP_BYTES = 80 * 2**20
MAX_RUN_BYTES = 2**30
LARGEST = 2**53 - 1
OUTSIDE = g.ObjectId(bytes(32))
MODES = ["group", "step"]


def _open(impl: Implementation, path: Path, **settings: Any) -> str:
    path.mkdir(exist_ok=True)
    reply = impl.call("rt-open", path=str(path), first_delay=0, **settings)
    if not reply.ok and "commit" in settings and reply.error_class == "bad-request":
        pytest.skip(f"no commit mode {settings['commit']!r} (ADP-015 allows refusing it)")
    return str(ok_answer(reply, "WIT-002")["runtime"])


def _size(obj: g.GritObject) -> int:
    return len(g.encode_object(obj))


class Updaters:
    """``updater`` actors on one runtime, and the objects each ``set-code`` step must store."""

    def __init__(self, impl: Implementation, runtime: str) -> None:
        self.impl, self.runtime = impl, runtime
        self.cores: dict[str, g.Tree] = {}

    def create(self, count: int, state: dict[str, bytes] | None = None) -> list[str]:
        """``count`` updaters, their geneses adopted; in ``rt-run``'s order (ADP-014)."""
        actors = []
        for i in range(count):
            entries = {"t": bytes([i]), **(state or {})}
            reply = self.impl.call(
                "rt-genesis",
                runtime=self.runtime,
                actor="updater",
                state={name: data.hex() for name, data in entries.items()},
            )
            actor = str(ok_answer(reply, "WIT-002")["actor"])
            wit = g.Blob(data=b"updater", headers={"runtime": "test-actor"})
            blobs = {name: g.object_id(g.Blob(data=data)) for name, data in entries.items()}
            self.cores[actor] = g.Tree(entries={"wit": g.object_id(wit), **blobs})
            check_equal(
                "WIT-002", actor, g.object_id(self.cores[actor]).hex(), "the id is the core's"
            )
            actors.append(actor)
        call_ok(self.impl, "WIT-002", "rt-run", runtime=self.runtime, max_steps=100)
        return sorted(actors)

    def set_code(self, actor: str, data: bytes) -> list[g.GritObject]:
        """Send ``set-code`` with ``data``; the wit blob, core, inbox and step it must store."""
        sent = call_ok(
            self.impl,
            "WIT-002",
            "rt-send",
            runtime=self.runtime,
            to=actor,
            mt="set-code",
            content={"blob": data.hex()},
        )["message"]
        head = call_ok(self.impl, "WIT-002", "rt-head", runtime=self.runtime, actor=actor)["step"]
        wit = g.Blob(data=data, headers={"runtime": "test-actor"})
        core = g.Tree(entries={**dict(self.cores[actor].entries), "wit": g.object_id(wit)})
        inbox = g.Mailbox(entries={OUTSIDE: g.ObjectId.from_hex(sent)})
        step = g.Step(
            actor=g.ObjectId.from_hex(actor),
            core=g.object_id(core),
            previous=g.ObjectId.from_hex(head),
            inbox=g.object_id(inbox),
            outbox=None,
        )
        return [wit, core, inbox, step]

    def head(self, actor: str) -> str | None:
        step = call_ok(self.impl, "RUN-022", "rt-head", runtime=self.runtime, actor=actor)["step"]
        return None if step is None else str(step)

    def stored(self, obj: g.GritObject) -> bool:
        reply = self.impl.call("rt-object", runtime=self.runtime, id=g.object_id(obj).hex())
        return reply.ok


def _added(steps: list[list[g.GritObject]]) -> list[int]:
    """Each step's added bytes (RUN-022.1): its objects no earlier step stored, each once."""
    seen: set[g.ObjectId] = set()
    out = []
    for objects in steps:
        total = 0
        for obj in objects:
            if g.object_id(obj) not in seen:
                seen.add(g.object_id(obj))
                total += _size(obj)
        out.append(total)
    return out


# --- RUN-022: a step ------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.req("RUN-022.2", "RUN-022.3", "RUN-004.4", "RUN-004.9", "ADP-015")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("commit", MODES)
@pytest.mark.req("WIT-002")
def test_a_step_of_max_step_bytes_is_adopted_and_one_byte_more_fails(
    impl: Implementation, tmp_path: Path, commit: str
) -> None:
    data = b"z" * 4000
    wit = g.Blob(data=data, headers={"runtime": "test-actor"})
    for side in ("at", "past"):
        runtime = _open(impl, tmp_path / side, commit=commit)
        ups = Updaters(impl, runtime)
        (actor,) = ups.create(1)
        objects = ups.set_code(actor, data)
        (exact,) = _added([objects])
        call_ok(impl, "RUN-022.2", "rt-close", runtime=runtime)
        bound = exact if side == "at" else exact - 1
        runtime = _open(impl, tmp_path / side, commit=commit, max_step_bytes=bound)
        ups.runtime = runtime
        run = call_ok(impl, "RUN-022.2", "rt-run", runtime=runtime, max_steps=100)
        step = g.object_id(objects[-1]).hex()
        if side == "at":
            check_equal(
                "RUN-022.2",
                [],
                run["failures"],
                f"a step that adds exactly max_step_bytes = {bound} bytes (its wit blob, "
                f"core, inbox and step) must be adopted: {run}",
            )
            check_equal(
                "RUN-022.2",
                [[actor, step]],
                run["steps"],
                f"a step that adds exactly max_step_bytes = {bound} bytes (its wit blob, "
                f"core, inbox and step) must be adopted: {run}",
            )
        else:
            check_equal(
                "RUN-022.3",
                [],
                run["steps"],
                f"a step that adds {exact} bytes, one more than max_step_bytes = {bound}, "
                f"must fail step-too-large and mark its actor failed: {run}",
            )
            check_equal(
                "RUN-022.3",
                [[actor, "step-too-large"]],
                run["failures"],
                f"a step that adds {exact} bytes, one more than max_step_bytes = {bound}, "
                f"must fail step-too-large and mark its actor failed: {run}",
            )
            check_equal(
                "RUN-022.3",
                [[actor, "step-too-large"]] * ATTEMPTS,
                run["attempts"],
                "the attempts of a step one byte over max_step_bytes",
            )
            value = ups.head(actor)
            check(
                "RUN-022.3",
                value != step,
                expected=f"a head other than the refused step {step}",
                came=value,
            )
            kept = ups.stored(wit)
            check(
                "RUN-004.9",
                not kept,
                expected="nothing (empty)",
                came=kept,
                what="a step refused for its size must store nothing of itself",
            )
            kept = ups.stored(objects[-1])
            check(
                "RUN-004.9",
                not kept,
                expected="nothing (empty)",
                came=kept,
                what="a step refused for its size must store nothing of itself",
            )


@pytest.mark.req("RUN-022.2", "RUN-022.3", "ADP-015")
@pytest.mark.parametrize("commit", MODES)
@pytest.mark.req("WIT-002")
def test_each_step_of_a_run_is_bounded_alone(
    impl: Implementation, tmp_path: Path, commit: str
) -> None:
    """RUN-022.2 bounds *each* step: three updaters' steps in one run (one commit group
    in group mode), each adding about the bound, together three times it. With the bound
    at the largest of the three all are adopted, however many came before in the run or
    the group; one byte below the smallest, each fails alone (a rule counted
    "per" something is tested with more than one)."""
    for side in ("at", "past"):
        runtime = _open(impl, tmp_path / side, commit=commit)
        ups = Updaters(impl, runtime)
        actors = ups.create(3)
        steps = [ups.set_code(a, bytes([0x61 + i]) * 3000) for i, a in enumerate(actors)]
        sizes = _added(steps)
        call_ok(impl, "RUN-022.2", "rt-close", runtime=runtime)
        bound = max(sizes) if side == "at" else min(sizes) - 1
        runtime = _open(impl, tmp_path / side, commit=commit, max_step_bytes=bound)
        run = call_ok(impl, "RUN-022.2", "rt-run", runtime=runtime, max_steps=100)
        if side == "at":
            want = [[a, g.object_id(s[-1]).hex()] for a, s in zip(actors, steps, strict=True)]
            check_equal(
                "RUN-022.2",
                [],
                run["failures"],
                f"three steps adding {sizes} bytes, {sum(sizes)} in all, max_step_bytes = "
                f"{bound}: each step is bounded alone, so all three are adopted, "
                f"in {commit} mode: {run}",
            )
            check_equal(
                "RUN-022.2",
                want,
                run["steps"],
                f"three steps adding {sizes} bytes, {sum(sizes)} in all, max_step_bytes = "
                f"{bound}: each step is bounded alone, so all three are adopted, "
                f"in {commit} mode: {run}",
            )
        else:
            check_equal(
                "RUN-022.3",
                [],
                run["steps"],
                f"three steps adding {sizes} bytes, max_step_bytes = {bound}: each fails "
                f"step-too-large on its own: {run}",
            )
            check_equal(
                "RUN-022.3",
                sorted([a, "step-too-large"] for a in actors),
                sorted(run["failures"]),
                f"three steps adding {sizes} bytes, max_step_bytes = {bound}: each fails "
                f"step-too-large on its own: {run}",
            )


@pytest.mark.req("RUN-022.1", "RUN-022.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("commit", MODES)
@pytest.mark.req("WIT-002")
def test_an_object_the_store_holds_adds_nothing(
    impl: Implementation, tmp_path: Path, commit: str
) -> None:
    """Two updaters given the same code: the first stores the ``wit`` blob, so the
    second's step adds only its core, inbox and step — a bound of exactly those passes it,
    one byte less fails it.  A runtime that counts the blob again fails it either way."""
    data = b"q" * 5000
    for side in ("at", "past"):
        runtime = _open(impl, tmp_path / side, commit=commit)
        ups = Updaters(impl, runtime)
        first, second = ups.create(2)
        steps = [ups.set_code(first, data), ups.set_code(second, data)]
        call_ok(impl, "RUN-022.1", "rt-run", runtime=runtime, max_steps=1)  # the first, alone
        check_equal("RUN-022.1", g.object_id(steps[0][-1]).hex(), ups.head(first))
        _, held = _added(steps)
        check_equal("RUN-022.1", sum(_size(o) for o in steps[1][1:]), held)
        call_ok(impl, "RUN-022.1", "rt-close", runtime=runtime)
        bound = held if side == "at" else held - 1
        runtime = _open(impl, tmp_path / side, commit=commit, max_step_bytes=bound)
        run = call_ok(impl, "RUN-022.1", "rt-run", runtime=runtime, max_steps=100)
        if side == "at":
            check_equal(
                "RUN-022.1",
                [],
                run["failures"],
                f"the second updater's step adds {held} bytes: its wit blob ({len(data)} "
                f"bytes of data) is held, stored by the first, and adds nothing; "
                f"with max_step_bytes = {bound} it must be adopted: {run}",
            )
            check_equal(
                "RUN-022.1",
                [second],
                [a for a, _ in run["steps"]],
                f"the second updater's step adds {held} bytes: its wit blob ({len(data)} "
                f"bytes of data) is held, stored by the first, and adds nothing; "
                f"with max_step_bytes = {bound} it must be adopted: {run}",
            )
        else:
            check_equal(
                "RUN-022.1", [[second, "step-too-large"]], run["failures"], "rt-run's failures"
            )


@pytest.mark.req("RUN-022.4", "WIT-016")
@pytest.mark.parametrize("commit", MODES)
@pytest.mark.req("WIT-002")
def test_a_wit_rule_comes_before_the_size(
    impl: Implementation, tmp_path: Path, commit: str
) -> None:
    """A frozen updater's ``set-code`` breaks WIT-016: ``frozen-core``, even with a bound
    its step would be far past."""
    runtime = _open(impl, tmp_path / "rt", commit=commit)
    ups = Updaters(impl, runtime)
    (actor,) = ups.create(1, {"frozen": b""})
    ups.set_code(actor, b"echo" * 1000)
    call_ok(impl, "RUN-022.4", "rt-close", runtime=runtime)
    runtime = _open(impl, tmp_path / "rt", commit=commit, max_step_bytes=1)
    run = call_ok(impl, "RUN-022.4", "rt-run", runtime=runtime, max_steps=100)
    check_equal(
        "RUN-022.4",
        [[actor, "frozen-core"]],
        run["failures"],
        f"a transition that breaks a Wit rule fails with that rule's class whatever its "
        f"size: {run}",
    )


# --- STO-002.3: a runtime's write mends ---------------------------------------------------


@pytest.mark.profile("runtime", "store")
@pytest.mark.req("STO-002.3", "RUN-022.1", "ADP-010.5", "ADP-010.6")
@pytest.mark.parametrize("commit", MODES)
@pytest.mark.req("WIT-002")
@pytest.mark.req("CONV-004")
def test_a_step_storing_an_object_again_mends_its_corrupt_copy(
    impl: Implementation, second: Implementation, tmp_path: Path, commit: str
) -> None:
    """Two updaters given the same code: the first's step stores the ``wit`` blob, a
    second adapter process corrupts that copy through the store profile (ADP-010.5, the
    same store by its path, ADP-010.6), and the second updater's step stores the same
    blob again.  That write must mend the copy (STO-002.3) as a ``put`` does, though the
    store holds the id and the step counts it as adding nothing (RUN-022.1): a ``get``
    afterwards answers the blob's bytes, not ``corrupt-object``."""
    data = b"m" * 300
    runtime = _open(impl, tmp_path / "rt", commit=commit)
    ups = Updaters(impl, runtime)
    first, other = ups.create(2)
    steps = [ups.set_code(first, data), ups.set_code(other, data)]
    call_ok(impl, "STO-002.3", "rt-run", runtime=runtime, max_steps=1)  # the first, alone
    check_equal("STO-002.3", g.object_id(steps[0][-1]).hex(), ups.head(first))
    wit = steps[0][0]
    check_equal("STO-002.3", steps[1][0], wit, "both updaters store one wit blob")
    wid, good = g.object_id(wit).hex(), g.encode_object(wit).hex()
    opened = call_ok(second, "STO-002.3", "store-open", kind="durable", path=str(tmp_path / "rt"))
    store = str(opened["store"])
    call_ok(second, "STO-002.3", "store-corrupt", store=store, id=wid)
    reply = second.call("get", store=store, id=wid)
    error_answer(reply, "STO-002.3", "corrupt-object")
    run = call_ok(impl, "STO-002.3", "rt-run", runtime=runtime, max_steps=100)
    check_equal(
        "STO-002.3",
        [],
        run["failures"],
        f"the second updater's step stores a blob whose copy is corrupt; it must be adopted "
        f"(STO-002.3: the write replaces the corrupt copy): {run}",
    )
    check_equal(
        "STO-002.3",
        [[other, g.object_id(steps[1][-1]).hex()]],
        run["steps"],
        f"the second updater's step stores a blob whose copy is corrupt; it must be adopted "
        f"(STO-002.3: the write replaces the corrupt copy): {run}",
    )
    reply = second.call("get", store=store, id=wid)
    got = ok_answer(
        reply,
        "STO-002.3",
        f"a step stored the wit blob {wid} over its corrupt copy; the store must hold the "
        f"blob's bytes since (STO-002.3: a write of the right bytes mends, whichever path "
        f"writes them)",
    )
    check_equal(
        "STO-002.3",
        good,
        got["bytes"],
        f"a step stored the wit blob {wid} over its corrupt copy; the store must hold the "
        f"blob's bytes since (STO-002.3: a write of the right bytes mends, whichever path "
        f"writes them), not {reply}",
    )


# --- RUN-023: a run -------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.req("RUN-023.1", "RUN-023.2", "RUN-023.3", "ADP-015")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("commit", MODES)
@pytest.mark.req("WIT-002")
def test_a_run_stops_once_its_bytes_reach_max_run_bytes_and_not_before(
    impl: Implementation, tmp_path: Path, commit: str
) -> None:
    """Three set-codes adding a, b and c bytes in ``rt-run``'s order, the second's ``wit``
    blob the first's: each bound stops the call after exactly the step that reached it,
    ``quiescent: false`` (checked before each candidate, as ``max_steps``), and the next
    call counts from zero."""
    datas = [b"x" * 3000, b"x" * 3000, b"y" * 2000]
    # each bound as (steps counted in full, bytes more): a, a + 1, a + b, a + b + 1, …
    bounds = ((1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1))
    for case, (full, more) in enumerate(bounds):
        where = tmp_path / f"case{case}"
        runtime = _open(impl, where, commit=commit)
        ups = Updaters(impl, runtime)
        actors = ups.create(3)
        steps = [ups.set_code(a, d) for a, d in zip(actors, datas, strict=True)]
        sizes = _added(steps)
        a, b, c = sizes
        # b's blob is a's
        check("RUN-023.1", b < 1000 < c < a, expected="added sizes b < 1000 < c < a", came=sizes)
        totals = [a, a + b, a + b + c]
        bound = totals[full - 1] + more
        count = next((i + 1 for i, t in enumerate(totals) if t >= bound), 3)
        call_ok(impl, "RUN-023.1", "rt-close", runtime=runtime)
        runtime = _open(impl, where, commit=commit, max_run_bytes=bound)
        run = call_ok(impl, "RUN-023.1", "rt-run", runtime=runtime, max_steps=100)
        want = [[x, g.object_id(s[-1]).hex()] for x, s in zip(actors, steps, strict=True)]
        quiescent = bound > a + b + c
        check_equal(
            ("RUN-023.2", "RUN-023.3"),
            want[:count],
            run["steps"],
            f"steps adding {totals} bytes in all, max_run_bytes = {bound}: the call must "
            f"stop after the step that reached it, step {count}, and not before, "
            f"quiescent {quiescent}: {run}",
        )
        check(
            ("RUN-023.2", "RUN-023.3"),
            run["quiescent"] is quiescent,
            expected=f"steps adding {totals} bytes in all, max_run_bytes = {bound}: the call must "
            f"stop after the step that reached it, step {count}, and not before, "
            f"quiescent {quiescent}: {run}",
            came=run["quiescent"],
            what="rt-run's quiescent",
        )
        if count < 3:
            rest = call_ok(impl, "RUN-023.1", "rt-run", runtime=runtime, max_steps=100)
            check_equal(
                "RUN-023.2",
                actors[count:],
                [x for x, _ in rest["steps"]],
                f"the next rt-run counts its bytes from zero and goes on: {rest}",
            )


# --- ADP-015: rt-open ------------------------------------------------------------------------


@pytest.mark.req("ADP-015", "RUN-022.2", "RUN-023.2")
@pytest.mark.inputs("largest", "past-largest")
def test_rt_open_takes_the_byte_bounds_and_refuses_anything_else(
    impl: Implementation, tmp_path: Path
) -> None:
    (tmp_path / "defaults").mkdir()
    defaults = call_ok(impl, "ADP-015", "rt-open", path=str(tmp_path / "defaults"))["settings"]
    check_equal(
        ("RUN-022.2", "RUN-023.2"),
        (
            MAX_STEP_BYTES,
            MAX_RUN_BYTES,
        ),
        (defaults.get("max_step_bytes"), defaults.get("max_run_bytes")),
        f"the defaults are 80 MiB a step and 1 GiB a run: {defaults}",
    )
    wrong: list[str] = []
    for name in ("max_step_bytes", "max_run_bytes"):
        for good in (1, LARGEST):
            where = tmp_path / f"{name}-{good}"
            where.mkdir()
            given: dict[str, Any] = {name: good}
            reply = impl.call("rt-open", path=str(where), **given)
            if not reply.ok or ok_answer(reply, "ADP-015")["settings"].get(name) != good:
                wrong.append(f"{name} {good}: {reply}")
        for index, bad in enumerate((0, -1, LARGEST + 1, 0.5, True, None, "1")):
            where = tmp_path / f"{name}-bad-{index}"
            where.mkdir()
            refused: dict[str, Any] = {name: bad}
            reply = impl.call("rt-open", path=str(where), check=False, **refused)
            if reply.ok or reply.error_class != "bad-request":
                wrong.append(f"{name} {bad!r}: {reply}")
    check(
        "ADP-015",
        not wrong,
        expected="nothing (empty)",
        came="rt-open's byte bounds are integers from 1 to 2**53 - 1 (ADP-015):\n"
        + ("\n".join(wrong)),
    )
