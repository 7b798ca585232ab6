"""Wrong adapter: a creation binds its name without putting it in the core (HTTP-004.4).

``POST /v1/actors`` with a ``name`` builds the core from the code and state alone and
binds the name to that actor: two names of one program then name one actor, and a send
to one counts on the other (RUN-026.5, WIT-002).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-004.4"}),
    "failed",
    "a named creation leaves the name out of the core: two names of a program are one actor",
)


def install() -> None:
    from gritwit.serve import _content, _sending

    original = _content.actor_core

    def actor_core(kind: str, code: Any, state: Any = None, name: Any = None) -> Any:
        return original(kind, code, state)  # the bug: the name left out

    def check_named(store: Any, core: Any, actor: Any, name: str) -> None:
        return None  # what binds the name no longer finds it in the core: nothing checked

    patch(_content, "actor_core", actor_core)
    patch(_sending, "_check_named", check_named)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
