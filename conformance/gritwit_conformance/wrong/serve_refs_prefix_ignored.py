"""Wrong adapter: ``GET /v1/refs?prefix=…`` lists every ref (HTTP-009.3).

The parameter is checked and then forgotten: the listing is the whole store's.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-009.3"}),
    "failed",
    "GET /v1/refs ignores prefix: every ref is listed",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.ref_targets

    def ref_targets(state: Any, prefix: str) -> Any:
        return original(state, "")  # the bug

    patch(_engine_ops, "ref_targets", ref_targets)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
