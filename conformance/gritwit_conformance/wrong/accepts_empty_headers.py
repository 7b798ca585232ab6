"""Wrong adapter: the decoder takes ``"headers": {}`` for "no headers" (OBJ-007).

The spec allows one form of "no headers": the key omitted.  This decoder
accepts the empty map as well, so two encodings (and two ids) describe the
same object.
"""

from __future__ import annotations

from gritwit import _codec
from gritwit._objects import check_headers
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-007.2"}),
    "failed",
    'the decoder accepts an empty-but-present "headers": {} as "no headers"',
)


def lax_check_headers(value: object) -> object:
    return value if value == {} else check_headers(value)  # the bug: {} passes


def install() -> None:
    for kind in ("blob", "message"):
        old = _codec._FIELD_CHECKS[kind]["headers"]
        target = f"_codec._FIELD_CHECKS[{kind}][headers]"
        _codec._FIELD_CHECKS[kind]["headers"] = fault(target, old, lax_check_headers)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
