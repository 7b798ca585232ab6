"""Wrong adapter: a creation's name is checked before the rest of its body (HTTP-004.6).

``POST /v1/actors`` refuses a name that is no name (``invalid-ref-name``) before it looks
at the body's other fields, so a body that breaks both answers the name's class where
the clause puts the body's (``bad-request``, ``invalid-id``) first.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-004.6"}),
    "failed",
    "a creation with a bad name and a bad body answers invalid-ref-name, not bad-request",
)


def install() -> None:
    from gritwit.runtime import check_name
    from gritwit.serve import _actors_api

    original = _actors_api.new_core

    def new_core(body: dict[str, Any]) -> Any:
        if body.get("name") is not None:
            check_name(body["name"])  # the bug: before the body's own checks
        return original(body)

    patch(_actors_api, "new_core", new_core)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
