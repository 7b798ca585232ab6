"""Wrong adapter: the key window holds 1,001 messages, not 1,000 (HTTP-005.3, HTTP-005.4).

The service looks a key up among the latest 1,001 messages to the recipient, an
off-by-one (the retry's own message counted in the window, say): a retry whose first
send is 1,001 messages back is answered with that old message, 200 and replayed, where
it must be sent again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-005.4"}),
    "failed",
    "a key is found among the latest 1,001 messages to its recipient: a key 1,001 back is "
    "replayed instead of sent again",
)


def install() -> None:
    from gritwit.serve import _keys

    original = _keys.KeyWindows.__init__

    def __init__(
        self: Any,
        read: Callable[[Any], Any],
        *,
        window: int = _keys.WINDOW,
        recipients: int = 4096,
    ) -> None:
        original(self, read, window=window + 1, recipients=recipients)  # the bug

    patch(_keys.KeyWindows, "__init__", __init__)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
