"""Wrong adapter: a ``service-busy`` refusal carries no ``Retry-After`` (HTTP-013.4).

The service refuses a request with a body while the bodies being read hold its total
bound, 503 ``service-busy``, but without the header that tells the client when to try
again.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-013.4"}),
    "failed",
    "service-busy (503) is answered without a Retry-After header",
)


def install() -> None:
    from gritwit.serve import _middleware

    original = _middleware._Refusal.__init__

    def __init__(self: Any, status: int, error_class: str, message: str, **headers: str) -> None:
        if error_class == "service-busy":
            headers = {}  # the bug
        original(self, status, error_class, message, **headers)

    patch(_middleware._Refusal, "__init__", __init__)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
