"""Wrong adapter: an actor failed at its genesis is listed as healthy (HTTP-007.9).

The service lists an actor marked failed with no head, but reads its mark only through
its head, as the runtime reads a failed actor with a step: the entry says ``failed``
null and ``failed=true`` leaves it out, so a client sees an actor that merely has not
run yet.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-007.9"}),
    "failed",
    "an actor failed at its genesis is listed with failed null, and failed=true leaves it out",
)


def install() -> None:
    from gritwit.runtime import _view

    original = _view.ActorViews.marked

    def marked(self: Any, actor: Any) -> bool:
        return self.head(actor) is not None and original(self, actor)  # the bug

    def _entry(view: Any) -> dict[str, Any]:
        found = entry(view)
        if view.head is None:
            found["failed"] = None  # the bug
        return found

    from gritwit.serve import _reads

    entry = _reads._entry
    patch(_view.ActorViews, "marked", marked)
    patch(_reads, "_entry", _entry)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
