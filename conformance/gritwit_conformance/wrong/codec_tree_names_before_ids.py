"""Wrong adapter: a tree's names are all checked before any of its ids (OBJ-016.3).

Every rule is enforced, but not entry by entry: the decoder validates every
name of ``entries`` first and only then the ids, so a bad name in a later entry
wins over a bad id in an earlier one.
"""

from __future__ import annotations

from gritwit import _codec, _objects
from gritwit._errors import InvalidObject
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-016.3"}),
    "failed",
    "checks every name of a tree's entries before any of its ids, not entry by entry",
    smoke=False,
)

check_tree_entries = _objects.check_tree_entries


def names_first(value: object) -> dict[str, bytes]:
    if type(value) is dict and value:
        for name in value:  # the bug: every name before any id
            if type(name) is not str:
                raise InvalidObject("OBJ-009", f"tree name {name!r:.40} is not text")
            _objects.check_tree_name(name)
    return check_tree_entries(value)


def install() -> None:
    patch(_objects, "check_tree_entries", names_first)
    _codec._FIELD_CHECKS["tree"]["entries"] = _objects.check_tree_entries  # the counted one


if __name__ == "__main__":
    run(ReferenceAdapter, install)
