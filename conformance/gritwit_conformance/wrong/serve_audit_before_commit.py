"""Wrong adapter: the audit entry is written before the action runs (HTTP-020.1).

It records the request as it arrives, with the status it expects (200), queued to the
store ahead of the action itself, so a revert that then fails is in the log as done.
"""

from __future__ import annotations

import asyncio
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-020.1"}),
    "failed",
    "an audit entry is written before the action's outcome, its status guessed 200",
)


#: The early writes under way (kept so that none is collected before it ran).
_WRITES: set[Any] = set()


def install() -> None:
    from gritwit.serve import _auth
    from gritwit.serve._audit import AuditEntry
    from gritwit.serve._port import AppendAudit
    from gritwit.serve._routes import endpoint_for

    def _audited(scope: Any, grant: Any, send: Any, submit: Any) -> Any:
        if grant.audited:  # the bug: written as the request arrives, its outcome guessed
            endpoint = endpoint_for(scope["method"], scope["path"])
            what = f"{scope['method']} {endpoint.path if endpoint else scope['path']}"
            entry = AuditEntry(grant.token.name, what, grant.actor, 200, None)
            writing = asyncio.ensure_future(submit(AppendAudit(entry)))
            _WRITES.add(writing)
            writing.add_done_callback(_WRITES.discard)
        return send

    patch(_auth, "_audited", _audited)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
