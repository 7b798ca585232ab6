"""Wrong adapter: a mailbox's ``base`` of CBOR null is read as absent (OBJ-004.2).

The decoder treats ``"base": null`` the way a JSON description's ``null`` is read
(OBJ-018.4), so a second encoding of the mailbox without base is accepted, with an id of
its own: the same value would then have two ids.
"""

from __future__ import annotations

from typing import Any

from gritwit import _codec
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-004.2"}),
    "failed",
    "decodes a mailbox whose base is CBOR null as a mailbox without base",
    smoke=True,
)

_from_value = _codec._from_value


def null_base_dropped(value: Any) -> Any:
    if type(value) is dict and value.get("type") == "mailbox" and value.get("base", 0) is None:
        value = {key: item for key, item in value.items() if key != "base"}  # the bug
    return _from_value(value)


def install() -> None:
    patch(_codec, "_from_value", null_base_dropped)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
