"""Wrong adapter: ``http-serve`` issues every token with every scope (ADP-021.4).

The adapter reads each token's name and drops its ``scopes``, issuing it as ``admin``
as a test fixture that wants things to work would: the service is right, but the tokens
the harness asked for are not the ones it got, so a ``read`` token may create and revert.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"ADP-021.4"}),
    "failed",
    "http-serve issues each token asked for with the scope admin, whatever its scopes",
)


def install() -> None:
    from gritwit.adapter import _http

    original = _http._issue

    def _issue(store: Any, wanted: list[dict[str, Any]]) -> dict[str, str]:
        return original(store, [{**item, "scopes": ["admin"]} for item in wanted])  # the bug

    patch(_http, "_issue", _issue)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
