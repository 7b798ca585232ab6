"""A PostgreSQL store lists every stored id once, in byte order, across its keyset pages
(ID-005, DUR-005): what ``gritwit verify`` re-hashes (DUR-002.1).

The ids are read a page of :data:`gritwit.store._pg_pages._ID_PAGE` at a time, each page
after the last id of the one before; a page shorter than that is the last.  Only the
command line's ``verify`` (and the Python API) lists the ids, so these are checked here:
at exactly one full page, where the last id of the page is the key of an empty next
page, and at one id more, where a full page is not the last.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit.store import Store, _pg_pages

PAGE = _pg_pages._ID_PAGE


def _blobs(first: int, count: int) -> list[g.Blob]:
    return [g.Blob(data=b"listed %d" % i) for i in range(first, first + count)]


@pytest.mark.req("ID-005", "DUR-005", "DUR-002.1")
def test_the_ids_are_listed_once_in_byte_order_at_both_edges_of_a_page(pg_url: str) -> None:
    with Store.open(pg_url) as store:
        stored = store.put_objects(_blobs(0, PAGE))
        listed = list(store.iter_ids())
        assert len(listed) == PAGE and listed == sorted(stored, key=lambda oid: oid.digest), (
            f"ID-005: {PAGE} ids (one full page) listed once each in byte order;"
            f" {len(listed)} listed, {len(set(listed))} distinct"
        )
        stored += store.put_objects(_blobs(PAGE, 1))
        listed = list(store.iter_ids())
        assert len(listed) == PAGE + 1 and listed == sorted(stored, key=lambda oid: oid.digest), (
            f"ID-005: {PAGE + 1} ids (a full page and one more) listed once each in byte"
            f" order; {len(listed)} listed, {len(set(listed))} distinct"
        )
        report = store.verify()
        assert report.ok and report.objects == PAGE + 1, (
            f"DUR-002.1: verify re-hashed all {PAGE + 1} objects, found none corrupt: {report}"
        )
