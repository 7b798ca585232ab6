"""Wrong adapter: a send's ``tree`` is queued as an empty blob (SBX-012.5).

The host reads ``tree`` in ``/out/sends.json`` and answers ``sandbox-run`` with it, but
a transition queues every send's content as the blob of its ``data`` (SBX-012.2), so a
tree the program declared, a port request's headers and body, never leaves it.
"""

from __future__ import annotations

from typing import Any

from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox", "runtime"),
    frozenset({"SBX-012.5"}),
    "failed",
    "a send's tree is queued as the empty blob of its data",
    timeout=STARTUP_TIMEOUT,
)


def _content(declared: Any) -> list[Any]:
    return [Blob(data=declared.data)]  # the bug: the tree is dropped


def install() -> None:
    patch(_actor, "_content", _content)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
