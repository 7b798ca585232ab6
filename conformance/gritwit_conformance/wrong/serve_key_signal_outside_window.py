"""Wrong adapter: a keyed message without ``previous`` is never found (HTTP-005.4).

The window "ends at the latest signal", read as excluding it: the service finds a key
only on a message with a ``previous``, so a retried signal (which has none) is sent
again instead of answered with the signal, 200 and replayed.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-005.4"}),
    "failed",
    "the key of the latest signal is taken as outside the window: a retried signal is sent again",
)


def install() -> None:
    from gritwit.serve import _keys

    original = _keys.KeyWindows.find

    def find(self: Any, recipient: Any, entry: Any, key: str) -> Any:
        found = original(self, recipient, entry, key)
        if found is not None and found.fingerprint.signal is None:  # no previous
            return None  # the bug: the signal ending the window is left out of it
        return found

    patch(_keys.KeyWindows, "find", find)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
