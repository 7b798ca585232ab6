"""Wrong adapter: the port follows redirects (PORT-004.3).

Its HTTP client follows a 3xx as most clients do by default: the target of a redirect is
asked without the policy or the address check judging it, so a peer that answers 302 to
``http://127.0.0.1/...`` reaches loopback through the port.
"""

from __future__ import annotations

from typing import Any

import httpx

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-004.3"}),
    "failed",
    "redirects are followed: a 302 to loopback is asked unchecked",
)


class _Following(httpx.Client):
    def __init__(self, **kwargs: Any) -> None:
        kwargs["follow_redirects"] = True  # the bug
        super().__init__(**kwargs)

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        kwargs["follow_redirects"] = True
        return super().send(request, **kwargs)


def install() -> None:
    # the port's module reads httpx.Client when it sends: the following client is its
    patch(httpx, "Client", _Following)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
