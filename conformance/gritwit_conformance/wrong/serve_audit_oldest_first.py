"""Wrong adapter: ``GET /v1/audit`` answers the oldest entries first (HTTP-020.2).

The log is read as a file is, from its start: ``?limit=n`` gives the first n entries
ever written, so the newest actions, the ones an operator looks for, are the last to
show and, past 1,000 entries, never show at all.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-020.2"}),
    "failed",
    "GET /v1/audit?limit=n answers the n oldest entries, oldest first",
)


def install() -> None:
    from gritwit.serve import _engine_ops

    original = _engine_ops.read_audit

    def read(store: Any, limit: int) -> list[dict[str, Any]]:
        every = original(store, 1 << 30)
        return list(reversed(every))[:limit]  # the bug: from the start of the log

    patch(_engine_ops, "read_audit", read)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
