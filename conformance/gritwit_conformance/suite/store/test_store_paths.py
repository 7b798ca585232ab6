"""One ``path``, one durable store; a new directory, a new empty store (ADP-010.6).

An implementation may keep the store of a ``path`` outside the directory (a database
server, DUR-005), but the directory still names it.  These tests open two new
directories and check the stores are apart, then open one path a second time while
the first handle is open, after ``store-close``, and in a new adapter process, and
check each open finds the same store.  A store kept by a server and named by anything
but the path — one schema for every path, a new one at every open — fails them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

pytestmark = pytest.mark.profile("store")

BLOB = g.Blob(data=b"ADP-010.6: this path's store")
OTHER = g.Blob(data=b"ADP-010.6: the other path's store")


def _open(impl: Implementation, path: Path) -> str:
    return str(impl.call("store-open", kind="durable", path=str(path)).expect_ok()["store"])


def _has(impl: Implementation, store: str, obj: g.GritObject) -> bool:
    present = impl.call("has", store=store, id=g.object_id(obj).hex()).expect_ok()["present"]
    assert isinstance(present, bool)
    return present


@pytest.mark.req("ADP-010.6", "ADP-010.3", "DUR-001")
def test_each_path_names_one_store(impl: Implementation, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first, second = _open(impl, one), _open(impl, two)
    impl.call("put", store=first, bytes=g.encode_object(BLOB).hex()).expect_ok()
    impl.call("put", store=second, bytes=g.encode_object(OTHER).hex()).expect_ok()
    assert (_has(impl, first, BLOB), _has(impl, first, OTHER)) == (True, False)
    assert (_has(impl, second, BLOB), _has(impl, second, OTHER)) == (False, True)
    again = _open(impl, one)  # while the first handle is open
    assert (_has(impl, again, BLOB), _has(impl, again, OTHER)) == (True, False)
    for handle in (first, second, again):
        impl.call("store-close", store=handle).expect_ok()
    reopened = _open(impl, one)  # after every handle of it was closed
    assert _has(impl, reopened, BLOB) and not _has(impl, reopened, OTHER)
    impl.kill()  # a new adapter process for what follows (in-process: a new adapter)
    last = _open(impl, two)
    assert _has(impl, last, OTHER) and not _has(impl, last, BLOB)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    empty = _open(impl, fresh)
    assert not _has(impl, empty, BLOB) and not _has(impl, empty, OTHER)
    impl.call("store-close", store=empty).expect_ok()
