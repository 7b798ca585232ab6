"""Wrong adapter: a send's ``signal`` is ignored, every message queued (HTTP-005.1).

``"signal": true`` is read and dropped: the message chains onto the outside's last one
to the recipient, as a queued message does.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-005.1"}),
    "failed",
    "signal: true is ignored: every message is queued",
)


def install() -> None:
    from gritwit.serve import _actors_api

    original = _actors_api._send_of

    def _send_of(recipient: Any, body: dict[str, Any], key: str | None) -> Any:
        return original(recipient, {**body, "signal": False}, key)  # the bug

    patch(_actors_api, "_send_of", _send_of)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
