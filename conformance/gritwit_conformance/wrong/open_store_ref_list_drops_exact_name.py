"""Wrong adapter (open-loop, written from spec/ alone): `ref-list` leaves out the ref whose name
equals the prefix (REF-006).

REF-006: `list_refs(prefix)` returns every ref *starting with* `prefix`, and a name starts with
itself.  A store that lists by an ordered range scan — `WHERE name > ?prefix AND name <
?prefix || '\\xff'`, or a B-tree cursor seeked past the prefix key — uses a strict lower bound
and drops the one ref at the boundary, the name equal to the prefix (`names/a` under prefix
`names/a`), while `names/a/b` and `names/ab` are still listed.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-006"}),
    "failed",
    "ref-list scans names strictly after the prefix: a ref named exactly the prefix "
    "(names/a under prefix names/a) is left out",
)

_EMPTY_BLOB = "a2646461746140647479706564626c6f62"
_EMPTY_BLOB_ID = "1d135ad531cfc97d965a0db1ecf1861fe523ccc8dd25083ef3a24ee0aac3f548"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "store-open", "kind": "memory"},
    {"cmd": "put", "store": "s1", "bytes": _EMPTY_BLOB},
    {"cmd": "ref-cas", "store": "s1", "name": "names/a", "expected": None, "new": _EMPTY_BLOB_ID},
    {"cmd": "ref-cas", "store": "s1", "name": "names/a/b", "expected": None, "new": _EMPTY_BLOB_ID},
    {"cmd": "ref-list", "store": "s1", "prefix": "names/"},
    {"cmd": "ref-list", "store": "s1", "prefix": "names/a"},
    {"cmd": "store-open", "kind": "durable", "path": "{tmp}"},
    {"cmd": "put", "store": "s2", "bytes": _EMPTY_BLOB},
    {"cmd": "ref-cas", "store": "s2", "name": "names/x", "expected": None, "new": _EMPTY_BLOB_ID},
    {"cmd": "ref-list", "store": "s2", "prefix": "names/x"},
]

_reference_list_refs = Store.list_refs


def _list_refs(self: Store, prefix: str = "") -> list[str]:
    """The names strictly after ``prefix`` that start with it: the prefix itself is skipped."""
    return [name for name in _reference_list_refs(self, prefix) if name > prefix]


def install() -> None:
    patch(Store, "list_refs", _list_refs)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
