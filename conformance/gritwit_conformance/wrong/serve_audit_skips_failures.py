"""Wrong adapter: a failed action leaves no audit entry (HTTP-020.1).

Only what succeeded is logged, as a log of changes would be: the attempts that failed,
the ones an operator most needs to see, are missing.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-020.1"}),
    "failed",
    "an operate request that fails is not written to the audit log",
)


def install() -> None:
    from gritwit.serve import _auth

    original = _auth._audited

    def _audited(scope: Any, grant: Any, send: Any, submit: Any) -> Any:
        audited = original(scope, grant, send, submit)

        async def only_successes(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] >= 400:
                grant.audited = False  # the bug
            await audited(message)

        return only_successes

    async def _audit_refusal(
        self: Any, grant: Any, method: str, key: Any, status: int, cls: str
    ) -> None:
        return None  # the bug: refusals unlogged as well

    patch(_auth, "_audited", _audited)
    patch(_auth.AuthMiddleware, "_audit_refusal", _audit_refusal)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
