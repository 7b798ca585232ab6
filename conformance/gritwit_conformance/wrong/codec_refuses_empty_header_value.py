"""Wrong adapter: a header whose value is the empty text is refused (OBJ-006.4).

Header values MAY be empty; this implementation treats ``{"a": ""}`` like an empty
name and rejects it as ``invalid-object``, on encode and decode.
"""

from __future__ import annotations

from gritwit import _codec, _objects
from gritwit._errors import InvalidObject
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-006.4"}),
    "failed",
    'a header whose value is "" is refused as invalid-object (encode and decode)',
    smoke=True,
)

check_headers = _objects.check_headers


def strict_check_headers(value: object) -> dict[str, str]:
    checked = check_headers(value)
    if "" in checked.values():  # the bug
        raise InvalidObject("OBJ-006.3", "a header value is empty")
    return checked


def install() -> None:
    patch(_objects, "check_headers", strict_check_headers)
    for kind in ("blob", "message"):  # the counted replacement patch() installed
        _codec._FIELD_CHECKS[kind]["headers"] = _objects.check_headers


if __name__ == "__main__":
    run(ReferenceAdapter, install)
