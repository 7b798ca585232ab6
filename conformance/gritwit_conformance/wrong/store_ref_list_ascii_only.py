"""Wrong adapter: ``ref-list`` refuses a prefix that is not ASCII with ``bad-request``
(REF-007.4).

No ref name can start with such a prefix, so the answer MUST be the empty list.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import BadRequest
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_ref_list(self, args: dict[str, Any]) -> dict[str, Any]:
        prefix = args.get("prefix")
        if isinstance(prefix, str) and not prefix.isascii():
            raise BadRequest("a ref prefix is ASCII")  # the bug
        return super().cmd_ref_list(args)


if __name__ == "__main__":
    run(Adapter)
