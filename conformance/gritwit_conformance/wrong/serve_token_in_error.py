"""Wrong adapter: a refused token is shown back in the error (HTTP-018.4).

"Helpful" messages quote what the client sent: the 401 says which token it did not know,
so a log or a proxy that keeps error bodies keeps tokens.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-018.4"}),
    "failed",
    "a 401 or 403 message quotes the Authorization header it refused",
)


def install() -> None:
    from gritwit.serve import _auth
    from gritwit.serve._problems import HttpProblem

    original = _auth.AuthMiddleware._admit

    async def _admit(self: Any, scope: Any) -> Any:
        try:
            return await original(self, scope)
        except HttpProblem as problem:
            given = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            if problem.status in (401, 403) and given:
                problem.message += f" (you sent {given})"  # the bug
            raise

    patch(_auth.AuthMiddleware, "_admit", _admit)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
