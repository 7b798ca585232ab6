"""Grouped sends over several of the outside's mailboxes (RUN-019.3, RUN-003.4).

With ``sends: "group"`` (ADP-015) sends join the open group, and its commit swaps *each*
of the outside's mailboxes they touched (RUN-019.3), ``names/outside-outbox/<h>`` for
every digit ``<h>`` of their recipients (RUN-003.4), from the one the first send to touch
it read to the one the last built. Grouped sends were tested to recipients of one digit;
here counters of one, two and three digits get two ``inc`` each, interleaved (each
recipient's first, then each one's second), in one group that the next ``rt-run``
commits. After it answers, each recipient's mailbox names a stored mailbox whose entry
for it is its second ``inc``, chained on its first, chained on its genesis (WIT-004);
each counter read both once; and a restart (a kill where the adapter is a process)
finds all of it durable and nothing pending. An implementation that commits grouped
sends on their own passes too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, fail
from ._forks import genesis_core
from ._multi import outside_ref
from .test_grouped_sends import _count, _counter, _decoded, _inc, _open

pytestmark = pytest.mark.profile("runtime")


def _tags(digits: int) -> list[str]:
    """Tags of counters whose mailboxes (RUN-003.4) are ``digits`` different ones: two
    counters of one digit for 1, else one counter per digit."""
    mailboxes: dict[str, list[str]] = {}
    for tag in (f"{i:02x}" for i in range(256)):
        actor = g.object_id(genesis_core("counter", {"t": tag})).hex()
        mailboxes.setdefault(outside_ref(actor), []).append(tag)
        if digits == 1 and len(mailboxes[outside_ref(actor)]) == 2:
            return mailboxes[outside_ref(actor)]
        if len(mailboxes) == digits:
            return [tags[0] for tags in mailboxes.values()]
    raise AssertionError("256 counters of too few digits")  # pragma: no cover


def _entry(impl: Implementation, rt: str, actor: str) -> str | None:
    """The outside's entry for ``actor`` in its mailbox (RUN-003.4), or ``None``."""
    ref = outside_ref(actor)
    target = call_ok(impl, "ADP-015", "rt-ref", runtime=rt, name=ref)["target"]
    if target is None:
        fail(
            "RUN-003.4",
            expected="a value",
            came=target,
            what=f"{ref} is unset, though {actor} was sent to",
        )
    box = _decoded(impl, rt, str(target))
    if not isinstance(box, g.Mailbox):
        fail(
            "RUN-019.3",
            expected="a mailbox",
            came=box,
            what=f"{ref} names {target}, which is no stored mailbox after the run answered "
            "(RUN-019.3: the group stores the sends' objects with the swaps)",
        )
    strays = [r.hex() for r in box.entries if outside_ref(r.hex()) != ref]
    check(
        "RUN-003.4",
        not strays,
        expected="nothing (empty)",
        came=strays,
        what=f"{ref} holds entries for other digits' recipients",
    )
    entry = box.entries.get(g.ObjectId.from_hex(actor))
    return None if entry is None else entry.hex()


@pytest.mark.req("RUN-019.3", "RUN-019.2", "RUN-003.4", "WIT-004", "ADP-015")
@pytest.mark.parametrize("digits", [1, 2, 3])
@pytest.mark.req("CONV-004")
def test_a_group_swaps_every_mailbox_its_sends_touched(
    impl: Implementation, tmp_path: Path, digits: int
) -> None:
    rt = _open(impl, tmp_path, "group")
    actors = [_counter(impl, rt, tag) for tag in _tags(digits)]
    check_equal("RUN-019.3", digits, len({outside_ref(a) for a in actors}))
    geneses = {a: _entry(impl, rt, a) for a in actors}
    sent: dict[str, list[str]] = {a: [] for a in actors}
    for amount in (1, 10):  # interleaved: every recipient's first, then every second
        for i, actor in enumerate(actors):
            sent[actor].append(_inc(impl, rt, actor, str(amount * (i + 1))))
    ran = call_ok(impl, "RUN-019.3", "rt-run", runtime=rt, max_steps=1000)
    check_equal("RUN-019.3", sorted(actors), sorted(a for a, _ in ran["steps"]))
    for restart in (False, True):
        for i, actor in enumerate(actors):
            first, second = sent[actor]
            entry = _entry(impl, rt, actor)
            check_equal(
                ("RUN-019.3", "RUN-003.4"),
                second,
                entry,
                f"after rt-run answered{' and a restart' if restart else ''}, the outside's "
                f"entry for {actor} in {outside_ref(actor)} is {entry}, not its last send "
                f"{second}: the group swaps each of the {digits} mailboxes its sends "
                "touched, to the one the last of them built",
            )
            chain = _decoded(impl, rt, second), _decoded(impl, rt, first)
            if not isinstance(chain[0], g.Message):
                fail("RUN-019.3", expected="a message", came=chain[0])
            if not isinstance(chain[1], g.Message):
                fail("RUN-019.3", expected="a message", came=chain[1])
            check_equal(
                "WIT-004",
                (
                    g.ObjectId.from_hex(first),
                    None if geneses[actor] is None else g.ObjectId.from_hex(str(geneses[actor])),
                ),
                (chain[0].previous, chain[1].previous),
                f"the sends to {actor} are not chained on its genesis in order",
            )
            check_equal(
                "RUN-019.2",
                11 * (i + 1),
                _count(impl, rt, actor),
                f"{actor} counted {_count(impl, rt, actor)}, not both of its incs once",
            )
        if restart:
            break
        if impl.can_kill:
            impl.kill()
        else:
            call_ok(impl, "RUN-019.3", "rt-close", runtime=rt)
        rt = _open(impl, tmp_path, "group")
        again = call_ok(impl, "RUN-019.3", "rt-run", runtime=rt, max_steps=1000)
        check_equal(
            "RUN-019.3", [], again["steps"], f"after a restart a send was read again: {again}"
        )
    call_ok(impl, "RUN-019.3", "rt-close", runtime=rt)
