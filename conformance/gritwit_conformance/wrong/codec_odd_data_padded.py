"""Wrong adapter: blob ``data`` of an odd number of hex digits is padded with a leading
zero (OBJ-018.8).

``{"type": "blob", "data": "abc"}`` encodes the bytes ``0a bc``, where it MUST be
refused: three digits are not bytes (``invalid-object``).
"""

from __future__ import annotations

import re
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-018.8"}),
    "failed",
    "blob data of an odd number of hex digits is padded with a leading zero",
)

_HEX = re.compile(r"[0-9a-f]+")


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        desc = args.get("object")
        if isinstance(desc, dict) and isinstance(desc.get("data"), str):
            data = desc["data"]
            if len(data) % 2 and _HEX.fullmatch(data):
                args = {**args, "object": {**desc, "data": "0" + data}}  # the bug
        return super().cmd_encode(args)


if __name__ == "__main__":
    run(Adapter)
