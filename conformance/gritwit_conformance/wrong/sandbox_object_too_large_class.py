"""Wrong adapter: a file too large for one object fails ``too-large`` (SBX-007.6).

The unmount puts each file into the store as it is, as the reference did before: a
20 MiB file, within the core limit, ends the run with the store's ``too-large``, a
class SBX-008.1 does not list, instead of ``output-too-large``.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit._objects import Blob, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _mount
from gritwit.store import Store
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-007.6"}),
    "failed",
    "unmounts a file larger than one object holds with the store's too-large, a class "
    "SBX-008.1 does not list, instead of output-too-large",
    timeout=STARTUP_TIMEOUT,
)


def put(store: Store, obj: Blob | Tree, frames: list[_mount._Frame], name: str) -> ObjectId:
    return store.put_object(obj)  # the bug: TooLarge escapes as it is


def install() -> None:
    patch(_mount, "_put", put)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
