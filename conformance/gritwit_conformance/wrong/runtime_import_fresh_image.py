"""Wrong adapter: an imported image actor starts from a fresh instance (RUN-009.5).

The importing runtime treats a guest's memory as the exporting host's business:
after ``rt-import``, the actor's next step instantiates its module anew (start
function included, WASM-025.7) instead of restoring the image its core carries,
so it does not continue as the exporting runtime would.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit_conformance.wrong import WrongAdapter, _fresh_image, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-009.5", "WASM-029.1"}),
    "failed",
    "after rt-import an image actor's next step instantiates its module anew instead of "
    "restoring the image its core carries: it does not continue as the exporter would",
    smoke=True,
)

_real_import = adapter_runtime.import_bundle


def install() -> None:
    fresh = _fresh_image.install()

    def import_bundle(store: Any, data: Any, **options: Any) -> Any:
        actor, head = _real_import(store, data, **options)
        fresh.add(actor)
        return actor, head

    patch(adapter_runtime, "import_bundle", import_bundle)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
