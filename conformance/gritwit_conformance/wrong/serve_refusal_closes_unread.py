"""Wrong adapter: a body refused before it is read whole is left unread (HTTP-013.6).

The service answers 413 or 415 as soon as it knows, and closes the connection with the
body's rest unread: the socket's close sends a reset, and a client that writes its whole
body before it reads gets the reset, not the answer.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-013.6"}),
    "failed",
    "a refused body's rest is left unread and the connection closed: the client gets a reset",
)


def _drainable(scope: Any, before_body: bool) -> bool:
    return False  # the bug: every refusal closes at once


def install() -> None:
    from gritwit.serve import _middleware

    patch(_middleware, "_drainable", _drainable)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
