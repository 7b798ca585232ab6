"""Wrong adapter: ``ref-list`` checks its prefix as a ref name (REF-007.3).

``names/a`` works; ``names/``, ``heads/`` or ``""`` are refused ``invalid-ref-name``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _str
from gritwit.store import check_ref_name
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-007.3"}),
    "failed",
    "ref-list refuses a prefix that is not itself a valid ref name",
    smoke=True,
)


class Adapter(ReferenceAdapter):
    def cmd_ref_list(self, args: dict[str, Any]) -> dict[str, Any]:
        check_ref_name(_str(args, "prefix"))  # the bug
        return super().cmd_ref_list(args)


if __name__ == "__main__":
    run(Adapter)
