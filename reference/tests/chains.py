"""A message chain read back from a store, first message first (WIT-006: each message
names the one its sender sent before it to the same recipient)."""

from __future__ import annotations

from collections.abc import Callable

import gritwit as g


def message_chain(
    read: Callable[[g.ObjectId], g.GritObject], last: g.ObjectId | None
) -> list[tuple[g.ObjectId, g.Message]]:
    """Each message of the chain ending at ``last`` with its id, oldest first."""
    out = []
    while last is not None:
        message = read(last)
        assert isinstance(message, g.Message), f"WIT-006: {last.hex()} is no message"
        out.append((last, message))
        last = message.previous
    return out[::-1]
