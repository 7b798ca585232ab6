"""Wrong adapter: JSON numbers in a description are read as their decimal text
(OBJ-018.9).

``{"type": "blob", "data": "", "headers": {"n": 1}}`` encodes the header ``"1"``,
where a number is a value no field accepts and fails that field's rule.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"OBJ-018.9"}),
    "failed",
    "reads JSON numbers in a description as their decimal text",
)


def _as_text(node: Any) -> Any:
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int | float):
        return str(node)  # the bug
    if isinstance(node, dict):
        return {k: _as_text(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_as_text(v) for v in node]
    return node


class Adapter(ReferenceAdapter):
    def cmd_encode(self, args: dict[str, Any]) -> dict[str, Any]:
        return super().cmd_encode({**args, "object": _as_text(args.get("object"))})


if __name__ == "__main__":
    run(Adapter)
