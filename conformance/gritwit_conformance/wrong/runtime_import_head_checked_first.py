"""Wrong adapter: ``rt-import`` compares the target's head before it checks the bundle
(RUN-009.6).

A bad bundle over a head that has moved on answers ``ref-conflict``, where the
bundle's own checks come first.
"""

from __future__ import annotations

from typing import Any

from gritwit._cbor import decode_value
from gritwit._errors import GritError, RefConflict
from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.store._refs import head_ref
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-009.6"}),
    "failed",
    "rt-import compares the target's head before it checks the bundle",
)


class Adapter(ReferenceAdapter):
    def cmd_rt_import(self, args: dict[str, Any]) -> dict[str, Any]:
        entry = self._rt(args)
        try:
            parts = decode_value(bytes.fromhex(args["bundle"]))
            actor, head = ObjectId.from_hex(parts[1]), ObjectId.from_hex(parts[2])  # type: ignore[index, arg-type]
        except (GritError, KeyError, TypeError, ValueError, IndexError):
            return super().cmd_rt_import(args)
        current = entry.store.get_ref(head_ref(actor))
        if current is not None and current != head:  # the bug: before the bundle's checks
            raise RefConflict("RUN-009.4", "the head has moved on", current=current)
        return super().cmd_rt_import(args)


if __name__ == "__main__":
    run(Adapter)
