"""Wrong adapter: an import stores each object as it checks it (RUN-009.3).

``rt-import`` decodes the bundle's objects one by one and puts every one that
decodes before the whole bundle is checked: a bundle refused for its head, a
missing reachable object, an extra object or an existing other head leaves the
objects that came before the fault in the store.
"""

from __future__ import annotations

from typing import Any

from gritwit import decode_object
from gritwit._errors import GritError
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _bundle
from gritwit.store import Store
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-009.3"}),
    "failed",
    "rt-import puts each bundled object as it decodes it, before the whole bundle is "
    "checked: a refused bundle leaves objects behind",
)

_real_import = _bundle.import_bundle


def import_as_checked(store: Store, data: bytes, **options: Any):  # type: ignore[no-untyped-def]
    try:
        _, _, items = _bundle._shape(data)
    except GritError:
        items = []
    for item in items:
        try:
            store.put_object(decode_object(item))  # the bug: stored before the whole check
        except GritError:
            break
    return _real_import(store, data, **options)


def install() -> None:
    patch(adapter_runtime, "import_bundle", import_as_checked)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
