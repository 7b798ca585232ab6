"""Wrong adapter: actor entries name no names (HTTP-015.3).

``GET /v1/actors`` and ``GET /v1/actors/{actor}`` answer ``"names": []`` whatever is
bound to the actor.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-015.3"}),
    "failed",
    "an actor's entry lists no names, though names are bound to it",
)


def install() -> None:
    from gritwit.serve import _reads

    original = _reads._entry  # every entry of both endpoints is made here

    def _entry(view: Any) -> dict[str, Any]:
        entry = original(view)
        entry["names"] = []  # the bug
        return entry

    patch(_reads, "_entry", _entry)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
