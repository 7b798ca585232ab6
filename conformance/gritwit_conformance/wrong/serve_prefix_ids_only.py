"""Wrong adapter: a token's prefix is checked on ids, not on names (HTTP-018.3).

The check looks up the names an id is bound to, and lets a name through as if the router
had checked it: ``/v1/actors/team-b-one`` is served to a ``team-a-`` token.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-018.3"}),
    "failed",
    "a prefix limit checked on an actor's id but not on its name",
)


def install() -> None:
    from gritwit.runtime import is_id_text
    from gritwit.serve import _auth

    original = _auth.AuthMiddleware.actor_allowed

    async def actor_allowed(self: Any, prefix: str, text: str) -> bool:
        if not is_id_text(text):
            return True  # the bug: a name is not checked
        allowed: bool = await original(self, prefix, text)
        return allowed

    patch(_auth.AuthMiddleware, "actor_allowed", actor_allowed)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
