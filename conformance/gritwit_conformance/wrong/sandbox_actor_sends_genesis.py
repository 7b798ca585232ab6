"""Wrong adapter: a program may send ``genesis`` and ``update`` messages (SBX-012.3).

The host queues every declared send whatever its ``mt``: a Python actor can send a
genesis or an update carrying a blob where a core or a tree belongs.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_actor, "_RESERVED", frozenset())  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, install)
