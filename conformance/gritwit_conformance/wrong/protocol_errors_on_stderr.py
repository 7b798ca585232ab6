"""Broken adapter: writes its ``bad-request`` answers on standard error (ADP-001.2).

"Errors go to stderr": the writer picks the stream by the answer, so the harness
waits in vain for the answer to a malformed request on standard output.
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
    # codec too: --profile store runs only the protocol tests store needs (one bad
    # request), and the check that the run went on needs the bug hit again.
    ("codec", "store"),
    frozenset({"ADP-001.2", "ADP-012"}),
    "errored",
    "writes its bad-request answers on standard error instead of standard output",
    reason="the adapter wrote it to standard error",
    smoke=True,
    copied_from=(("gritwit.adapter._stdio:serve", "8ab41fb65a7db09a"),),
)


def serve(
    adapter: ReferenceAdapter | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
) -> int:
    """The reference's serve loop, but for the stream it writes an answer on."""
    adapter = adapter or ReferenceAdapter()
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        for line in stdin:
            if not line.strip():
                continue
            _, response = answer(adapter, line)
            refused = not response["ok"] and response["error"]["class"] == "bad-request"
            stream = sys.stderr if refused and response["seq"] is not None else stdout  # bug
            stream.write(json.dumps(response, separators=(",", ":")) + "\n")
            stream.flush()
            if adapter.shutting_down:
                break
    finally:
        adapter.close()
    return 0


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(wrong, "serve", serve))
