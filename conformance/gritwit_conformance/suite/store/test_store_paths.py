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
from gritwit_conformance.suite._check import call_ok, check_equal, check_in

pytestmark = pytest.mark.profile("store")

BLOB = g.Blob(data=b"ADP-010.6: this path's store")
OTHER = g.Blob(data=b"ADP-010.6: the other path's store")


def _open(impl: Implementation, path: Path) -> str:
    return str(call_ok(impl, "ADP-010.6", "store-open", kind="durable", path=str(path))["store"])


def _has(impl: Implementation, store: str, obj: g.GritObject) -> bool:
    present = call_ok(impl, "ADP-010.6", "has", store=store, id=g.object_id(obj).hex())["present"]
    check_in("ADP-010.6", present, [True, False], "the present of has")
    return bool(present)


def _holds(impl: Implementation, store: str, what: str, mine: bool, theirs: bool) -> None:
    """The store at ``what`` holds this path's blob (``mine``) and the other's (``theirs``)."""
    check_equal(
        "ADP-010.6",
        [mine, theirs],
        [_has(impl, store, BLOB), _has(impl, store, OTHER)],
        f"[this path's blob present, the other path's blob present] in {what}",
    )


@pytest.mark.req("ADP-010.6", "ADP-010.3", "DUR-001")
def test_each_path_names_one_store(impl: Implementation, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    first, second = _open(impl, one), _open(impl, two)
    call_ok(impl, "ADP-010.6", "put", store=first, bytes=g.encode_object(BLOB).hex())
    call_ok(impl, "ADP-010.6", "put", store=second, bytes=g.encode_object(OTHER).hex())
    _holds(impl, first, "the first path's store", True, False)
    _holds(impl, second, "the second path's store", False, True)
    again = _open(impl, one)  # while the first handle is open
    _holds(impl, again, "the first path opened again", True, False)
    for handle in (first, second, again):
        call_ok(impl, "ADP-010.3", "store-close", store=handle)
    reopened = _open(impl, one)  # after every handle of it was closed
    _holds(impl, reopened, "the first path reopened after a close", True, False)
    impl.kill()  # a new adapter process for what follows (in-process: a new adapter)
    last = _open(impl, two)
    _holds(impl, last, "the second path in a new adapter", False, True)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    empty = _open(impl, fresh)
    _holds(impl, empty, "a fresh path's store", False, False)
    call_ok(impl, "ADP-010.3", "store-close", store=empty)
