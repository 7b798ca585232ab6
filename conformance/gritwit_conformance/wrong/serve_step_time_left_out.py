"""Wrong adapter: a step without a step time has no ``time`` field (HTTP-007.7, HTTP-012.3).

The service leaves ``time`` out of a history step and an actor's entry when the store
records no time for the step (a step moved in a bundle, RUN-027.2), where HTTP-007.7
and the OpenAPI document require ``"time": null``: the common serialiser's habit of
dropping ``None``. A client reading ``step.get("time")`` sees no difference; the
document, which requires the field, does.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-012.3"}),
    "failed",
    "a history step or actor entry without a step time leaves time out instead of null",
)


def install() -> None:
    from gritwit.serve import _reads

    original = _reads._timed

    def _timed(state: Any, entries: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        timed = original(state, entries, key)
        for entry in timed:
            if entry.get("time") is None:
                entry.pop("time", None)  # the bug
        return timed

    patch(_reads, "_timed", _timed)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
