"""Wrong adapter: a service given a share runs every actor all the same (HTTP-001.2).

``http-serve`` with a share answers it in ``GET /v1`` but builds its runtime without it,
so it runs the actors of the other shares too.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import Runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-001.2"}),
    "failed",
    "a service given a share names it in GET /v1 but runs every actor of the store",
)


class _EveryActor(Runtime):
    def __init__(self, store: Any, **options: Any) -> None:
        options["share"] = None  # the bug: the share is reported, not kept
        super().__init__(store, **options)


def install() -> None:
    from gritwit.serve import _engine

    patch(_engine, "Runtime", _EveryActor)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
