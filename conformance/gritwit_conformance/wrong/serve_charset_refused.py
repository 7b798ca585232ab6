"""Wrong adapter: ``application/json; charset=utf-8`` is refused 415 (HTTP-002.1).

The service compares the whole ``Content-Type`` value with ``application/json``, so a
JSON body whose media type carries its charset is refused as another media type.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-002.1"}),
    "failed",
    "a Content-Type with parameters (application/json; charset=utf-8) is another media type",
)


def _media_type(value: bytes | None) -> tuple[str, dict[str, str]]:
    text = (value or b"").decode("latin-1").strip().lower()
    return text, {}  # the bug: the parameters stay part of the type


def install() -> None:
    from gritwit.serve import _middleware

    patch(_middleware, "_media_type", _media_type)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
