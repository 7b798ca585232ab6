"""Wrong adapter: ``GET /v1/objects/{id}?form=raw`` is answered with the description (HTTP-009.1).

The objects endpoint checks ``form`` and then serves the JSON description whatever it
is: a client cannot fetch the bytes whose hash is the id.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-009.1"}),
    "failed",
    "an object's ?form=raw is ignored: the JSON description is served",
)


def install() -> None:
    from gritwit.serve import _grit_api

    original = _grit_api.raw_form

    def raw_form(request: Any, clause: str) -> bool:
        original(request, clause)  # a malformed form is still refused
        return False  # the bug

    patch(_grit_api, "raw_form", raw_form)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
