"""Wrong adapter: a service started on a store looks a key up only 64 messages back (HTTP-005.4).

The key cache walks a recipient's chain from the outside's entry the first time the
recipient is asked about, as the reference does, but that first walk stops after 64
messages where the window is 1,000: a cold cache trusts a short walk. Within one run of
the service each later walk catches up from what it knows, so every key of the window
is found; after a restart a retry of a key more than 64 messages back is sent again.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-005.4"}),
    "failed",
    "a recipient's first key look-up in a service process walks 64 messages back, not "
    "1,000: after a restart a retry of a key 65 or more messages back is sent again",
)

#: How far back the cold walk looks.
COLD = 64


def install() -> None:
    from gritwit.serve import _keys

    original = _keys.KeyWindows._catch_up

    def _catch_up(self: Any, recipient: Any, entry: Any) -> Any:
        if recipient in self._known:
            return original(self, recipient, entry)
        window, self._window = self._window, COLD  # the bug: the first walk is short
        try:
            return original(self, recipient, entry)
        finally:
            self._window = window

    patch(_keys.KeyWindows, "_catch_up", _catch_up)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
