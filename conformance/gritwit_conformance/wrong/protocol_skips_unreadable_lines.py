"""Wrong adapter: skips the lines it cannot read as a request (ADP-004.4).

A ``continue`` in the read loop: a line that is not a JSON object with an
integer ``seq`` gets no answer at all.
"""

from __future__ import annotations

import json
import sys
from typing import IO

import gritwit_conformance.wrong as wrong
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-004.4"}),
    "failed",
    "lines that are no JSON object with an integer seq get no answer",
    smoke=True,
    copied_from=(("gritwit.adapter._stdio:serve", "8ab41fb65a7db09a"),),
)


def serve(
    adapter: ReferenceAdapter | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
) -> int:
    adapter = adapter or ReferenceAdapter()
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        for line in stdin:
            try:
                request = json.loads(line)
            except json.JSONDecodeError:
                continue  # the bug: no answer
            if not isinstance(request, dict):
                continue  # the bug: no answer
            seq = request.get("seq")
            if not isinstance(seq, int) or isinstance(seq, bool):
                continue  # the bug: no answer
            response = adapter.handle(request)
            stdout.write(json.dumps(response, separators=(",", ":")) + "\n")
            stdout.flush()
            if adapter.shutting_down:
                break
    finally:
        adapter.close()
    return 0


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(wrong, "serve", serve))
