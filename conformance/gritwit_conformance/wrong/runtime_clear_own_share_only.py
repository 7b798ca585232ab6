"""Wrong adapter: a runtime given a share clears only the actors of its share (RUN-025.1).

Clearing is taken for running: a runtime with a share answers ``cleared: false`` for
an actor outside its share and leaves its mark, where RUN-021.3 and RUN-025.1 make it
clear any actor. Without shares, or for its own actors, it clears as it should.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-025.1"}),
    "failed",
    "a runtime with a share answers cleared: false for a marked actor of another share",
)


def install() -> None:
    from gritwit.runtime import _runtime

    original = _runtime.Runtime.clear_failed

    def clear_failed(self: Any, actor: Any) -> bool:
        share = self.share
        if share is not None and not share.owns(actor):
            return False  # the bug: not its to clear
        return bool(original(self, actor))

    patch(_runtime.Runtime, "clear_failed", clear_failed)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
