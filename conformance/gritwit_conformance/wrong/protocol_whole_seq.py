"""Wrong adapter: a ``seq`` written ``7.0`` is taken for the integer 7 (ADP-004.12,
ADP-004.4), as by a reader that keeps every JSON number as a double and asks only that
``seq`` have no fractional part: the line is answered with ``seq`` 7 and its command
runs, where a ``seq`` written with a fraction or an exponent is no integer ``seq``.
"""

from __future__ import annotations

import json
from typing import Any

from gritwit.adapter import ReferenceAdapter, _stdio
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-004.12"}),
    "failed",
    "a line whose seq is 7.0 is answered with seq 7, its command run",
    smoke=True,
)

_answer = _stdio.answer


def _whole_seq(adapter: ReferenceAdapter, line: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        request = json.loads(line)
    except json.JSONDecodeError:
        request = None
    if isinstance(request, dict):
        seq = request.get("seq")
        if isinstance(seq, float) and seq.is_integer():  # the bug
            return _answer(adapter, json.dumps({**request, "seq": int(seq)}))
    return _answer(adapter, line)


def install() -> None:
    patch(_stdio, "answer", _whole_seq)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
