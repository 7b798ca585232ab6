"""Wrong adapter: the test actors write and send numbers with a trailing newline (WIT-028.7).

``counter`` writes ``count`` as ``b"5\\n"`` and replies to ``get`` with it; ``budget``
writes and replies likewise.  Values are right, bytes are not: the suite must see it
in the core entry's bytes, not only in the step ids.
"""

from __future__ import annotations

from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-028.7", "WIT-020.4"}),
    "failed",
    "counter and budget write and send their numbers with a trailing newline",
    smoke=False,
)


def install() -> None:
    def canonical_with_newline(value: int) -> Blob:
        return Blob(data=b"%d\n" % value)  # the bug: a newline after the digits

    patch(_actors, "_canonical", canonical_with_newline)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
