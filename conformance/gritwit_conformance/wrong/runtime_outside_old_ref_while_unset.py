"""Wrong adapter: the old outside outbox is read only while a digit's mailbox is unset (RUN-003.5).

RUN-003.5 reads a recipient's entry from the old ref when the recipient's mailbox "is
unset or has no entry for *R*". This runtime's routing index reads the first half
alone: once a digit's mailbox is set — by a send to any recipient of that digit — it is
taken as the whole of the outside's outbox for every recipient of the digit. A
recipient whose chain is still under the old ref, sharing its digit with one sent to
since, has nothing pending any more: its unread old messages are never read.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-003.5"}),
    "failed",
    "a recipient's entry is read from the old names/outside-outbox only while its digit's "
    "mailbox is unset, not also when that mailbox has no entry for it",
)


def install() -> None:
    from gritwit import ObjectId
    from gritwit.runtime import _outside_entries
    from gritwit.wit import OUTSIDE_REF, outside_ref

    entries = _outside_entries.OutsideEntries
    original = entries.get

    def get(self: Any, key: object, default: object = None) -> Any:
        parts = self._parts
        if type(key) is ObjectId and parts.get(outside_ref(key)) is not None:
            mailbox_only = {name: part for name, part in parts.items() if name != OUTSIDE_REF}
            return original(entries(mailbox_only), key, default)  # the bug: no fallback
        return original(self, key, default)

    patch(entries, "get", get)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
