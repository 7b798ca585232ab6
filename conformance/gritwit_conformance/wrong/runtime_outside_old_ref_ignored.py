"""Wrong adapter: a send from the outside ignores the old ``names/outside-outbox`` (RUN-003.5).

Since the outside's outbox is 16 mailboxes by the recipient's digit (RUN-003.4), this
runtime builds each send on the recipient's mailbox alone: a recipient that mailbox has
no entry for gets a message with no ``previous``, though the old ref of a store written
before the change holds its chain. The recipient's inbox cursor is on that old chain, so
the walk from the new message never meets it (WIT-005): the message is read, but the old
messages after the cursor are lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _commit
from gritwit.wit import _outside
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-003.5"}),
    "failed",
    "a send from the outside chains from the recipient's mailbox alone, never from the old "
    "names/outside-outbox of a store written before the change: the old chain's unread "
    "messages are lost",
)

_real_build = _outside.build_outside_send


def build_outside_send(
    reader: Any,
    old: Mapping[str, Any],
    sends: list[Any],
    given: list[Any],
    old_ref: Callable[[], Any] | None = None,
) -> Any:
    mine = {name: target for name, target in old.items() if name != _outside.OUTSIDE_REF}
    return _real_build(reader, mine, sends, given, lambda: None)  # the bug: no fallback


def install() -> None:
    patch(_outside, "build_outside_send", build_outside_send)
    patch(_commit, "build_outside_send", build_outside_send)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
