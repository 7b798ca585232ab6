"""A message left in a lower level of a chained outbox is routed (WIT-010.1, OBJ-019.1).

The map of an outbox is its levels' entries, the upper replacing the lower (OBJ-019.1),
and what is pending from a sender is read from that map (WIT-005). A ``fanout`` queues
to 257 ids no actor has yet (WIT-009.4), one of them an ``echo``'s to come, then to one
more: past 256 recipients the new outbox is a top of one over the 257 (WIT-009.5), so
the message to the echo stands in the level under the top. When the echo starts, its
first transition reads it and replies. A runtime that reads a chained outbox's top
alone, or none of its levels, never routes it. Each of the fanout's steps is compared
by id and level by level with the chain the rule builds (``_outbox_model.Model``).

In the Wit profile every recipient of an outbox entry is a candidate of each round of
``wit-run`` (ADP-014 step 2), so a chain here stays small: 258 recipients. The limits of
WIT-009.5 on levels under the top are put on both sides in the runtime profile
(``test_outbox_chain.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, fail, suite_premise
from .._outbox_model import SMALL_BASE, Model, fresh_id

pytestmark = pytest.mark.profile("wit")

Raw = dict[str, str]  # text-form recipient -> text-form message id

#: The echo that starts late: its core's id is a recipient of the fanout's first step.
ECHO_STATE = {"n": b"WIT-009.5 lower level"}


def _core_id(name: str, state: dict[str, bytes]) -> str:
    """The id of the core ``wit-genesis`` builds for ``name`` and ``state`` (ADP-014, WIT-002)."""
    wit = g.object_id(g.Blob(data=name.encode(), headers={"runtime": "test-actor"}))
    entries = {"wit": wit, **{k: g.object_id(g.Blob(data=v)) for k, v in state.items()}}
    return g.object_id(g.Tree(entries=entries)).hex()


class WitFanout:
    """A ``fanout`` actor in a Wit runtime (ADP-014), the suite's model of its outbox beside it."""

    def __init__(self, impl: Implementation, tag: str) -> None:
        self.impl = impl
        self.runtime = str(call_ok(impl, "ADP-014", "wit-open")["runtime"])
        made = call_ok(
            impl,
            "ADP-014",
            "wit-genesis",
            runtime=self.runtime,
            actor="fanout",
            state={"tag": tag.encode().hex()},
        )
        self.actor = str(made["actor"])
        self.run([self.actor], "the fanout's genesis")
        self.model = Model()

    def close(self) -> None:
        self.impl.call("wit-close", runtime=self.runtime)

    def run(self, actors: list[str], what: str) -> list[list[str]]:
        """One ``wit-run``; the actors that stepped, in order, checked to be ``actors``."""
        got = call_ok(self.impl, "ADP-014", "wit-run", runtime=self.runtime, max_steps=20)
        steps: list[list[str]] = got["steps"]
        check_equal(
            ("WIT-010.1", "ADP-014"),
            {"stepped": actors, "failures": []},
            {"stepped": [actor for actor, _ in steps], "failures": got["failures"]},
            f"the actors wit-run stepped after {what}",
        )
        return steps

    def obj(self, oid: str) -> g.GritObject:
        found = call_ok(self.impl, "ADP-014", "wit-object", runtime=self.runtime, id=oid)
        return g.decode_object(bytes.fromhex(str(found["bytes"])))

    def head(self, actor: str) -> g.Step:
        step = call_ok(self.impl, "ADP-014", "wit-head", runtime=self.runtime, actor=actor)["step"]
        found = None if step is None else self.obj(str(step))
        if not isinstance(found, g.Step):
            fail("WIT-007.1", expected="a step", came=found, what=f"the head of {actor}")
        return found

    def fan(self, recipients: list[str], why: str) -> None:
        """One ``fanout`` naming ``recipients`` in this order (each once), one run; the
        step's outbox checked against the rule's."""
        listing = {f"{i:06d}": {"blob": r.encode().hex()} for i, r in enumerate(recipients)}
        tree = g.Tree(
            entries={
                name: g.object_id(g.Blob(data=r.encode()))
                for name, r in zip(listing, recipients, strict=True)
            }
        )
        before = self.model.map()
        sets = {}
        for r in recipients:  # WIT-021.1: queued, each after the last message to r
            previous = before.get(r)
            message = g.Message(
                content=g.object_id(tree),
                previous=None if previous is None else g.ObjectId.from_hex(previous),
                headers={"mt": "fanned"},
            )
            sets[r] = g.object_id(message).hex()
        call_ok(
            self.impl,
            "ADP-014",
            "wit-send",
            runtime=self.runtime,
            to=self.actor,
            mt="fanout",
            content={"tree": listing},
        )
        self.run(
            [self.actor],
            f"a fanout to {len(recipients)} recipients, none of them an actor yet (WIT-009.4): "
            "the fanout alone runs",
        )
        expected = self.model.step(sets)
        step = self.head(self.actor)
        got = None if step.outbox is None else step.outbox.hex()
        stored = self._stored(step.outbox)
        check_equal(
            ("WIT-009.5", "WIT-009.1", "ID-004"),
            {"outbox": expected, "own entries, top first": self.model.shape()},
            {"outbox": got, "own entries, top first": [len(level) for level in stored]},
            f"the outbox after a fanout to {len(recipients)} recipients ({why}): a level of at "
            f"most {SMALL_BASE} entries is merged into the top, a larger one when the top has "
            "at least half its entries (2·|C| ≥ |B|); the top holds what changed",
        )
        check_equal(
            ("WIT-009.5", "OBJ-019.1"),
            [entries for _, entries in self.model.levels],
            stored,
            f"the own entries of each mailbox of the outbox, top first ({why})",
        )

    def _stored(self, oid: g.ObjectId | None) -> list[Raw]:
        """The own entries of each mailbox of the chain from ``oid``, top first."""
        found: list[Raw] = []
        while oid is not None and len(found) < 50:
            box = self.obj(oid.hex())
            if not isinstance(box, g.Mailbox):
                fail("OBJ-019.1", expected="a mailbox", came=box, what=f"{oid} in the outbox")
            found.append({r.hex(): m.hex() for r, m in box.entries.items()})
            oid = box.base
        return found


def _fresh_ids(start: int, count: int) -> list[str]:
    return [fresh_id(i) for i in range(start, start + count)]


@pytest.mark.req("WIT-010.1", "WIT-005", "OBJ-019.1", "WIT-009.4", "WIT-012.1", "WIT-019.1")
@pytest.mark.req("ADP-014", "ID-004", "WIT-007.1", "WIT-009.1", "WIT-009.5")  # its checks name them
def test_a_message_in_the_level_under_the_top_is_routed(impl: Implementation) -> None:
    """The fanout queues to 257 recipients, one of them the id of an echo not yet
    started, then to one more: its outbox is a top of one over the 257. The echo then
    starts (wit-genesis): its first transition reads the fanout's message, found in the
    lower level of the fanout's outbox (OBJ-019.1), and replies; the fanout reads the
    reply. A runtime reading only the top (or no level) of a chained outbox loses it."""
    fanout = WitFanout(impl, "routed")
    try:
        echo = _core_id("echo", ECHO_STATE)
        fanout.fan([echo, *_fresh_ids(30_000, SMALL_BASE)], "the echo's id among 257")
        fanout.fan(_fresh_ids(31_000, 1), "257 is not small: a top of one over it")
        suite_premise(
            fanout.model.shape() == [1, SMALL_BASE + 1],
            f"the suite's model keeps a top of one over 257: {fanout.model.shape()}",
        )
        sent = fanout.model.map()[echo]
        made = call_ok(
            impl,
            "ADP-014",
            "wit-genesis",
            runtime=fanout.runtime,
            actor="echo",
            state={k: v.hex() for k, v in ECHO_STATE.items()},
        )
        suite_premise(made["actor"] == echo, f"the echo's id is its core's: {made['actor']}")
        fanout.run(
            [echo, fanout.actor],
            "the echo's genesis: the echo reads the fanout's message and replies",
        )
        step = fanout.head(echo)
        inbox: dict[str, Any] = {}
        if step.inbox is not None:
            box = fanout.obj(step.inbox.hex())
            if isinstance(box, g.Mailbox):
                inbox = {r.hex(): m.hex() for r, m in box.entries.items()}
        check_equal(
            ("WIT-010.1", "OBJ-019.1", "WIT-005"),
            sent,
            inbox.get(fanout.actor),
            "the echo's inbox entry for the fanout after its first transition: the fanout's "
            "message to it, its outbox entry in the level under the top",
        )
    finally:
        fanout.close()
