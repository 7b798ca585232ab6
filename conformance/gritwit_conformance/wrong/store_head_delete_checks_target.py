"""Wrong adapter: a swap of a ``heads/`` ref to none is refused as if none were a bad
target (REF-007.5).

Deleting a ref has no target: REF-002 and REF-003 do not apply to it.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import InvalidRefTarget
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-007.5"}),
    "failed",
    "a swap of a heads/ ref to none is refused as a bad target",
)


class Adapter(ReferenceAdapter):
    def cmd_ref_cas(self, args: dict[str, Any]) -> dict[str, Any]:
        name = args.get("name")
        if isinstance(name, str) and name.startswith("heads/") and args.get("new", 0) is None:
            self._store(args)
            raise InvalidRefTarget("REF-002.2", "a head points at a step")  # the bug
        return super().cmd_ref_cas(args)


if __name__ == "__main__":
    run(Adapter)
