"""Wrong adapter: an answer holding HTML is served as JSON (HTTP-006.1).

The query endpoint knows two forms: JSON text as it is, anything else described. HTML
is sent as it is but labelled ``application/json``, ``Grit-Answer-Form: json``: a
browser shows the page's source, and a JSON client chokes on it.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-006.1"}),
    "failed",
    "an answer holding HTML is served as application/json with Grit-Answer-Form json",
)


def install() -> None:
    from gritwit.serve import _actors_api

    original = _actors_api.answer_form

    def answer_form(data: bytes) -> str:
        form = original(data)
        return "json" if form == "html" else form  # the bug: a page is JSON

    patch(_actors_api, "answer_form", answer_form)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
