"""Wrong adapter: ``encode`` applies the depth limit of ENC-012 to descriptions (ADP-009.4).

After the lone-surrogate check, a description nested deeper than 32 arrays and maps
is ``too-deep`` — as a port that turns the description into a CBOR value and runs
its decoder's depth guard on it before the object rules would answer.  So
``{"type": "blob", "data": "", "x": [[…]]}`` with 40 nested arrays is ``too-deep``,
where the unknown field's rule decides: ``invalid-object``.
"""

from __future__ import annotations

from typing import Any

from gritwit._cbor import MAX_DEPTH
from gritwit._errors import TooDeep
from gritwit._json import check_text
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-009.4"}),
    "failed",
    "encode answers too-deep for a description nested deeper than 32 arrays and maps",
)


def _depth(value: Any) -> int:
    """Nesting levels of arrays and maps in ``value`` (0 for a scalar)."""
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        desc = args.get("object")
        if isinstance(desc, dict):
            check_text(desc)  # OBJ-018.6 still first
            if _depth(desc) > MAX_DEPTH:  # the bug: ENC-012 judges the description
                raise TooDeep("ENC-012", f"more than {MAX_DEPTH} nested arrays/maps")
        return super().cmd_encode(args)


if __name__ == "__main__":
    run(Adapter)
