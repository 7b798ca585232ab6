"""Wrong adapter: a token in the URL is taken as if it came in the header (HTTP-018.1).

``?access_token=T`` is read where no ``Authorization`` header came, as RFC 6750 once
allowed: the token then sits in every proxy's and server's access log, a browser's
history and the ``Referer`` of the next page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-018.1"}),
    "failed",
    "a request with ?access_token=T and no Authorization header is served with T",
)


def install() -> None:
    from gritwit.serve import _auth

    original = _auth.AuthMiddleware._authenticate

    async def _authenticate(self: Any, scope: Any, given: list[bytes]) -> Any:
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        in_url = [value for name, value in query if name == "access_token"]
        if in_url and not given:  # the bug: the URL's token stands in for the header
            rest = [(name, value) for name, value in query if name != "access_token"]
            scope["query_string"] = urlencode(rest).encode("latin-1")
            return await original(self, scope, [f"Bearer {in_url[0]}".encode("latin-1")])
        return await original(self, scope, given)

    patch(_auth.AuthMiddleware, "_authenticate", _authenticate)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
