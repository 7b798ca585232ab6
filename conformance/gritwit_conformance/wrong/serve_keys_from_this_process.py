"""Wrong adapter: a service finds only the keys of messages sent since it started (HTTP-005.4).

The key cache trusts itself: the first time a recipient is asked about, the service
takes the outside's current entry as where its window begins and walks nothing older.
Within one run of the service every retry is found; after a restart on the same store
a retry of a send made before is sent again.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-005.4"}),
    "failed",
    "keys are settled from what this service process saw, not by the store: after a "
    "restart a retry is sent again",
)


def install() -> None:
    from gritwit.serve import _keys

    original = _keys.KeyWindows._catch_up

    def _catch_up(self: Any, recipient: Any, entry: Any) -> Any:
        if recipient not in self._known:  # the bug: first sight, nothing older is walked
            self._known[recipient] = _keys._Window(entry)
        return original(self, recipient, entry)

    patch(_keys.KeyWindows, "_catch_up", _catch_up)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
