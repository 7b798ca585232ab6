"""Wrong adapter: ``ref-list`` refuses a prefix that is not ASCII with ``bad-request``
(REF-007.4).

No ref name can start with such a prefix, so the answer MUST be the empty list.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import BadRequest
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-007.4"}),
    "failed",
    "ref-list refuses a prefix that is not ASCII with bad-request",
)


class Adapter(ReferenceAdapter):
    def cmd_ref_list(self, args: dict[str, Any]) -> dict[str, Any]:
        prefix = args.get("prefix")
        if isinstance(prefix, str) and not prefix.isascii():
            raise BadRequest("a ref prefix is ASCII")  # the bug
        return super().cmd_ref_list(args)


if __name__ == "__main__":
    run(Adapter)
