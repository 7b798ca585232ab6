"""The runtime scenario vectors (``vectors/runtime.json``, ADP-015; RUN-001 … RUN-014).

Hand-written scenarios for restarts, the failure policy, eviction and events,
fork, transfer by bundle, verification and erasure; then seeded-random
sequences with kills between operations.  Every answer is recorded from the
reference (:func:`._runtime_build.observe_runtime`); hand-declared values are
checked against it at generation.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Final

from gritwit._codec import object_id
from gritwit._ids import ObjectId
from gritwit._objects import Blob
from gritwit.wit import test_actor_core

from ._format import Group, Suite
from ._runtime_build import RuntimeScenario, observe_runtime
from ._runtime_going_back import going_back

__all__ = ["suite"]


def _head_now(s: RuntimeScenario, actor: ObjectId, on: int = 0) -> str:
    """``actor``'s head after the operations declared so far (replayed on the reference)."""
    s.op("head", on, actor=actor.hex())
    head = observe_runtime(s.options, s.operations)[-1]["step"]
    assert isinstance(head, str), f"{actor} has no head yet"
    return head


def _blob_id(text: str) -> str:
    return object_id(Blob(data=text.encode("utf-8"))).hex()


def _restarts() -> list[RuntimeScenario]:
    made = []
    s = RuntimeScenario(
        "restart/between-runs",
        "a kill between two runs changes no step id",
        (
            "ADP-015",
            "RUN-001.1",
            "RUN-001.2",
            "RUN-003.1",
            "RUN-006.2",
            "RUN-006.3",
            "RUN-007.1",
            "RUN-007.2",
            "RUN-015.1",
            "RUN-015.2",
            "DUR-001",
        ),
    )
    c = s.genesis("counter")
    s.say(c, "inc", "2")
    s.run()
    s.op("kill")
    s.say(c, "inc", "3")
    s.run()
    s.query(c, "count", text="5")
    made.append(s)

    s = RuntimeScenario(
        "restart/before-first-run",
        "messages sent before a kill are found after it, from the store alone",
        ("ADP-015", "RUN-003.1", "RUN-003.2", "RUN-003.4", "WIT-003", "DUR-001"),
    )
    c = s.genesis("counter")
    e = s.genesis("echo")
    s.say(c, "inc", "4")
    s.say(e, "hi", "x")
    s.op("kill")
    s.run()
    s.query(c, "count", text="4")
    for digit in sorted({c.hex()[15], e.hex()[15]}):  # each recipient's mailbox (RUN-003.4)
        s.op("ref", name=f"names/outside-outbox/{digit}")
    s.op("ref", name="names/outside-outbox")  # the old ref: never written (RUN-003.5)
    made.append(s)

    s = RuntimeScenario(
        "restart/mid-run",
        "a run stopped after one step, a kill, then the rest",
        (
            "ADP-015",
            "RUN-001.3",
            "RUN-001.4",
            "RUN-003.1",
            "RUN-003.3",
            "RUN-007.1",
            "RUN-007.2",
            "RUN-015.1",
            "RUN-015.2",
            "WIT-021",
        ),
    )
    fan = s.genesis("fanout")
    e0, e1 = s.genesis("echo", tag="0"), s.genesis("echo", tag="1")
    s.run()
    tree = {
        "tree": {"a": {"blob": e0.hex().encode().hex()}, "b": {"blob": e1.hex().encode().hex()}}
    }
    s.op("send", to=fan.hex(), mt="fanout", content=tree, signal=False)
    s.run(max_steps=1)
    s.op("kill")
    s.run(max_steps=1)
    s.op("kill")
    s.run()
    made.append(s)

    s = RuntimeScenario(
        "restart/twice-in-a-row",
        "two kills with nothing between them",
        ("ADP-015", "RUN-001.4", "RUN-003.1", "RUN-007.1", "RUN-007.2"),
    )
    c = s.genesis("counter")
    s.say(c, "inc", "1")
    s.op("kill")
    s.op("kill")
    s.run()
    s.query(c, "count", text="1")
    made.append(s)
    return made


def _failures() -> list[RuntimeScenario]:
    made = []
    s = RuntimeScenario(
        "failure/marked-with-receipt",
        "a failing actor is retried, marked failed and its sender gets a receipt",
        ("ADP-015", "RUN-004.1", "RUN-004.2", "RUN-004.4", "RUN-004.6", "WIT-024", "WIT-026"),
    )
    f = s.genesis("failing")
    r = s.genesis("requester")
    s.run()
    s.declare("failures", [[f.hex(), "failed"]])
    ask = {"tree": {"to": {"blob": f.hex().encode().hex()}, "question": {"blob": "3f"}}}
    s.op("send", to=r.hex(), mt="ask", content=ask, signal=False)
    s.run()
    s.op("ref", name="names/failed/" + f.hex())
    made.append(s)

    s = RuntimeScenario(
        "failure/stays-failed-after-restart",
        "an actor marked failed never runs again, even after a restart",
        ("ADP-015", "RUN-004.5", "RUN-004.7", "RUN-003.3"),
    )
    f = s.genesis("failing")
    s.run()
    s.op("kill")
    s.say(f, "hi", "again")
    s.run()
    s.declare("failures", [])
    s.op("ref", name="names/failed/" + f.hex())
    made.append(s)

    s = RuntimeScenario(
        "failure/slow-overruns",
        "a transition overrunning its time limit fails; others keep running",
        ("ADP-015", "RUN-005.1", "RUN-005.3", "RUN-005.4", "RUN-004.1", "WIT-027"),
        time_limit=0.5,
    )
    slow = s.genesis("slow")
    c = s.genesis("counter")
    s.say(c, "inc", "7")
    s.run()
    s.declare("failures", [[slow.hex(), "failed"]])
    s.query(c, "count", text="7")
    made.append(s)

    s = RuntimeScenario(
        "failure/record-blob",
        "the failure record is a JSON blob in the store",
        ("ADP-015", "RUN-004.1", "RUN-004.3", "RUN-004.4", "RUN-004.5", "RUN-004.8"),
    )
    f = s.genesis("failing")
    s.run()
    record = Blob(
        data=json.dumps(
            {"actor": f.hex(), "attempts": 5, "error": "failed"},
            sort_keys=True,
            separators=(",", ":"),
        ).encode(),
        headers={"content-type": "application/json"},
    )
    s.op("ref", name="names/failed/" + f.hex())
    s.declare("target", object_id(record).hex())
    s.op("object", id=object_id(record).hex())
    made.append(s)
    return made


def _eviction() -> list[RuntimeScenario]:
    made = []
    s = RuntimeScenario(
        "evict/capacity",
        "more actors than max_resident: LRU eviction, events",
        ("ADP-015", "RUN-012.1", "RUN-012.2", "RUN-014.1"),
        max_resident=1,
    )
    cs = [s.genesis("counter", tag=str(i)) for i in range(3)]
    for c in cs:
        s.say(c, "inc", "1")
    s.run()
    s.op("events")
    s.query(cs[0], "count", text="1")
    s.op("events")
    made.append(s)

    s = RuntimeScenario(
        "evict/request-then-message",
        "rt-evict, then a message restores the actor: archived, requested, restored",
        ("ADP-015", "RUN-012.1", "RUN-013.1", "RUN-014.1", "RUN-014.2"),
    )
    c = s.genesis("counter")
    s.say(c, "inc", "2")
    s.run()
    s.op("evict")
    s.op("events")
    s.say(c, "inc", "3")
    s.run()
    s.op("events")
    s.query(c, "count", text="5")
    made.append(s)

    s = RuntimeScenario(
        "evict/same-steps",
        "eviction changes no step id (compare restart/between-runs)",
        ("ADP-015", "RUN-012.1", "RUN-012.5", "RUN-014.4"),
        max_resident=0,
    )
    c = s.genesis("counter")
    s.say(c, "inc", "2")
    s.run()
    s.op("evict")
    s.say(c, "inc", "3")
    s.run()
    s.query(c, "count", text="5")
    s.op("events")
    made.append(s)

    s = RuntimeScenario(
        "evict/restart-restores",
        "after a restart an actor is restored before it runs",
        ("ADP-015", "RUN-013.1", "RUN-013.3", "RUN-014.2", "RUN-003.1"),
    )
    c = s.genesis("counter")
    idle = s.genesis("echo")
    s.run()
    s.op("kill")
    s.op("events")
    s.declare("events", [])
    s.say(c, "inc", "1")
    s.run()
    s.op("events")
    s.op("evict")
    s.query(idle, "wut")
    s.op("events")
    made.append(s)

    s = RuntimeScenario(
        "evict/busy-not-evicted",
        "over capacity, the least recently used actor has a message pending: "
        "the idle one is evicted instead",
        ("ADP-015", "RUN-012.1", "RUN-012.2", "RUN-014.1"),
        max_resident=1,
    )
    first, second = sorted(
        (s.genesis("counter", tag="a"), s.genesis("counter", tag="b")), key=lambda a: a.digest
    )
    s.run()  # rounds run ascending ids: `first` is used first, evicted at the end
    s.op("events")
    s.say(second, "inc", "2")  # `second` (resident) is busy ...
    s.query(first, "count")  # ... and `first` is restored: now two are resident
    s.run()
    s.op("events")
    made.append(s)

    s = RuntimeScenario(
        "evict/at-max-steps",
        "a run stopped by max_steps in the middle of a round still evicts at its end",
        ("ADP-015", "RUN-012.2", "RUN-014.1"),
        max_resident=1,
    )
    for tag in "abc":
        s.genesis("echo", tag=tag)
    s.run(max_steps=2)
    s.op("events")
    s.run()
    s.op("events")
    made.append(s)

    s = RuntimeScenario(
        "evict/waiting-for-genesis",
        "an actor whose messages wait for its genesis is idle once it has looked at them",
        ("ADP-015", "RUN-012.1", "RUN-014.1"),
    )
    later = object_id(test_actor_core("counter", {})[0])
    s.say(later, "inc", "4")
    s.run()
    s.op("evict")
    s.op("events")
    s.genesis("counter")
    s.run()
    s.op("events")
    s.query(later, "count", text="4")
    made.append(s)
    return made


def _lifecycle() -> list[RuntimeScenario]:
    made = []
    s = RuntimeScenario(
        "fork/at-head",
        "a fork continues from the parent's head; both go on apart",
        ("ADP-015", "RUN-008.1", "RUN-008.2", "RUN-008.4", "RUN-008.5", "RUN-008.7"),
    )
    c = s.genesis("counter")
    s.say(c, "inc", "3")
    s.run()
    head = _head_now(s, c)
    s.op("fork", actor=c.hex(), step=head, state={"tag": "6368696c64"})
    s.say(c, "inc", "1")
    s.run()
    s.query(c, "count", text="4")
    made.append(s)

    s = RuntimeScenario(
        "fork/at-earlier-step",
        "a fork from an earlier step of a longer history",
        ("ADP-015", "RUN-008.1", "RUN-008.4", "RUN-008.6", "RUN-010.2", "RUN-010.4"),
    )
    c = s.genesis("counter")
    s.say(c, "inc", "1")
    s.run()
    early = _head_now(s, c)
    for amount in ("2", "3", "4"):
        s.say(c, "inc", amount)
        s.run()
    s.op("fork", actor=c.hex(), step=early)
    s.op("fork", actor=c.hex(), step=early)
    s.op("kill")
    s.op("verify", actor=c.hex())
    made.append(s)

    s = RuntimeScenario(
        "fork/child-runs-on",
        "a child that adopted steps of its own still verifies across its fork boundary",
        ("ADP-015", "RUN-008.5", "RUN-010.2", "RUN-010.4"),
    )
    c = s.genesis("counter")
    s.say(c, "inc", "1")
    s.run()
    s.say(c, "inc", "2")
    s.run()
    s.op("fork", actor=c.hex(), step=_head_now(s, c))
    child = ObjectId.from_hex(observe_runtime(s.options, s.operations)[-1]["actor"])
    s.say(child, "inc", "3")  # one step after the child's first: an even-length chain
    s.run()
    s.query(child, "count", text="6")
    s.op("verify", actor=child.hex())
    s.declare("verified", True)
    s.op("verify", actor=c.hex())
    made.append(s)

    s = RuntimeScenario(
        "fork/not-a-step-of",
        "forking at a step of another actor is refused",
        ("ADP-015", "RUN-008.1"),
    )
    a, b = s.genesis("counter"), s.genesis("echo")
    s.run()
    s.op("fork", actor=a.hex(), step=_head_now(s, b))
    made.append(s)

    s = RuntimeScenario(
        "transfer/continue",
        "an actor moved by bundle continues with identical ids",
        ("ADP-015", "RUN-009.1", "RUN-009.4", "RUN-009.5", "RUN-010.4"),
    )
    c = s.genesis("counter")
    for amount in ("1", "2"):
        s.say(c, "inc", amount)
        s.run()
    s.op("transfer", actor=c.hex())
    s.say(c, "inc", "5", on=1)
    s.run(on=1)
    s.say(c, "inc", "5")
    s.run()
    s.query(c, "count", on=1, text="8")
    s.op("verify", on=1, actor=c.hex())
    made.append(s)

    s = RuntimeScenario(
        "transfer/twice-and-kill",
        "importing the same bundle twice is a no-op",
        ("ADP-015", "RUN-009.4", "RUN-007.1"),
    )
    e = s.genesis("echo")
    s.say(e, "hi", "there")
    s.run()
    s.op("transfer", actor=e.hex())
    s.op("transfer", actor=e.hex())
    s.op("kill")
    s.op("head", on=1, actor=e.hex())
    made.append(s)

    s = RuntimeScenario(
        "verify/whole-history",
        "verify walks every step of a history",
        ("ADP-015", "RUN-010.1", "RUN-010.4"),
    )
    c = s.genesis("counter")
    for amount in ("1", "2", "3"):
        s.say(c, "inc", amount)
        s.run()
    s.op("verify", actor=c.hex())
    s.declare("steps", 3)  # the genesis transition read the first inc too
    s.op("verify", actor=ObjectId(bytes(31) + b"\x01").hex())
    made.append(s)

    s = RuntimeScenario(
        "erase/message-content",
        "an erased blob: verified, loading it fails",
        ("ADP-015", "RUN-011.1", "RUN-011.3", "RUN-011.7", "RUN-010.4"),
    )
    e = s.genesis("echo")
    s.say(e, "hi", "secret")
    s.run()
    s.op("erase", blob=_blob_id("secret"), reason="user asked")
    s.op("verify", actor=e.hex())
    s.declare("erased", [_blob_id("secret")])
    s.op("object", id=_blob_id("secret"))
    s.declare("error", "erased")
    s.op("kill")
    s.op("object", id=_blob_id("secret"))
    s.say(e, "hi", "more")
    s.run()
    made.append(s)

    s = RuntimeScenario(
        "erase/read-through-the-runtime",
        "a blob erased after the runtime read it: queries and transitions see it erased",
        ("ADP-015", "RUN-011.3", "RUN-011.6"),
    )
    c = s.genesis("counter")
    s.say(c, "inc", "6")
    s.run()
    s.query(c, "count", text="6")  # the runtime has read the count blob
    s.op("erase", blob=_blob_id("6"), reason="user asked")
    s.op("erase", blob=_blob_id("6"), reason="asked twice")  # erasing an erased blob: no change
    s.query(c, "count")
    s.declare("error", "erased")
    s.say(c, "inc", "1")
    s.run()
    s.op("verify", actor=c.hex())
    made.append(s)

    s = RuntimeScenario(
        "erase/refused",
        "erasing what is not a stored blob changes nothing",
        ("ADP-015", "RUN-011.6"),
    )
    c = s.genesis("counter")
    s.run()
    s.op("erase", blob=c.hex(), reason="not a blob")
    s.op("erase", blob=_blob_id("never stored"), reason="absent")
    s.op("verify", actor=c.hex())
    made.append(s)
    return made


_ROLES: Final = ("counter", "echo", "fanout")


def _random(seed: int) -> RuntimeScenario:
    rng = random.Random(seed)
    s = RuntimeScenario(
        f"random/seed-{seed}",
        f"seeded random operations with kills (random.Random({seed}))",
        ("ADP-015", "RUN-003.1", "RUN-007.1", "RUN-007.2", "RUN-012.5", "WIT-005"),
        max_resident=rng.choice([None, 0, 1, 2]),
    )
    actors: list[tuple[str, ObjectId]] = []
    for _ in range(rng.randint(8, 16)):
        choice = rng.random()
        if choice < 0.15 or not actors:
            role = rng.choice(_ROLES)
            actors.append((role, s.genesis(role, tag=str(rng.randrange(4)))))
        elif choice < 0.5:
            role, to = rng.choice(actors)
            if role == "fanout":
                targets = [a for r, a in actors if r == "echo"][:2]
                entries = {f"t{i}": {"blob": a.hex().encode().hex()} for i, a in enumerate(targets)}
                if entries:
                    s.op("send", to=to.hex(), mt="fanout", content={"tree": entries}, signal=False)
                    continue
            s.say(
                to,
                "inc" if role == "counter" else "hi",
                str(rng.randint(1, 9)),
                signal=rng.random() < 0.2,
            )
        elif choice < 0.75:
            s.run(max_steps=rng.choice([1, 2, 3, 100]))
        elif choice < 0.87:
            s.op("kill")
        elif choice < 0.93:
            s.op("evict")
        else:
            s.op("events")
    s.run()
    return s


def _rounds() -> list[RuntimeScenario]:
    s = RuntimeScenario(
        "rounds/one-transition-per-turn",
        "an actor whose step stops before an update takes its next step in the next "
        "round, after the other candidates: one transition per candidate per round",
        ("ADP-014", "ADP-015", "RUN-006.2", "RUN-006.3", "WIT-013.2"),
    )
    c = s.genesis("counter", tag="c")
    d = s.genesis("counter", tag="d")
    s.run()
    s.say(c, "inc", "1")
    s.op("send", to=c.hex(), mt="update", content={"tree": {"note": {"blob": "6869"}}})
    s.say(d, "inc", "2")
    s.run(max_steps=2)  # c's inc, then d's inc; c's update waits for the next round
    s.run()
    s.query(c, "count", text="1")
    s.query(d, "count", text="2")
    return [s]


_HAND: Final[tuple[Callable[[], list[RuntimeScenario]], ...]] = (
    _restarts,
    _rounds,
    _failures,
    _eviction,
    _lifecycle,
    going_back,
)


def suite() -> Suite:
    hand = Group(
        "hand-written",
        "Restarts, failures, eviction, fork, transfer, verify, erase, revert, clear",
        "runtime",
    )
    hand.cases.extend(s.case() for make in _HAND for s in make())
    rand = Group(
        "seeded-random", "Random operations with kills between them, fixed seeds", "runtime"
    )
    rand.cases.extend(_random(seed).case() for seed in range(20))
    return Suite(
        "runtime",
        "Runtime scenarios through the adapter protocol (ADP-015): operations, kills and "
        "transfers with the reference's answers, step ids and events included.",
        (hand, rand),
    )
