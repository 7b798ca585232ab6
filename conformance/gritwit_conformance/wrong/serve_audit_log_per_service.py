"""Wrong adapter: each service keeps an audit log of its own (HTTP-020.3).

The log's ref is named for the service that writes it (here: its engine's thread), as a
log file named for its process would be: on a store served by several services, each
answers only what it audited itself, and what another did there is nowhere in its log.
"""

from __future__ import annotations

import threading
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-020.3"}),
    "failed",
    "each service on a store appends to and reads a log of its own",
)


class _OwnLog:
    """``store`` with the audit log's ref renamed for the calling thread."""

    def __init__(self, store: Any) -> None:
        self._store = store

    def _ref(self, name: str) -> str:
        from gritwit.serve._audit import AUDIT_REF

        if name != AUDIT_REF:
            return name
        return f"{name}-{threading.get_ident()}"  # the bug: one log per service

    def get_ref(self, name: str) -> Any:
        return self._store.get_ref(self._ref(name))

    def cas_ref(self, name: str, expected: Any, new: Any) -> Any:
        return self._store.cas_ref(self._ref(name), expected, new)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def install() -> None:
    from gritwit.serve import _engine_ops

    append, read = _engine_ops.append_audit, _engine_ops.read_audit

    def append_audit(store: Any, entry: Any) -> Any:
        return append(_OwnLog(store), entry)

    def own_read(store: Any, limit: int) -> list[dict[str, Any]]:
        return read(_OwnLog(store), limit)

    patch(_engine_ops, "append_audit", append_audit)
    patch(_engine_ops, "read_audit", own_read)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
