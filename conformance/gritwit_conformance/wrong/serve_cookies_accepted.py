"""Wrong adapter: a request that changes state may carry a cookie (HTTP-019.2).

The service never looks at cookies, so it takes them for harmless and lets them through:
but a browser sends its cookies with a form another site posts, and a service that
accepts them is one a page elsewhere can drive (a cross-site request forgery).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-019.2"}),
    "failed",
    "a POST or DELETE carrying a Cookie header is served, not refused 400",
)


def install() -> None:
    from gritwit.serve import _auth

    original = _auth.AuthMiddleware._admit

    async def _admit(self: Any, scope: Any) -> Any:
        # the bug: the cookie is dropped unread instead of refusing the request
        scope["headers"] = [(name, value) for name, value in scope["headers"] if name != b"cookie"]
        return await original(self, scope)

    patch(_auth.AuthMiddleware, "_admit", _admit)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
