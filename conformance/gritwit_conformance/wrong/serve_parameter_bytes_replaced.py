"""Wrong adapter: a path or query parameter that is no UTF-8 is read with replacements
(HTTP-002.5).

The service takes the text its server decoded, where bytes that are no UTF-8 became
U+FFFD: ``?prefix=%FF`` lists the refs that start with U+FFFD (none, 200), and
``/v1/refs/%FF`` looks for a ref of that name (404).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-002.5"}),
    "failed",
    "a path or query parameter of bytes that are no UTF-8 is read as U+FFFD, not refused",
)


def _is_utf8(raw: bytes) -> bool:
    return True  # the bug: whatever the bytes, the replaced text is read


def install() -> None:
    from gritwit.serve import _middleware

    patch(_middleware, "_is_utf8", _is_utf8)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
