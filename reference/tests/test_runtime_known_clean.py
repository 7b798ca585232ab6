"""A blob the runtime's cache knows clean is asked about again once an erasure moved the
count (RUN-011.3).

The cache records the blobs the store said were not erased, as of the store's count of
erasures then, so that a later read of one asks nothing while the count has not moved.
An erasure moves the count: a blob recorded before it may be the one erased, so the
cache's read-ahead (a core's walk, SBX-006.15) must ask the store again about every
held blob rather than trust a record made at another count, and leave out the erased
one, whose own read then fails ``erased``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

import gritwit as g
from gritwit.runtime._cache import ObjectCache


@pytest.mark.req("RUN-011.3", "SBX-006.15")
def test_the_read_ahead_asks_again_about_blobs_known_clean_before_an_erasure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = g.Store.memory()
    blobs = [g.Blob(data=bytes([i]) * 5) for i in range(4)]
    oids = store.put_objects(blobs)
    cache = ObjectCache(store)
    for oid in oids:
        cache.get_object(oid)  # read from the store: held
        cache.get_object(oid)  # held: the store asked, the blob recorded clean at this count
    asked: list[list[g.ObjectId]] = []
    erased_among = g.Store.erased_among

    def counted(self: g.Store, oids: Iterable[g.ObjectId]) -> set[g.ObjectId]:
        asked.append(list(oids))
        return erased_among(self, asked[-1])

    monkeypatch.setattr(g.Store, "erased_among", counted)
    before = cache.read_ahead(oids, 1 << 20)
    assert set(before) == set(oids), "every blob held and not erased is given"
    assert asked == [], "a blob known clean at an unmoved count is not asked about"
    store.backend.erase(oids[1], "test")
    after = cache.read_ahead(oids, 1 << 20)
    assert set(after) == set(oids) - {oids[1]}, (
        "the erased blob is left out of the read-ahead, not taken from the record made "
        f"before the erasure: gave {sorted(oids.index(o) for o in after)}"
    )
    assert all(after[oid] == blobs[oids.index(oid)] for oid in after)
    with pytest.raises(g.GritError) as info:
        cache.get_object(oids[1])
    assert info.value.requirement == "RUN-011", info.value
