"""Wrong adapter: the program is stored tidied, not as given (SBX-001.2).

``wit-genesis`` of a ``program`` strips trailing white space and ends the source
with one newline before it becomes the ``wit`` blob's data: the program that runs
is not the bytes the caller named, and the actor's id differs.
"""

from __future__ import annotations

import gritwit.sandbox as sandbox
from gritwit._ids import ObjectId
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-001.2", "ADP-019.7"}),
    "failed",
    "strips trailing white space from a program before it becomes the wit blob's data",
    timeout=STARTUP_TIMEOUT,
)

_real = sandbox.wit_blob


def wit_blob(source: str, interpreter: ObjectId) -> Blob:
    tidy = "\n".join(line.rstrip() for line in source.rstrip().splitlines()) + "\n"  # the bug
    return _real(tidy, interpreter)


def install() -> None:
    patch(sandbox, "wit_blob", wit_blob)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
