"""Several runtimes on one store, SIGKILLed and restarted: nothing lost, nothing read twice.

Two (or four, in the heavy form) adapter processes of the implementation under test
open one store (ADP-015) and run a workload of counters and ping-pongs at the same
time: each sends from the outside and runs a few steps, so that messages one process
sends are read in another's run and the processes' compare-and-swaps lose to each
other (RUN-002). At seeded points a process is SIGKILLed — while a command runs, or
right after its answer with the others paused and the kill's effect checked at once —
and restarted on the same path (``_multi.py`` describes the workload). At the end a
fresh runtime runs everything left to quiescence, and the checks hold against the
model of what was acknowledged:

- every send is read exactly once and in order: a counter's outside queue holds every
  acknowledged ``inc`` (RUN-019.1, RUN-007.1), each tag once, nothing never sent, each
  worker's sends in the order made; the count equals the ``inc`` in the queue, between
  the acknowledged ones and those plus the *maybe* ones a kill took the answer of
  (RUN-007.2, RUN-002.3, RUN-002.4); a send a kill took the answer of, or answered
  ``outcome-unknown``, is settled before it is sent again, so it is never there twice
  (RUN-019.6);
- a ping-pong's exchange has no gap and no duplicate: the questions the requester
  queued to its echo and the echoes it got back are the questions of its ``ask`` queue,
  in that order (WIT-026, WIT-019), and every cursor is at the end of its queue;
- every step a run reported adopted is on its actor's ``previous`` chain, neither lost
  in a kill nor overwritten by another writer (RUN-017.6, RUN-007.1, RUN-002.2), and
  ``rt-verify`` vouches for every actor's history (RUN-010.4);
- no head ever moves back: no count is below one seen earlier, and after a kill that
  followed an answer the acknowledged step and message are there at once.

The seed is in the failure message and in the summary the test prints and records
(``record_property``: the JSON report keeps no data of a passed test, so the summary is
in the captured output and in pytest's own JUnit file when it writes one);
``GRITWIT_MULTI_RUNTIME_SEED`` runs another. The in-process reference is not a
process and cannot be killed (ADP-015): there its kill slots are restarts without a
shutdown, and the rest runs as for any implementation.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness import current_plan
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, fail
from ._multi import Actors, Model, Pause, Plan, Reader, Worker, ok

pytestmark = pytest.mark.profile("runtime")

SEED_VARIABLE = "GRITWIT_MULTI_RUNTIME_SEED"
SEED = int(os.environ.get(SEED_VARIABLE) or "0", 0) or 0x6D756C74
#: The normal suite's form: a few seconds over stdio.
SHORT = Plan(seed=SEED, workers=2, ops=36, kills=3, races=2, counters=2, pairs=1, seconds=90.0)
#: The heavy form: four processes, ten kills each, over a thousand messages delivered.
HEAVY = Plan(
    seed=SEED + 1, workers=4, ops=360, kills=10, races=4, counters=3, pairs=2, seconds=600.0
)
OUTSIDE = "00" * 32


def _setup(checker: Reader, plan: Plan, model: Model) -> Actors:
    """The counters, the ping-pong pairs and the sleepy actor, created and run to their
    first steps; the sleepy actor's id sorts last, so its naps come at the end of a round."""

    def genesis(actor: str, note: int) -> str:
        return str(checker("rt-genesis", actor=actor, state={"n": f"{note:02x}"})["actor"])

    counters = tuple(genesis("counter", i) for i in range(plan.counters))
    pairs = tuple((genesis("requester", i), genesis("echo", i)) for i in range(plan.pairs))
    last = max((*counters, *(a for pair in pairs for a in pair)))
    note = next(n for n in range(256) if _test_actor("sleepy", n) > last)
    actors = Actors(counters, pairs, genesis("sleepy", note))
    ran = checker("rt-run", max_steps=1000)
    model.adopted(ran["steps"])
    check(
        "ADP-015",
        ran["quiescent"],
        expected="a value, not empty",
        came=ran,
        what="rt-run's quiescent",
    )
    check_equal("ADP-015", len(actors.all()), len(ran["steps"]), "the number of rt-run's steps")
    return actors


def _test_actor(name: str, note: int) -> str:
    """The id ``rt-genesis`` gives test actor ``name`` with state ``n`` = ``note`` (WIT-002)."""
    wit = g.Blob(data=name.encode(), headers={"runtime": "test-actor"})
    entries = {"wit": g.object_id(wit), "n": g.object_id(g.Blob(data=bytes([note])))}
    return g.object_id(g.Tree(entries=entries)).hex()


def _workers(impl: Implementation, path: Path, plan: Plan, model: Model, checker: Reader,
             actors: Actors) -> None:  # fmt: skip
    """Run the workers, each in a thread with its own process; raise what broke one."""
    scale = current_plan().timeout_scale or 1.0
    deadline = time.monotonic() + plan.seconds * scale
    sides = [impl._fresh() for _ in range(plan.workers)]
    pause = Pause()
    threads = [
        threading.Thread(
            target=Worker(i, side, path, plan, actors, model, pause, checker, deadline),
            name=f"multi-runtime-{i}",
            daemon=True,
        )
        for i, side in enumerate(sides)
    ]
    try:
        for thread in threads:
            thread.start()
        grace = 2 * current_plan().timeout * scale + 10  # one answer limit (ADP-012), twice
        for thread in threads:
            thread.join(max(0.0, deadline + grace - time.monotonic()))
        hung = [t.name for t in threads if t.is_alive()]
        check(
            "ADP-015",
            not hung,
            expected="nothing (empty)",
            came=hung,
            what=f"{hung} still running {grace:.0f} s past the deadline of "
            f"{plan.seconds * scale:.0f} s: a command that never ends (seed {plan.seed:#x}); "
            f"so far: {model.anomalies[:5]}",
        )
    finally:
        for side in sides:
            side.kill()
    if model.broken is not None:
        raise model.broken


def _queue(checker: Reader, model: Model, to: str, last: str | None) -> list[str]:
    """Check the outside's queue to ``to`` against the model; its sends' tags, in order."""
    chain = checker.chain(last)
    tags, ids = [], set()
    for oid, message in chain:
        if message.headers.get("mt") == "genesis":
            continue
        tag = model.tags.get(message.content.hex())
        if tag is None:
            model.anomaly(f"message {oid[:12]} to {to[:12]} has content no send had")
            continue
        tags.append(tag)
        ids.add(oid)
    acked, maybe = model.acked.get(to, []), set(model.maybe.get(to, []))
    lost = [tag for oid, tag in acked if oid not in ids]
    if lost:
        model.anomaly(f"acknowledged sends to {to[:12]} are not in the outside's queue: {lost}")
    twice = sorted(tag for tag, n in Counter(tags).items() if n > 1)
    if twice:
        model.anomaly(f"sends to {to[:12]} in the outside's queue twice: {twice}")
    stray = sorted(set(tags) - {tag for _, tag in acked} - maybe)
    if stray:
        model.anomaly(f"sends to {to[:12]} in the queue that were never made: {stray}")
    for worker in sorted({tag.split("-")[0] for tag in tags}):
        mine = [int(t.split("-")[1]) for t in tags if t.startswith(f"{worker}-")]
        if mine != sorted(mine):
            model.anomaly(f"worker {worker[1:]}'s sends to {to[:12]} out of order: {mine}")
    return tags


def _inbox(checker: Reader, actor: str, sender: str) -> str | None:
    head = checker.head(actor)
    step = checker.object(head) if head is not None else None
    if not isinstance(step, g.Step):
        fail("ADP-015", expected="a step", came=step, what=f"{actor}'s head {head} is not a step")
    return checker.entry(step.inbox, sender)


def _outbox(checker: Reader, actor: str, recipient: str) -> str | None:
    head = checker.head(actor)
    step = checker.object(head) if head is not None else None
    if not isinstance(step, g.Step):
        fail("ADP-015", expected="a step", came=step, what=f"{actor}'s head {head} is not a step")
    return checker.entry(step.outbox, recipient)


def _counters(checker: Reader, model: Model, actors: Actors) -> list[int]:
    counts = []
    for counter in actors.counters:
        last = checker.outside_entry(counter)
        tags = _queue(checker, model, counter, last)
        count = checker.count(counter)
        counts.append(count)
        acked, maybe = len(model.acked.get(counter, [])), len(model.maybe.get(counter, []))
        if count != len(tags) or not acked <= count <= acked + maybe:
            model.anomaly(
                f"counter {counter[:12]} counts {count}: {len(tags)} inc in its queue, "
                f"{acked} acknowledged, {maybe} maybe (RUN-007.2, RUN-002.3)"
            )
        if _inbox(checker, counter, OUTSIDE) != last:
            model.anomaly(f"counter {counter[:12]} did not read its queue to the end")
    return counts


def _pairs(checker: Reader, model: Model, actors: Actors) -> int:
    exchanged = 0
    for requester, echo in actors.pairs:
        last = checker.outside_entry(requester)
        tags = _queue(checker, model, requester, last)
        asked = [g.object_id(g.Blob(data=tag.encode())).hex() for tag in tags]
        questions = _outbox(checker, requester, echo)
        echoes = _outbox(checker, echo, requester)
        for what, end in (("questions", questions), ("echoes", echoes)):
            got = [m.content.hex() for _, m in checker.chain(end)]
            if got != asked:
                shorter = min(len(got), len(asked))
                at = next((i for i in range(shorter) if got[i] != asked[i]), shorter)
                twice = [tag for tag, n in Counter(got).items() if n > 1]
                model.anomaly(
                    f"pair {requester[:12]}: {len(got)} {what} for {len(asked)} asks, first "
                    f"difference at {at}, {len(twice)} twice (RUN-007.2, RUN-002.3)"
                )
        ends = ((requester, OUTSIDE, last), (requester, echo, echoes), (echo, requester, questions))
        for actor, sender, end in ends:
            if _inbox(checker, actor, sender) != end:
                model.anomaly(f"{actor[:12]} did not read {sender[:12]}'s queue to the end")
        answer = bytes.fromhex(checker("rt-query", actor=requester, name="answer")["data"])
        if answer != (tags[-1].encode() if tags else b""):
            model.anomaly(f"requester {requester[:12]} kept answer {answer!r}, not the last")
        exchanged += len(tags)
    return exchanged


def _histories(checker: Reader, model: Model, actors: Actors) -> int:
    walked = 0
    for actor in actors.all():
        history = checker.history(actor)
        walked += len(history)
        steps = {oid for oid, _ in history}
        missing = sorted(model.reported.get(actor, set()) - steps)
        if missing:
            model.anomaly(
                f"{len(missing)} steps of {actor[:12]} reported adopted are not on its chain "
                f"of {len(steps)} (RUN-017.6, RUN-007.1, RUN-002.2): {[s[:12] for s in missing]}"
            )
        if any(step.actor.hex() != actor for _, step in history):
            model.anomaly(f"a step of another actor is on {actor[:12]}'s chain")
        verified = checker("rt-verify", actor=actor)
        if not verified["verified"] or verified["steps"] != len(history):
            model.anomaly(f"rt-verify {actor[:12]}: {verified}, {len(history)} steps walked")
    return walked


def _run_to_quiescence(final: Reader, model: Model) -> None:
    for _ in range(5):
        ran = final("rt-run", max_steps=10_000)
        model.adopted(ran["steps"])
        if ran["failures"] or ran["attempts"]:
            model.anomaly(f"the final rt-run had failed attempts: {ran['attempts']}")
        if ran["quiescent"]:
            return
    model.anomaly("five runs of 10,000 steps each and still not quiescent")


def _family(impl: Implementation, tmp_path: Path, plan: Plan, record: Callable[..., Any]) -> None:
    started = time.monotonic()
    path = tmp_path / "store"
    path.mkdir()
    model = Model()
    checker = Reader(impl, path)
    actors = _setup(checker, plan, model)
    _workers(impl, path, plan, model, checker, actors)
    ok(impl, "rt-close", runtime=checker.handle)
    final = Reader(impl, path)  # a fresh runtime: it recovers from the heads alone (RUN-003)
    counts: list[int] = []
    naps: list[str] = []
    exchanged = walked = 0
    try:
        _run_to_quiescence(final, model)
        counts = _counters(final, model, actors)
        naps = _queue(final, model, actors.sleepy, final.outside_entry(actors.sleepy))
        if _inbox(final, actors.sleepy, OUTSIDE) != final.outside_entry(actors.sleepy):
            model.anomaly(f"sleepy {actors.sleepy[:12]} did not read its queue to the end")
        exchanged = _pairs(final, model, actors)
        walked = _histories(final, model, actors)
        again = final("rt-run", max_steps=10_000)["steps"]
        if again:
            model.anomaly(f"a run after quiescence adopted {len(again)} steps: pending again")
        ok(impl, "rt-close", runtime=final.handle)
    except AssertionError as exc:  # a refused command, an object of the wrong type
        model.anomaly(f"the final checks stopped: {str(exc)[:300]}")
    stats = model.stats
    # delivered: each inc a counter read, each exchange's three (the outside's ask, the
    # requester's question, the echo's answer), each nap the sleepy actor read
    messages = sum(counts) + 3 * exchanged + len(naps)
    kind = "processes" if impl.can_kill else "in-process: restarts, no kills"
    summary = (
        f"multi-runtime seed={plan.seed:#x} workers={plan.workers} ({kind}): "
        f"{stats['operations']} operations ({stats['sends']} sends acknowledged, "
        f"{stats['sends maybe']} maybe, {stats['sends settled']} settled (RUN-019.6), "
        f"{stats['sends sent again']} sent again; {stats['runs']} runs, {stats['runs cut']} cut; "
        f"{stats['steps']} steps reported; {stats['queries']} queries; {stats['races']} races), "
        f"{stats['kills']} kills "
        f"({stats['kills during a command']} during a command), {stats['restarts']} restarts, "
        f"{stats['checked at a kill']} checked at a kill, {stats['anomalies']} anomalies; "
        f"counts {counts}, {exchanged} exchanges, {len(naps)} naps, {messages} messages "
        f"delivered, {walked} steps verified; "
        f"{time.monotonic() - started:.1f} s"
    )
    record("multi_runtime", summary)
    print(summary)
    check(
        "ADP-015",
        not model.anomalies,
        expected="nothing (empty)",
        came=f"{len(model.anomalies)} anomalies (seed {plan.seed:#x}; rerun with "
        f"{SEED_VARIABLE}={plan.seed:#x}):\n" + "\n".join(model.anomalies[:12]) + f"\n{summary}",
        what="model's anomalies",
    )


@pytest.mark.slow
@pytest.mark.req(
    "ADP-015", "RUN-002.2", "RUN-002.3", "RUN-002.4", "RUN-003.3", "RUN-007.1",
    "RUN-007.2", "RUN-017.6", "RUN-019.1", "RUN-019.6", "RUN-010.4", "RUN-020.1",
)  # fmt: skip
def test_two_runtimes_killed_and_restarted_lose_nothing_and_read_nothing_twice(
    impl: Implementation, tmp_path: Path, record_property: Callable[..., Any]
) -> None:
    """The short form: two processes, three kills each (see the module)."""
    _family(impl, tmp_path, SHORT, record_property)


@pytest.mark.heavy
@pytest.mark.slow
@pytest.mark.req(
    "ADP-015", "RUN-002.2", "RUN-002.3", "RUN-002.4", "RUN-003.3", "RUN-007.1",
    "RUN-007.2", "RUN-017.6", "RUN-019.1", "RUN-019.6", "RUN-010.4", "RUN-020.1",
)  # fmt: skip
def test_four_runtimes_killed_often_lose_nothing_and_read_nothing_twice(
    impl: Implementation, tmp_path: Path, record_property: Callable[..., Any]
) -> None:
    """The heavy form: four processes, ten kills each, three counters and two ping-pongs,
    over a thousand messages (``reference/tests/test_multi_runtime_stores.py`` runs it on
    SQLite and on PostgreSQL and holds it to those sizes)."""
    _family(impl, tmp_path, HEAVY, record_property)
