"""Wrong adapter: ``rt-open`` refuses ``sends: "group"`` unless ``commit: "group"`` is given
too (ADP-015.1), as an implementer who read "``"group"`` only with ``commit`` ``"group"``" as
"only when ``commit`` says so" would: a choice the spec once left open.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import BadRequest
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"ADP-015.1"}),
    "failed",
    "rt-open refuses sends 'group' with commit left out",
)


class Adapter(ReferenceAdapter):
    def cmd_rt_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("sends") == "group" and "commit" not in args:  # the bug
            raise BadRequest("sends 'group' needs commit 'group' given")
        return super().cmd_rt_open(args)


if __name__ == "__main__":
    run(Adapter)
