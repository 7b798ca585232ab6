"""Wrong adapter: ``?form=raw`` of a query is checked, then ignored (HTTP-006.2).

The answer is served in its sniffed form whatever the client asked: never its
canonical encoding as ``application/cbor``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-006.2"}),
    "failed",
    "a query's ?form=raw is ignored: the answer is served in its sniffed form",
)


def install() -> None:
    from gritwit.serve import _actors_api

    original = _actors_api.raw_form

    def raw_form(request: Any, clause: str) -> bool:
        original(request, clause)  # a malformed form is still refused
        return False  # the bug

    patch(_actors_api, "raw_form", raw_form)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
