"""Wrong adapter: ``encode`` normalises text to Unicode NFC (ENC-008.2, OBJ-011.4).

Header names and values and tree entry names are put in NFC before the object is
built, so ``"e\\u0301"`` becomes ``"\\u00e9"``: two different names (or headers)
collapse into one, and an object with combining characters gets another encoding
and id. Text must be kept byte for byte.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ENC-008.2", "OBJ-011.4"}),
    "failed",
    "encode puts header and tree names in Unicode NFC: 'e\\u0301' becomes '\\u00e9'",
)


def _nfc(node: Any) -> Any:
    if isinstance(node, str):
        return unicodedata.normalize("NFC", node)
    if isinstance(node, dict):
        return {_nfc(key): _nfc(value) for key, value in node.items()}
    return node


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        description = args.get("object")
        if isinstance(description, dict):
            description = {
                key: _nfc(value) if key in ("headers", "entries") else value
                for key, value in description.items()
            }  # the bug
        return super().cmd_encode({**args, "object": description})


if __name__ == "__main__":
    run(Adapter)
