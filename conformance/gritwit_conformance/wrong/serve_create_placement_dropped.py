"""Wrong adapter: a creation's ``placement`` is read and checked, then dropped (HTTP-004.8).

``POST /v1/actors`` accepts ``placement`` and refuses a bad one as the clause says, but
the genesis it sends carries no header ``placement``: the new actor is placed by its own
id (RUN-021.7), as if the body had named no actor.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-004.8"}),
    "failed",
    "a placed creation sends a genesis without the header placement",
)


def install() -> None:
    from gritwit.serve import _sending

    original = _sending._headers

    def headers(send: Any) -> Any:
        found = original(send)
        if found is not None:
            found.pop("placement", None)  # the bug: the genesis loses its placement
        return found or None

    patch(_sending, "_headers", headers)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
