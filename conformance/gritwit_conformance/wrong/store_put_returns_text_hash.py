"""Wrong adapter: ``put`` answers the BLAKE3 hash of the hex text it was sent (STO-002.1).

The object is stored correctly under its id; only the id ``put`` answers is wrong, as
in an adapter that hashes its argument string instead of the decoded bytes.
"""

from __future__ import annotations

from typing import Any

import blake3

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _str
from gritwit_conformance.wrong import run


class Adapter(ReferenceAdapter):
    def cmd_put(self, args: dict[str, Any]) -> dict[str, Any]:
        super().cmd_put(args)
        return {"id": blake3.blake3(_str(args, "bytes").encode()).hexdigest()}  # the bug


if __name__ == "__main__":
    run(Adapter)
