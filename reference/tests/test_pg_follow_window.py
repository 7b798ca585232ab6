"""The journal read a commit carries, at the edges of the kept window (RUN-020.7,
RUN-003.1, DUR-005.4): ``store/_pg_follow.py``.

A part's journal keeps its last ``JOURNAL_KEPT`` swaps, and is pruned every
``JOURNAL_PRUNE_EVERY`` swaps (lowered here to 8 and 2).  A read after a version
behind by more swaps than the pruning interval but no more than the kept ones finds
every swap since; one behind by more than the kept ones is answered unknown (the refs
listed), never as a part with nothing new.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit.store import Store, _postgres


def _commit_following(store: Store, version: object, tag: bytes) -> object:
    """A write of ``store`` that carries the journal read after ``version`` along; its
    answer's swaps."""
    assert store.follow_journal(version, store.erasures())  # type: ignore[arg-type]
    blob = g.Blob(data=b"own write " + tag)
    oid = g.object_id(blob)
    assert store.commit_all(
        [(g.encode_object(blob), oid)], [(f"names/own-{tag.decode()}", None, oid, blob)]
    )
    answer = store.followed()
    assert answer is not None, "the write carried the journal read along"
    return answer[1]


@pytest.mark.req("RUN-020.7", "RUN-003.1", "DUR-005.4")
def test_a_commits_read_finds_every_swap_in_the_window_and_none_past_it(
    two: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer swaps one ref four times after ``version`` (more than the pruning
    interval of 2, fewer than the 8 kept): the read a commit carries after ``version``
    has the four swaps, in order.  Ten more swaps later (past the 8 kept), the read
    after ``version`` is unknown."""
    monkeypatch.setattr(_postgres, "JOURNAL_KEPT", 8)
    monkeypatch.setattr(_postgres, "JOURNAL_PRUNE_EVERY", 2)
    store, other = two
    targets = [other.put_object(g.Blob(data=b"target %d" % i)) for i in range(14)]
    version, _ = store.refs_changed_since(None)
    previous = None
    for target in targets[:4]:
        assert other.backend.cas_ref("names/moving", previous, target).status.name == "SWAPPED"
        previous = target

    swaps = _commit_following(store, version, b"within")
    assert isinstance(swaps, list), "RUN-020.7: a version within the kept window is answered"
    moved = [swap for swap in swaps if swap[0] == "names/moving"]
    assert moved == [("names/moving", t) for t in targets[:4]], (
        "RUN-020.7: every swap after a version within the kept window is read, in order"
    )

    for target in targets[4:]:
        assert other.backend.cas_ref("names/moving", previous, target).status.name == "SWAPPED"
        previous = target
    assert _commit_following(store, version, b"past") is None, (
        "RUN-003.1: a version behind the kept window is answered unknown (the refs listed)"
    )
