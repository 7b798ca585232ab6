"""Grouped sends over two of the outside's mailboxes, one overtaken by another writer
(RUN-019.3, RUN-019.4, RUN-002.4, RUN-003.4).

Runtime ``a`` (``sends: "group"``, ADP-015) sends ``inc 5`` to two counters whose
outside's mailboxes differ (RUN-003.4); before ``a``'s next ``rt-run`` commits them,
runtime ``b`` on the same store sends ``inc 7`` on its own to one of the two: the first
mailbox in name order, or the second. ``a``'s group swaps both mailboxes all or none
(RUN-019.3): the swap that loses takes back the one made before it in the group, and
both sends are made again, chained from the winner's mailboxes, before the run answers
(RUN-019.4, RUN-002.4). Each message is then read exactly once: the overtaken counter
counts 12, the other 5, and each one's chain from the outside holds its genesis and its
sends once each. A runtime that kept the swap made before the lost one sends that
mailbox's message twice (the other counter counts 10); one that lost the sends made
again, or stored their swaps without their objects, loses a message. An implementation
that commits grouped sends on their own chains ``b``'s send after ``a``'s: right too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, check_type
from ._forks import genesis_core
from ._multi import outside_ref
from .test_grouped_sends import _count, _counter, _decoded, _inc, _kept_elsewhere, _open

pytestmark = pytest.mark.profile("runtime")

_AMOUNTS = {g.object_id(g.Blob(data=x)): x for x in (b"5", b"7")}


def _two_tags() -> tuple[str, str]:
    """Tags of two counters whose outside's mailboxes differ (RUN-003.4), the one of the
    lower mailbox name first."""
    seen: dict[str, str] = {}
    for tag in (f"{i:02x}" for i in range(256)):
        ref = outside_ref(g.object_id(genesis_core("counter", {"t": tag})).hex())
        seen.setdefault(ref, tag)
        if len(seen) == 2:
            low, high = sorted(seen)
            return seen[low], seen[high]
    raise AssertionError("256 counters of one digit")  # pragma: no cover


def _chain(impl: Implementation, rt: str, actor: str) -> list[g.Message]:
    """The outside's messages to ``actor``, last first, from its mailbox's entry back."""
    at = call_ok(impl, "RUN-003.4", "rt-ref", runtime=rt, name=outside_ref(actor))["target"]
    if at is None:
        return []
    box = check_type(
        "RUN-019.3",
        _decoded(impl, rt, str(at)),
        g.Mailbox,
        expected=f"{outside_ref(actor)} naming a stored mailbox after the run answered",
    )
    chain: list[g.Message] = []
    entry = box.entries.get(g.ObjectId.from_hex(actor))
    while entry is not None:
        message = check_type(
            ("RUN-019.3", "WIT-004"),
            _decoded(impl, rt, entry.hex()),
            g.Message,
            expected=f"{entry.hex()} in the outside's chain to {actor} a stored message",
        )
        chain.append(message)
        entry = message.previous
    return chain


@pytest.mark.req("RUN-019.3", "RUN-019.4", "RUN-002.4", "RUN-003.4", "WIT-004", "ADP-015")
@pytest.mark.parametrize("overtaken", [0, 1], ids=["first-mailbox", "second-mailbox"])
@pytest.mark.req("CONV-004")
def test_a_group_overtaken_on_one_of_two_mailboxes_sends_each_message_once(
    impl: Implementation, tmp_path: Path, overtaken: int
) -> None:
    a = _open(impl, tmp_path, "group")
    b = _open(impl, tmp_path, "own")
    actors = [_counter(impl, a, tag) for tag in _two_tags()]
    mine = [_inc(impl, a, actor, "5") for actor in actors]  # joined a's open group
    theirs = _inc(impl, b, actors[overtaken], "7")  # b's send moves that mailbox first
    ran = call_ok(impl, "RUN-019.4", "rt-run", runtime=a, max_steps=1000)
    check_equal(
        "RUN-019.4",
        sorted(actors),
        sorted(actor for actor, _ in ran["steps"]),
        "the actors a's run stepped (each has a message pending)",
    )
    for i, actor in enumerate(actors):
        want = 12 if i == overtaken else 5
        check_equal(
            ("RUN-019.4", "RUN-019.3"),
            want,
            _count(impl, a, actor),
            f"the count of the counter {actor} ({'overtaken by b' if i == overtaken else 'not'}"
            f" overtaken): each message sent once, a's grouped send of 5 to it made again "
            "after the lost swap, and not twice (a mailbox swapped before the lost one "
            "stays taken back: the group swaps all or none)",
        )
        chain = _chain(impl, a, actor)
        if not chain:
            _kept_elsewhere(impl, a, actor, mine[i])
        contents = sorted(_AMOUNTS.get(m.content, b"?") for m in chain[:-1])
        check(
            ("RUN-019.4", "RUN-002.4", "WIT-004"),
            len(chain) == (3 if i == overtaken else 2)
            and contents == ([b"5", b"7"] if i == overtaken else [b"5"]),
            expected=f"the outside's chain to {actor} its genesis, then "
            + ("a's and b's sends once each" if i == overtaken else "a's send once"),
            came=f"a chain of {len(chain)} messages, contents {contents} after the genesis",
        )
        if i == overtaken:
            check(
                "RUN-002.4",
                theirs in [g.object_id(m).hex() for m in chain],
                expected=f"b's send {theirs} kept in the chain to {actor}: the winner's "
                "mailbox is never overwritten",
                came=f"the chain {[g.object_id(m).hex() for m in chain]}",
            )
    again = call_ok(impl, "RUN-019.4", "rt-run", runtime=b, max_steps=10)
    check_equal("RUN-019.4", [], again["steps"], "the steps of b's run (nothing left pending)")
    check_equal(
        "RUN-019.4",
        [12 if i == overtaken else 5 for i in range(2)],
        [_count(impl, b, actor) for actor in actors],
        "the counts b reads",
    )
