"""Wrong adapter: ``encode`` looks for lone surrogates before it checks that the
description is a JSON object (OBJ-018.6).

``["\\ud800"]`` answers ``invalid-utf8``, where not being an object comes first:
``invalid-object``.
"""

from __future__ import annotations

from typing import Any

from gritwit._json import check_text
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-018.6"}),
    "failed",
    "encode looks for lone surrogates before checking the description is an object",
)


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        check_text(args.get("object"))  # the bug: before OBJ-018.2
        return super().cmd_encode(args)


if __name__ == "__main__":
    run(Adapter)
