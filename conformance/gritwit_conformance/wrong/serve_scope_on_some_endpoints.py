"""Wrong adapter: ``operate`` is checked on some endpoints only (HTTP-018.2).

Revert and fork were left at ``read`` when the scopes were written, as an endpoint added
after the scope table often is: a token that may only read rewrites an actor's past.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-018.2"}),
    "failed",
    "revert and fork need only the scope read, not operate",
)


def install() -> None:
    from gritwit.serve import _auth

    original = _auth.scope_of

    def scope_of(method: str, path: str) -> str | None:
        if path in ("/v1/actors/{actor}/revert", "/v1/actors/{actor}/fork"):
            return "read"  # the bug
        return original(method, path)

    patch(_auth, "scope_of", scope_of)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
