"""The SQLite backend's ``read_many`` (STO-003.1): the bytes stored under each id asked
for, absent and erased ones left out — the same as its pages (``read_pages``), which the
store reads through, so no adapter answer shows this method alone: its check is here."""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit.runtime import erase_blob
from gritwit.store import Store


@pytest.mark.req("STO-003.1", "RUN-011")
def test_read_many_gives_the_stored_bytes_and_leaves_out_absent_and_erased_ids(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path)
    blobs = [g.Blob(data=bytes([i]) * (i + 10)) for i in range(4)]
    items = [(g.object_id(b), g.encode_object(b)) for b in blobs]
    store.backend.insert_many(items[:3])
    erase_blob(store, items[2][0], "gone")
    asked = [oid for oid, _ in items]
    expected = {items[0][0]: items[0][1], items[1][0]: items[1][1]}
    assert store.backend.read_many(asked) == expected
    paged: dict[g.ObjectId, bytes] = {}
    for page in store.backend.read_pages(asked):
        paged.update(page)
    assert paged == expected
