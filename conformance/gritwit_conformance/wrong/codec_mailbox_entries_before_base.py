"""Wrong adapter: a mailbox's ``entries`` are checked before its ``base`` (OBJ-016.2).

Every rule is enforced, but in the order the fields were added to the type rather than
in the canonical order of their keys, where ``"base"`` comes first: a mailbox with a bad
base and bad entries reports the entries' class.
"""

from __future__ import annotations

from typing import Any

from gritwit import _codec, _json
from gritwit._objects import check_mailbox_entries
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-016.2"}),
    "failed",
    "checks a mailbox's entries before its base, not in canonical key order",
)

_from_value = _codec._from_value


def entries_first(value: Any) -> Any:
    if (
        type(value) is dict
        and value.get("type") == "mailbox"
        and value.keys() == {"type", "entries", "base"}
        and value["entries"] is not None
    ):
        check_mailbox_entries(value["entries"])  # the bug: before base
    return _from_value(value)


def install() -> None:
    patch(_codec, "_from_value", entries_first)
    patch(_json, "_from_value", entries_first)  # descriptions go the same way


if __name__ == "__main__":
    run(ReferenceAdapter, install)
