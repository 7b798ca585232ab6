"""Wrong adapter: a Python actor answers every query with an empty blob (SBX-014.1).

Instead of ``unknown-query``, the host answers a query of a ``python-wasi`` actor,
``wut`` included, with an empty answer.
"""

from __future__ import annotations

from typing import Any

from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import patch, run


def query(self: _actor.SandboxWit, name: str, inp: Any) -> Blob:
    return Blob(data=b"")  # the bug


def install() -> None:
    patch(_actor.SandboxWit, "query", query)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
