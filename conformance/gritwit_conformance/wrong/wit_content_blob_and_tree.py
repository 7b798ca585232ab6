"""Wrong adapter: a content description with both ``blob`` and ``tree`` is read as the
blob (ADP-004.8).

It MUST be refused with ``bad-request``: a content description has exactly one of
the two. (The reference and the Node adapter both did this before ADP-004.8.)
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter, _wit
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"ADP-004.8"}),
    "failed",
    "reads a content description with both blob and tree as the blob",
)

_shape = _wit._check_content_shape


def _lax(description: Any, depth: int) -> None:
    if isinstance(description, dict) and "blob" in description and "tree" in description:
        description = {k: v for k, v in description.items() if k != "tree"}  # the bug
    _shape(description, depth)


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(_wit, "_check_content_shape", _lax))
