"""Wrong adapter: a send chains from the old outside outbox only while its mailbox is unset.

RUN-003.5 chains the outside's next message to *R* from *R*'s entry in its digit's
mailbox, else from the old ref's. This runtime falls back to the old ref only while
the digit's mailbox ref is unset: once any recipient of that digit was sent to, a send
to a recipient still under the old ref starts a new chain (no ``previous``), and the
old chain's unread messages are cut off from it (WIT-005).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _commit
from gritwit.wit import _outside
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-003.5"}),
    "failed",
    "a send from the outside chains from the old names/outside-outbox only while the "
    "recipient's mailbox is unset, not also when that mailbox has no entry for it",
)

_real_build = _outside.build_outside_send


def build_outside_send(
    reader: Any,
    old: Mapping[str, Any],
    sends: list[Any],
    given: list[Any],
    old_ref: Callable[[], Any] | None = None,
) -> Any:
    digits = {_outside.outside_ref(recipient) for recipient, *_ in sends}
    if all(old.get(ref) is not None for ref in digits):  # the bug: a set mailbox is all
        mine = {name: target for name, target in old.items() if name != _outside.OUTSIDE_REF}
        return _real_build(reader, mine, sends, given, lambda: None)
    return _real_build(reader, old, sends, given, old_ref)


def install() -> None:
    patch(_outside, "build_outside_send", build_outside_send)
    patch(_commit, "build_outside_send", build_outside_send)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
