"""Wrong adapter: a name of another actor is found only when binding (HTTP-004.5).

``POST /v1/actors`` with a name bound to another actor sends the genesis first and
learns of the conflict when it binds: it answers 409 ``ref-conflict``, but the new
actor exists, its core stored and its genesis sent (HTTP-003.3).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-004.5"}),
    "failed",
    "a creation with a taken name sends its genesis before it finds the name taken",
)


def install() -> None:
    from gritwit.serve import _sending

    def check_named(store: Any, core: Any, actor: Any, name: str) -> None:
        return None  # the bug: the binding's conflict is left to the bind, after the send

    patch(_sending, "_check_named", check_named)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
