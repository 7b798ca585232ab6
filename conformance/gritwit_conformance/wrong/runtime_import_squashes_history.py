"""Wrong adapter: an import squashes the history into one new step (RUN-009.8).

``rt-import`` keeps the bundle's objects but sets the actor's head to a new step of
its own: the head's core, inbox and outbox with no ``previous``, as an importer that
re-roots a moved actor "to save space" would.  The history is re-encoded with another
id: the import answers another head, and every later step differs.
"""

from __future__ import annotations

from typing import Any

from gritwit import Step
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.store import head_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-009.7", "RUN-009.8"}),
    "failed",
    "rt-import sets the head to a new step with the bundle head's core, inbox and outbox "
    "and no previous: the history is re-encoded under another id",
)

_real_import = adapter_runtime.import_bundle


def import_bundle(store: Any, data: bytes, **options: Any) -> Any:
    actor, head = _real_import(store, data, **options)
    step = store.get_object(head)
    if step.previous is None:
        return actor, head
    squashed = Step(actor=actor, core=step.core, inbox=step.inbox, outbox=step.outbox)
    new = store.put_object(squashed)  # the bug: a new root for the moved history
    store.cas_ref(head_ref(actor), head, new)
    return actor, new


def install() -> None:
    patch(adapter_runtime, "import_bundle", import_bundle)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
