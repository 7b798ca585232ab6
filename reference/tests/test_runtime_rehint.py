"""A group commit corrects the head hints of its members (RUN-020.1, RUN-017.4).

A pass reads its actors' heads at once; each is a hint its actor's next transition uses
once instead of reading the head (RUN-020.1).  A group committed during the pass moves
its members' heads: an adopted member's head is its step now, and a lost member's head
is unknown — another writer moved it — so its hint is dropped and the head is read
again.  A transition built on a hint that is known stale would lose its compare-and-swap
(RUN-002) and the group holding it with it, one lost group for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import cast

import pytest

import gritwit as g
from gritwit.runtime._group import Member
from gritwit.runtime._hints import HeadHints
from gritwit.runtime._resident import UNREAD


def _id(n: int) -> g.ObjectId:
    return g.ObjectId(bytes([n]) * 32)


def _member(actor: g.ObjectId, step: g.ObjectId) -> Member:
    """A group member of ``actor`` that built ``step`` (all :meth:`HeadHints.rehint` reads)."""
    return cast(Member, SimpleNamespace(actor=actor, built=SimpleNamespace(step_id=step)))


@pytest.mark.req("RUN-020.1", "RUN-017.4", "RUN-002")
def test_a_commit_sets_adopted_members_hints_and_drops_lost_ones() -> None:
    adopted_actor, lost_actor, other = _id(1), _id(2), _id(3)
    hints = HeadHints()
    hints._read = {adopted_actor: _id(11), lost_actor: _id(12), other: _id(13)}
    hints.held = True
    adopted: Sequence[Member] = [_member(adopted_actor, _id(21))]
    lost: Sequence[Member] = [_member(lost_actor, _id(22))]
    hints.rehint(adopted, lost)
    assert hints.take(adopted_actor) == _id(21), "an adopted member's head is its step now"
    got = hints.take(lost_actor)
    assert got is UNREAD, (
        f"a lost member's head is unknown: read again, not the hint read before ({got!r})"
    )
    assert hints.take(other) == _id(13), "a hint of an actor not in the group is kept"
