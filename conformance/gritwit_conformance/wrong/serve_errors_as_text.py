"""Wrong adapter: a failed request is answered in plain text (HTTP-003.1).

The handlers' refusals carry the right status but a text body ``class: message``, not
the JSON object ``{"error": {"class": …, "message": …}}``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-003.1"}),
    "failed",
    "a failed request's body is the text 'class: message', not the JSON error object",
)


def install() -> None:
    from starlette.responses import PlainTextResponse

    from gritwit.serve import _http

    def problem_response(problem: Any) -> Any:
        text = f"{problem.error_class}: {problem.message}"  # the bug: no JSON
        return PlainTextResponse(text, problem.status, headers=problem.headers)

    patch(_http, "problem_response", problem_response)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
