"""A PostgreSQL store's handle learns the store's count of erasures with each ref it
reads and each erasure it makes, another writer's erasures counted too (DUR-005.4,
RUN-011.3).

A process that learned a blob was not erased while the count was ``n`` knows it still
is not while the count is ``n`` (DUR-005.4): the reference reads the count in the same
statement as each ref (``get_ref``, ``get_refs``) and takes it back from its own
erasure, so a transition's cached blobs are checked against every erasure, however
made, that returned before its head was read (RUN-011.3).  ``get_refs`` asks a page of
names at a time; the names set at the first name of each page are found too (REF-005).
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit.store import Store
from gritwit.store._postgres import _REFS_PAGE, PostgresBackend


def _erase(store: Store, oid: g.ObjectId, reason: str) -> bool:
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    return backend.erase(oid, reason)


@pytest.mark.req("DUR-005.4", "RUN-011.3", "REF-005")
def test_each_ref_read_and_erasure_learns_the_count_another_writer_moved(
    two: tuple[Store, Store],
) -> None:
    store, other = two
    blobs = [store.put_object(g.Blob(data=b"erasable %d" % i)) for i in range(5)]
    store.cas_ref("names/kept", None, blobs[0])
    assert store.get_ref("names/kept") == blobs[0] and store.erasures() == 0, (
        f"DUR-005.4: a new store's count of erasures, read with a ref, is 0: {store.erasures()}"
    )
    assert _erase(other, blobs[1], "erased elsewhere"), "RUN-011.2: the other writer erased it"
    assert store.erasures() == 0, (
        f"DUR-005.4: the count as last read, nothing read since: 0, not {store.erasures()}"
    )
    assert store.get_ref("names/kept") == blobs[0] and store.erasures() == 1, (
        "DUR-005.4, RUN-011.3: get_ref reads the count the other writer's erasure moved"
        f" to 1; the handle holds {store.erasures()}"
    )
    assert _erase(other, blobs[2], "erased elsewhere again")
    found = store.get_refs(["names/kept", "names/unset"])
    assert found == {"names/kept": blobs[0]} and store.erasures() == 2, (
        "REF-005, DUR-005.4: get_refs finds the set ref and reads the count moved to 2;"
        f" found {found}, count {store.erasures()}"
    )
    assert _erase(other, blobs[3], "a third")
    assert _erase(store, blobs[4], "erased here"), "RUN-011.2: this handle erased its own"
    assert store.erasures() == 4, (
        "DUR-005.4, RUN-011.3: an erasure takes the count back, the other writer's three"
        f" and its own: 4, not {store.erasures()}"
    )
    assert not _erase(store, blobs[4], "again") and store.erasures() == 4, (
        f"RUN-011.2: an erased blob is not erased again, the count stays 4: {store.erasures()}"
    )


@pytest.mark.req("REF-005", "DUR-005.4")
def test_get_refs_finds_the_first_name_of_each_page(pg_url: str) -> None:
    with Store.open(pg_url) as store:
        target = store.put_object(g.Blob(data=b"paged"))
        names = [f"names/paged/{i:05d}" for i in range(_REFS_PAGE + 1)]
        for name in (names[0], names[_REFS_PAGE]):
            store.cas_ref(name, None, target)
        found = store.get_refs(names)
        assert found == {names[0]: target, names[_REFS_PAGE]: target}, (
            f"REF-005: of {len(names)} names, {_REFS_PAGE} a statement, the two set (the"
            f" first of each page) are found, the rest unset; found {sorted(found or {})}"
        )
