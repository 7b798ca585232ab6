"""Wrong adapter: a JSON body's nesting depth is not checked (HTTP-002.3).

The service hands any body to the JSON parser, whatever its depth: a body nesting 33
arrays and objects deep is taken.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-002.3"}),
    "failed",
    "JSON bodies nested deeper than 32 are taken",
)


def deeper_than(data: bytes, limit: int) -> bool:
    return False  # the bug: never too deep


def install() -> None:
    from gritwit.serve import _json_body

    patch(_json_body, "deeper_than", deeper_than)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
