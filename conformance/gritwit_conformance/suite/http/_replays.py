"""The runtime's scenarios replayed on a service, and what the reference says of them.

A scenario vector (``vectors/scenarios.json``, ``vectors/runtime.json``) is a list of
operations: geneses, sends, runs, queries, kills. Over HTTP a genesis is ``POST
/v1/actors``, a send ``POST …/messages``, a run ``POST /v1/settle``, a kill a stop and a
start of the service. But a service runs continuously (HTTP-001.1): it may read several
pending messages in one step where ``rt-run``'s rounds read them one run at a time, or
the reverse, so step ids, and anything that depends on when a step ran, are
schedule-dependent. The suite compares only what is not: it replays each vector on the
in-process reference under two opposite schedules — :data:`AS_RECORDED` (the vector's
own runs) and :data:`EACH_AT_ONCE` (a run to quiescence after every genesis and send) —
and holds the service to every outcome on which the two agree: the ids the outside's
sends get, query answers, and for each actor whether it has a head, its head's core,
inbox and outbox (the last message read from and sent to each peer), and its failed
mark. An outcome the two schedules disagree on is left out, and so is the state of an
actor two senders write to, or one downstream of it: two schedules may agree on the
order in which its senders' messages are read where a third does not (scenario
random/seed-51: an updater's code depends on whether a peer's message is read before
or after the outside's).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import gritwit as g
from gritwit_conformance.data._vectors import Vector
from gritwit_conformance.harness._implementation import InProcess

from .._check import suite_premise

__all__ = ["AS_RECORDED", "EACH_AT_ONCE", "Outcomes", "mappable", "reference_outcomes"]

AS_RECORDED: Final = "as-recorded"
EACH_AT_ONCE: Final = "each-at-once"
#: Operations a service can replay; read-only ones (``ref`` …) are left out of the replay.
_REPLAYED: Final = frozenset({"genesis", "send", "run", "query", "kill"})
_IGNORED: Final = frozenset({"ref", "object", "head", "verify", "events", "evict"})
#: Test actors whose transitions take seconds (overruns and retries, RUN-004.10).
_SLOW: Final = frozenset({"slow", "sleepy"})
#: The test actors ``POST /v1/actors`` creates (HTTP-004.3: another name is refused).
_KNOWN: Final = frozenset(
    {"echo", "counter", "fanout", "spawner", "updater", "failing", "budget", "requester"}
)
Json = dict[str, Any]


def mappable(vector: Vector) -> str:
    """Why ``vector`` cannot be replayed over HTTP, or '' when it can."""
    if vector.kind not in ("scenario", "runtime"):
        return "not a scenario"
    created: set[str] = set()
    for op in vector.data["operations"]:
        kind = op["op"]
        if kind not in _REPLAYED | _IGNORED:
            return f"operation {kind}"
        if "on" in op:
            return "two runtimes"
        if kind == "send" and op.get("signal"):
            return "a signal: which queued messages it supersedes depends on the schedule"
        if kind == "genesis" and (op["actor"] in _SLOW or "program" in op or "module" in op):
            return "a slow, Wasm or Python genesis"
        if kind == "genesis" and op["actor"] not in _KNOWN:
            return "a genesis of no test actor (HTTP-004.3 refuses it; rt-genesis sends it)"
        if kind == "genesis":
            key = op["actor"] + repr(sorted(op.get("state", {}).items()))
            if key in created:
                return (
                    "a second genesis of one actor: POST /v1/actors sends it only while the "
                    "actor has no head (HTTP-004.2), which depends on the schedule"
                )
            created.add(key)
    return ""


@dataclass
class Outcomes:
    """What one replay gave: per operation index, and per actor at the end."""

    #: op index → the actor (genesis) or message (send) id.
    ids: dict[int, str] = field(default_factory=dict)
    #: op index → ("data", hex) or ("error", HTTP class).
    queries: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: (actor, what) → value: head (bool), core, inbox, outbox (ids or None), failed (bool).
    final: dict[tuple[str, str], object] = field(default_factory=dict)
    #: (actor, query) → ("data", hex) or ("error", HTTP class) at the end.
    final_queries: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    #: Actors that sent to an actor marked failed: an error receipt from the outside may
    #: reach them (RUN-004.6), or not, depending on when the failure came.
    receivers: set[str] = field(default_factory=set)
    #: Actors whose messages come from two senders or more, and every actor they send to,
    #: directly or not: the order in which two senders' messages are read is the
    #: schedule's, so their state may differ under a third schedule even where the two
    #: the suite replays agree (:func:`interleaved`).
    interleaved: set[str] = field(default_factory=set)

    def agreed(self, other: Outcomes, operations: list[Json]) -> Outcomes:
        """The outcomes ``other`` gives too, less those error receipts may change: the
        schedule-independent ones. A receipt is a message queued from the outside
        (RUN-004.6), so it moves the outside's chain to its recipient (the ids of later
        sends there) and that recipient's inbox and outbox (it reads it, and may reply)."""
        receivers = self.receivers | other.receivers
        mailboxes = {(actor, box) for actor in receivers for box in ("inbox", "outbox")}
        to_receivers = {i for i, op in enumerate(operations) if op.get("to") in receivers}
        mixed = self.interleaved | other.interleaved
        mailboxes |= {(a, what) for a in mixed for what in ("core", "inbox", "outbox", "failed")}
        mixed_queries = {i for i, op in enumerate(operations) if op.get("actor") in mixed}
        return Outcomes(
            {k: v for k, v in self.ids.items() if other.ids.get(k) == v and k not in to_receivers},
            {
                k: v
                for k, v in self.queries.items()
                if other.queries.get(k) == v and k not in mixed_queries
            },
            {
                k: v
                for k, v in self.final.items()
                if k in other.final and other.final[k] == v and k not in mailboxes
            },
            {
                k: v
                for k, v in self.final_queries.items()
                if other.final_queries.get(k) == v and k[0] not in mixed
            },
            receivers,
            mixed,
        )


def interleaved(senders: dict[str, set[str]], sent_to: dict[str, set[str]]) -> set[str]:
    """The actors whose state depends on how two senders' messages interleave: those
    with two senders or more (an actor sending to itself is one of them), and, because
    what they send may then differ, every actor downstream of them."""
    mixed = {actor for actor, peers in senders.items() if len(peers) >= 2}
    frontier = list(mixed)
    while frontier:
        for peer in sent_to.get(frontier.pop(), set()):
            if peer not in mixed:
                mixed.add(peer)
                frontier.append(peer)
    return mixed


def actors_of(operations: list[Json], ids: dict[int, str]) -> list[str]:
    named = {ids[i] for i, op in enumerate(operations) if op["op"] == "genesis" and i in ids}
    named |= {op["to"] for op in operations if op["op"] == "send"}
    named |= {op["actor"] for op in operations if op["op"] == "query"}
    return sorted(named)


def query_names(operations: list[Json]) -> list[tuple[str, str]]:
    return sorted({(op["actor"], op["name"]) for op in operations if op["op"] == "query"})


def http_class(adapter_class: str) -> str:
    """The class a service answers for a query the adapter refuses: ``rt-query`` of an
    actor without a step is ``bad-request`` (ADP-014), over HTTP ``not-found`` (HTTP-006.3)."""
    return "not-found" if adapter_class == "bad-request" else adapter_class


class _Reference:
    """The in-process reference's runtime on a fresh directory."""

    def __init__(self, top: Path) -> None:
        self.impl = InProcess()
        top.mkdir(parents=True)
        opened = self.impl.call("rt-open", path=str(top), first_delay=0)
        suite_premise(opened.ok, f"the reference opens a runtime ({opened})")
        self.runtime = str(opened.result.get("runtime"))

    def __call__(self, cmd: str, **args: Any) -> Json:
        reply = self.impl.call(cmd, runtime=self.runtime, **args)
        return {"ok": True, **reply.result} if reply.ok else {"ok": False, **reply.error}

    def run_out(self) -> None:
        for _ in range(100):
            if self("rt-run", max_steps=10_000)["quiescent"]:
                return
        raise AssertionError("the reference never became quiescent")

    def query(self, actor: str, name: str) -> tuple[str, str]:
        reply = self("rt-query", actor=actor, name=name)
        return ("data", reply["data"]) if reply["ok"] else ("error", http_class(reply["class"]))

    def close(self) -> None:
        self.impl.call("rt-close", runtime=self.runtime)
        self.impl.close()


def reference_outcomes(vector: Vector, top: Path, schedule: str) -> Outcomes:
    """Replay ``vector`` on the reference under ``schedule``; every outcome it gives."""
    operations: list[Json] = vector.data["operations"]
    ref = _Reference(top)
    out = Outcomes()
    try:
        for index, op in enumerate(operations):
            kind = op["op"]
            if kind == "genesis":
                out.ids[index] = str(
                    ref("rt-genesis", actor=op["actor"], state=op.get("state", {}))["actor"]
                )
            elif kind == "send":
                args = {k: op[k] for k in ("to", "content", "mt", "signal") if k in op}
                out.ids[index] = str(ref("rt-send", **args)["message"])
            elif kind == "run" and schedule == AS_RECORDED:
                ref("rt-run", max_steps=op["max_steps"])
            elif kind == "query":
                out.queries[index] = ref.query(op["actor"], op["name"])
            if schedule == EACH_AT_ONCE and kind in ("genesis", "send"):
                ref.run_out()
        ref.run_out()
        sent_to: dict[str, set[str]] = {}
        senders: dict[str, set[str]] = {}
        for actor in actors_of(operations, out.ids):
            head = ref("rt-head", actor=actor)["step"]
            step: dict[str, Any] | None = None
            if head is not None:
                encoded = bytes.fromhex(ref("rt-object", id=head)["bytes"])
                step = g.object_to_json(g.decode_object(encoded))
            failed = ref("rt-ref", name=f"names/failed/{actor}")["target"]
            record(out, actor, step, failed is not None)
            if step is not None and step["outbox"] is not None:
                outbox = bytes.fromhex(ref("rt-object", id=step["outbox"])["bytes"])
                sent_to[actor] = set(g.object_to_json(g.decode_object(outbox))["entries"])
            if step is not None and step["inbox"] is not None:
                inbox = bytes.fromhex(ref("rt-object", id=step["inbox"])["bytes"])
                senders[actor] = set(g.object_to_json(g.decode_object(inbox))["entries"])
        failed_actors = {a for (a, what), v in out.final.items() if what == "failed" and v}
        out.receivers = {a for a, peers in sent_to.items() if peers & failed_actors}
        out.interleaved = interleaved(senders, sent_to)
        for actor, name in query_names(operations):
            out.final_queries[actor, name] = ref.query(actor, name)
    finally:
        ref.close()
    return out


def record(out: Outcomes, actor: str, step: dict[str, Any] | None, failed: bool) -> None:
    """An actor's end state: whether it has a head, its head step's core and mailboxes
    (``step``: the head's JSON description, OBJ-018), and whether it is marked failed."""
    out.final[actor, "head"] = step is not None
    for what in ("core", "inbox", "outbox"):
        out.final[actor, what] = None if step is None else step[what]
    out.final[actor, "failed"] = failed


def differences(expected: Outcomes, got: Outcomes) -> Iterator[str]:
    """Each outcome of ``expected`` that ``got`` does not give, in words."""
    for index, value in expected.ids.items():
        if got.ids.get(index) != value:
            yield f"operation {index}: id {got.ids.get(index)}, the reference's {value}"
    for index, answer in expected.queries.items():
        if got.queries.get(index) != answer:
            yield f"operation {index} (query): {got.queries.get(index)}, the reference's {answer}"
    for (actor, what), state in expected.final.items():
        if got.final.get((actor, what)) != state:
            found = got.final.get((actor, what))
            yield f"at the end, {what} of {actor[:12]}…: {found}, the reference's {state}"
    for (actor, name), answer in expected.final_queries.items():
        if got.final_queries.get((actor, name)) != answer:
            yield (
                f"at the end, query {name} of {actor[:12]}…: "
                f"{got.final_queries.get((actor, name))}, the reference's {answer}"
            )
