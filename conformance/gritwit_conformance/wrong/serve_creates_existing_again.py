"""Wrong adapter: creating an actor that exists sends its genesis again (HTTP-004.2).

``POST /v1/actors`` never looks at ``heads/<actor>``: a second creation answers
``existed: false`` with a new genesis message, chained onto the first.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-004.2", "HTTP-004.7"}),
    "failed",
    "creating an actor that has a head sends another genesis and answers existed: false",
)


def install() -> None:
    from gritwit.serve import _sending

    original = _sending.Sender.add_create

    def add_create(self: Any, create: Any, future: Any) -> None:
        store = self._store

        class _NoHeads:  # the bug: the head is never found
            def __getattr__(self, name: str) -> Any:
                return getattr(store, name)

            def get_ref(self, name: str) -> Any:
                return None if name.startswith("heads/") else store.get_ref(name)

        self._store = _NoHeads()
        try:
            original(self, create, future)
        finally:
            self._store = store

    patch(_sending.Sender, "add_create", add_create)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
