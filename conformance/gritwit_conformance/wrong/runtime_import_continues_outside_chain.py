"""Wrong adapter: an import continues the outside's chain from the actor's cursor (RUN-009.12).

After ``rt-import`` the importing runtime sets its own outside's outbox entry for the
actor to the message the actor last read from the exporting runtime's outside, "so
that the queue goes on": an import that moves a ref besides the head.  The next
message the outside sends the actor then has that message as ``previous`` (WIT-004)
instead of none, so its id, and every step reading it, differ.
"""

from __future__ import annotations

from typing import Any

from gritwit import Mailbox
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.wit import OUTSIDE, mailbox_entries, outside_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-009.7", "RUN-009.12"}),
    "failed",
    "rt-import sets the importing runtime's outside outbox entry for the actor to the "
    "message it last read from the exporter's outside: the next outside message chains "
    "to it and has another id",
)

_real_import = adapter_runtime.import_bundle


def import_bundle(store: Any, data: bytes, **options: Any) -> Any:
    actor, head = _real_import(store, data, **options)
    cursor = mailbox_entries(store, store.get_object(head).inbox).get(OUTSIDE)
    ref = outside_ref(actor)  # the actor's mailbox of the outside's (RUN-003.4)
    old = store.get_ref(ref)
    entries = mailbox_entries(store, old)
    if cursor is not None and actor not in entries:
        entries[actor] = cursor  # the bug: the exporting runtime's chain goes on here
        store.cas_ref(ref, old, store.put_object(Mailbox(entries=entries)))
    return actor, head


def install() -> None:
    patch(adapter_runtime, "import_bundle", import_bundle)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
