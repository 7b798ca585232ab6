"""Wrong adapter: ``encode`` checks the 16 MiB limit before the object rules (OBJ-017.2).

It refuses a blob whose data alone would exceed the limit as ``too-large`` before
building the object, so an oversized blob that also breaks an object rule (an empty
header name) gets the wrong class: the object rules come first.
"""

from __future__ import annotations

from typing import Any

from gritwit import MAX_SIZE
from gritwit._errors import TooLarge
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-017.2"}),
    "failed",
    "encode checks the 16 MiB limit before the object rules: an oversized blob with an "
    "empty header name is too-large, not invalid-object",
)


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        description = args.get("object")
        data = description.get("data") if isinstance(description, dict) else None
        if isinstance(data, str) and len(data) // 2 > MAX_SIZE - 21:  # the bug: size first
            raise TooLarge("ENC-013.2", "the blob data alone exceeds 16 MiB")
        return super().cmd_encode(args)


if __name__ == "__main__":
    run(Adapter)
