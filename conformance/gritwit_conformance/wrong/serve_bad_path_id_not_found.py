"""Wrong adapter: a malformed id in a path is 404 ``not-found`` (HTTP-002.4).

The service looks a path's id up as it comes: ``/v1/objects/ABC…`` finds nothing and
answers 404, instead of refusing the id 400 ``invalid-id``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-002.4"}),
    "failed",
    "a malformed id in a path is answered 404 not-found, not 400 invalid-id",
)


def install() -> None:
    from gritwit.serve import _actors_api, _content, _grit_api
    from gritwit.serve._problems import HttpProblem

    original = _content.parse_id

    def parse_id(value: str) -> object:
        try:
            return original(value)
        except HttpProblem:
            raise HttpProblem(404, "not-found", f"nothing is named {value!r:.80}") from None

    patch(_actors_api, "parse_id", parse_id)
    patch(_grit_api, "parse_id", parse_id)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
