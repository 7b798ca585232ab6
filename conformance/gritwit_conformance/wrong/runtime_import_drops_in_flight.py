"""Wrong adapter: messages in flight are dropped on import (RUN-009.11).

The importing runtime routes only what an imported actor sends after the move: the
outbox of the head a bundle brought is taken as delivered, so a message its sender
had sent and its recipient not yet read when they moved is not pending in the new
runtime (until the sender's next step chains past it).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _index
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-009.7", "RUN-009.11"}),
    "failed",
    "the outbox of a head a bundle brought is taken as delivered: a message in flight "
    "between two moved actors is not pending in the importing runtime",
)

_real_import = adapter_runtime.import_bundle
_real_head_at = _index.RoutingIndex._head_at
#: Every head step a bundle brought into this process.
IMPORTED: set[Any] = set()


def import_bundle(store: Any, data: bytes, **options: Any) -> Any:
    actor, head = _real_import(store, data, **options)
    IMPORTED.add(head)
    return actor, head


def head_at(self: Any, objects: Any, actor: Any, target: Any, touched: set[Any]) -> None:
    if target is not None and target in IMPORTED and self._heads.get(actor) != target:
        touched.update(self.set_outbox(actor, {}, target))  # the bug: taken as delivered
        touched.add(actor)
        return
    _real_head_at(self, objects, actor, target, touched)


def install() -> None:
    patch(adapter_runtime, "import_bundle", import_bundle)
    patch(_index.RoutingIndex, "_head_at", head_at)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
