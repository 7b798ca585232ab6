"""Wrong adapter: a malformed id argument is answered ``bad-request`` (ADP-004.3).

It checks id arguments like the other hex arguments, as malformed requests,
instead of as input errors of class ``invalid-id``.
"""

from __future__ import annotations

import re
from typing import Any

import gritwit.adapter._handler as handler
from gritwit import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import BadRequest
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-004.3"}),
    "failed",
    "a malformed id argument is answered bad-request instead of invalid-id",
    smoke=True,
)


def strict_id(args: dict[str, Any], key: str) -> ObjectId:
    value = args.get(key)
    if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{64}", value):
        raise BadRequest(f"{key} must be an id")  # the bug: not invalid-id
    return ObjectId.from_hex(value)


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(handler, "_id", strict_id))
