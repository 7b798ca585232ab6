"""Wrong adapter: ``GET /v1/refs`` shows the service's own refs to any token (HTTP-018.7).

The listing is the store's, whole: a ``read`` token is shown the refs of the tokens'
records (their hashes) and of the audit log, and can walk the log it may not read
through ``GET /v1/audit`` (HTTP-018.2), as a listing written before tokens existed does.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-018.7"}),
    "failed",
    "GET /v1/refs lists the token and audit refs to a read token",
)


def install() -> None:
    from gritwit.serve import _grit_api

    def _hides_service_refs(request: Any) -> bool:
        return False  # the bug: every token is shown everything

    patch(_grit_api, "_hides_service_refs", _hides_service_refs)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
