"""Broken adapter: pretty-prints its answers to ``decode`` over several lines (ADP-001.3).

A leftover ``indent=2`` from debugging, on the one command whose answer is a
nested object.
"""

from __future__ import annotations

import json
import sys
from typing import IO

import gritwit_conformance.wrong as wrong
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._stdio import answer
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-001.3", "ADP-012"}),
    "errored",
    "pretty-prints its answers to decode over several lines",
    reason="response to decode is not JSON",
    smoke=True,
    copied_from=(("gritwit.adapter._stdio:serve", "8ab41fb65a7db09a"),),
)


def serve(
    adapter: ReferenceAdapter | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
) -> int:
    """The reference's serve loop, but ``decode`` answers are indented."""
    adapter = adapter or ReferenceAdapter()
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        for line in stdin:
            if not line.strip():
                continue
            request, response = answer(adapter, line)
            indent = 2 if request.get("cmd") == "decode" else None  # the bug
            stdout.write(json.dumps(response, indent=indent) + "\n")
            stdout.flush()
            if adapter.shutting_down:
                break
    finally:
        adapter.close()
    return 0


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(wrong, "serve", serve))
