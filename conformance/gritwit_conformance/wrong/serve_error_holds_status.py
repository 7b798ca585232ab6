"""Wrong adapter: every error object also holds the answer's status (HTTP-012.3, HTTP-003.1).

``{"error": {"class": "not-found", "message": "…", "status": 404}}``, as many HTTP APIs
answer: the ``error`` object holds more fields only where a clause names them
(HTTP-003.1: HTTP-005.6's ``messages``, HTTP-017.4's ``actor``), and the OpenAPI
document's ``Error`` describes those alone. The tests of refusals check the class and
the status, not the fields the error object must not hold.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-012.3"}),
    "failed",
    "every error object holds a status field the OpenAPI document does not describe",
)


def install() -> None:
    from gritwit.serve import _http

    original = _http.problem_body

    def problem_body(problem: Any) -> dict[str, Any]:
        body = original(problem)
        body["error"]["status"] = problem.status  # the bug
        return body

    patch(_http, "problem_body", problem_body)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
