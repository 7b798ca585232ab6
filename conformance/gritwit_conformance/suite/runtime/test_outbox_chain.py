"""The outbox an implementation stores, step after step, against WIT-009.5's rule.

A ``fanout`` actor (WIT-021) queues to ids no actor has (WIT-009.4), a chosen number of
fresh ones a step; after each step the suite reads the actor's head and every mailbox of
its outbox's ``base`` chain through ``rt-object``, and compares them with the outbox the
rule builds, computed here from the spec: *D* (the entries that changed), then merged
down while the base has at most 256 entries or the top at least half the base's, the
union at most 65,536 (WIT-009.6).  The expected mailbox's id is the step's ``outbox``
(ID-004: equal histories give equal ids), so a chain that stands for the right map but
was built otherwise fails too.

The steps put each limit on both sides: a base of 256 merges a top of one, one of 257
does not; a top of 128 stays over a base of 257 and one of 129 merges into it, and a top
of 193 merges into a base of 386 (exactly half); a message to a recipient in a lower
level chains from that level's entry (WIT-005 reads the map, OBJ-019.1).  The heavy
form: a union of 65,536 merges, one of 65,537 does not.  An inbox is never such a
chain: past 256 senders it stays one mailbox (WIT-008.4).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, fail, suite_premise
from .._outbox_model import SMALL_BASE, Model, fresh_id
from ._forks import Rt, genesis

pytestmark = pytest.mark.profile("runtime")

Json = dict[str, Any]
Raw = dict[str, str]  # text-form recipient -> text-form message id


class Fanout:
    """A ``fanout`` actor in a runtime, the suite's model of its outbox beside it."""

    def __init__(self, rt: Rt, tag: str) -> None:
        self.rt = rt
        self.actor = genesis(rt, "fanout", {"tag": tag})
        rt.run()
        self.model = Model()

    def fan(self, recipients: list[str]) -> None:
        """One ``fanout`` naming ``recipients`` (each once), one run; the step checked."""
        listing = {f"{i:06d}": {"blob": r.encode().hex()} for i, r in enumerate(recipients)}
        tree = g.Tree(
            entries={
                name: g.object_id(g.Blob(data=r.encode()))
                for name, r in zip(listing, recipients, strict=True)
            }
        )
        content = g.object_id(tree)
        before = self.model.map()
        sets = {}
        for r in recipients:  # WIT-021.1: queued, each after the last message to r
            previous = before.get(r)
            message = g.Message(
                content=content,
                previous=None if previous is None else g.ObjectId.from_hex(previous),
                headers={"mt": "fanned"},
            )
            sets[r] = g.object_id(message).hex()
        self.actor.send("fanout", {"tree": listing})
        self.rt.run(max_steps=10)
        expected = self.model.step(sets)
        self.check_outbox(expected)

    def check_outbox(self, expected: str | None) -> None:
        head = self.rt.head(self.actor.actor)
        if head is None:
            fail("OBJ-019.1", expected="a value", came=head, what="the head")
        step = self.rt.step(head)
        got = None if step.outbox is None else step.outbox.hex()
        stored = self._stored(step.outbox)
        check_equal(
            ("WIT-009.5", "WIT-009.6"),
            expected,
            got,
            f"the step's outbox is {got}, a chain of {[len(e) for e in stored]} own entries "
            f"(top first); WIT-009.5 builds {expected}, a chain of {self.model.shape()}: a "
            "base of at most 256 entries is merged into the top, a larger one when the top "
            "has at least half its entries (2·|C| ≥ |B|), the union at most 65,536",
        )
        check_equal(
            "WIT-009.5",
            [entries for _, entries in self.model.levels],
            stored,
            "the outbox's mailboxes read through rt-object differ from WIT-009.5's",
        )

    def _stored(self, oid: g.ObjectId | None) -> list[Raw]:
        """The own entries of each mailbox of the chain from ``oid``, top first."""
        found: list[Raw] = []
        while oid is not None and len(found) < 200:
            box = self.rt.obj(oid)
            if not isinstance(box, g.Mailbox):
                fail(
                    "OBJ-019.1",
                    expected="a mailbox",
                    came=box,
                    what=f"{oid} (an outbox or its base) is not a mailbox",
                )
            found.append({r.hex(): m.hex() for r, m in box.entries.items()})
            oid = box.base
        return found


@pytest.mark.req("WIT-009.5", "WIT-009.6", "WIT-009.4", "WIT-009.1", "WIT-005", "OBJ-019.1")
def test_the_stored_outbox_is_the_chain_the_rule_builds(
    impl: Implementation, tmp_path: Path
) -> None:
    """Steps of 256, 1, 1, 127, 1, 193 fresh recipients, then two to old recipients.

    Expected chains (own entries, top first): [256], [257] (a base of 256 merges a top of
    one), [1, 257] (257 does not), [128, 257] (the 1 merges into the 128; 2·128 < 257),
    [386] (129 merges into 257), [579] (193 into 386: exactly half), [1, 579] and [2, 579]
    (second messages to recipients written at the first step, the second found in the
    level under the top: each chained from the map's entry, OBJ-019.1).  Every
    merge here is far below WIT-009.6's cap, so none may be refused for it; every
    recipient ever written to stays in the map (WIT-009.4).
    """
    rt = Rt(impl, tmp_path / "rt", clause="WIT-009.5")
    try:
        fanout = Fanout(rt, "01")
        fresh = iter(range(10_000))
        for count in (256, 1, 1, 127, 1, 193):
            fanout.fan([fresh_id(next(fresh)) for _ in range(count)])
        check_equal(
            "WIT-009.5", [579], fanout.model.shape(), "fanout's model shape"
        )  # the suite's own model
        fanout.fan([fresh_id(3)])  # written at the first step: in the base now
        check_equal("WIT-009.5", [1, 579], fanout.model.shape(), "fanout's model shape")
        fanout.fan([fresh_id(4)])  # in the level under the top: its entry is the chain's
        check_equal("WIT-009.5", [2, 579], fanout.model.shape(), "fanout's model shape")
    finally:
        rt.close()


@pytest.mark.req("WIT-009.5", "WIT-009.1", "WIT-009.4", "ID-004", "ENC-010", "OBJ-019.1")
@pytest.mark.req("WIT-009.6")  # its checks name the cap too
def test_a_level_of_256_under_the_top_merges_and_one_of_257_does_not(
    impl: Implementation, tmp_path: Path
) -> None:
    """Steps of 600, 256, 1, 2, 8 and 9 recipients (the last five of them written at
    the first step).

    Expected chains (own entries, top first): [600], [256, 600] (2·256 < 600), [257, 600]
    (the level of 256 stands under a top of one, not as the last outbox alone: small, it
    is merged whatever the top), [2, 257, 600] (a level of 257 keeps a top of two, its
    entries in canonical order, ENC-010, although queued in the other order), [10, 257,
    600] (eight over three levels), [19, 257, 600] (nine, the new top exactly what
    changed and what it absorbed, WIT-009.1; the old five chained from the bottom
    level's entries, OBJ-019.1).
    """
    rt = Rt(impl, tmp_path / "rt", clause="WIT-009.5")
    try:
        fanout = Fanout(rt, "02")
        fanout.fan([fresh_id(i) for i in range(20_000, 20_600)])
        fanout.fan([fresh_id(i) for i in range(21_000, 21_000 + SMALL_BASE)])
        suite_premise(fanout.model.shape() == [256, 600], f"the model: {fanout.model.shape()}")
        fanout.fan([fresh_id(22_000)])
        suite_premise(fanout.model.shape() == [257, 600], f"the model: {fanout.model.shape()}")
        fanout.fan(sorted((fresh_id(23_000), fresh_id(23_001)), reverse=True))
        suite_premise(fanout.model.shape() == [2, 257, 600], f"the model: {fanout.model.shape()}")
        fanout.fan([fresh_id(i) for i in range(24_000, 24_008)])
        old = [fresh_id(i) for i in range(20_000, 20_005)]  # in the bottom level
        fanout.fan([*old, *(fresh_id(i) for i in range(25_000, 25_004))])
        suite_premise(fanout.model.shape() == [19, 257, 600], f"the model: {fanout.model.shape()}")
    finally:
        rt.close()


@pytest.mark.slow
@pytest.mark.req("WIT-008.4", "WIT-002", "WIT-005")
def test_an_inbox_past_256_senders_stays_one_mailbox(impl: Implementation, tmp_path: Path) -> None:
    """A ``fanout`` fans out to 257 ``echo`` actors, each of which replies to it: its
    inbox then holds 258 senders (the outside among them).  One more message from the
    outside changes one entry, in one step: the inbox is still one mailbox without
    ``base``, with all 258 entries (WIT-008.4), where WIT-009.5's rule would make a top of
    one over it."""
    rt = Rt(impl, tmp_path / "rt", clause="WIT-008.4")
    try:
        echoes = [genesis(rt, "echo", {"tag": f"{i:04x}"}).actor for i in range(SMALL_BASE + 1)]
        fanout = genesis(rt, "fanout", {"tag": "01"})
        rt.run(max_steps=2000)
        listing = {f"{i:06d}": {"blob": e.encode().hex()} for i, e in enumerate(echoes)}
        fanout.send("fanout", {"tree": listing})
        rt.run(max_steps=2000)  # each echo replies; the fanout reads every reply
        fanout.send("fanout", {"blob": ""})  # not a tree: read without effect (WIT-021.1)
        steps = rt.run(max_steps=10)["steps"]
        head = rt.head(fanout.actor)
        if head is None:
            fail(
                "WIT-005",
                expected="a value",
                came=head,
                what=f"one message was pending, for the fanout alone: one step, not {steps} (an "
                "inbox that lost its senders' entries reads their messages again, WIT-005)",
            )
        check_equal(
            "WIT-005",
            [[fanout.actor, head]],
            steps,
            f"one message was pending, for the fanout alone: one step, not {steps} (an "
            "inbox that lost its senders' entries reads their messages again, WIT-005)",
        )
        inbox = rt.step(head).inbox
        if inbox is None:
            fail("WIT-008.4", expected="a value", came=inbox, what="the inbox")
        box = rt.obj(inbox)
        if not isinstance(box, g.Mailbox):
            fail("WIT-008.4", expected="a mailbox", came=box, what="the box")
        check(
            "WIT-008.4",
            box.base is None,
            expected="nothing (null)",
            came=box.base,
            what=f"the fanout's inbox has {len(box.entries)} own entries and base {box.base}: an "
            f"inbox is one mailbox without base, here of {SMALL_BASE + 2} senders "
            "(257 echo actors and the outside)",
        )
        check_equal(
            "WIT-008.4",
            SMALL_BASE + 2,
            len(box.entries),
            f"the fanout's inbox has {len(box.entries)} own entries and base {box.base}: an "
            f"inbox is one mailbox without base, here of {SMALL_BASE + 2} senders "
            "(257 echo actors and the outside)",
        )
    finally:
        rt.close()
