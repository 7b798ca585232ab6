"""Wrong adapter: the ``Idempotency-Key`` header is checked, then ignored (HTTP-005.3).

A retry with the same key sends a second message, answered 202 as new: a client that
retries after a dropped connection has its message delivered twice.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-005.3"}),
    "failed",
    "the Idempotency-Key is checked but not used: a retry sends the message again",
)


def install() -> None:
    from gritwit.serve import _actors_api

    original = _actors_api._send_of

    def _send_of(recipient: Any, body: dict[str, Any], key: str | None) -> Any:
        return original(recipient, body, None)  # the bug: the key goes nowhere

    patch(_actors_api, "_send_of", _send_of)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
