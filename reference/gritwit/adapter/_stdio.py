"""``gritwit adapter``: the reference over newline-delimited JSON on stdio (ADP-001, ADP-011)."""

from __future__ import annotations

import json
import sys
from typing import IO

from ._handler import ReferenceAdapter

__all__ = ["serve"]


def serve(
    adapter: ReferenceAdapter | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
) -> int:
    """Answer requests line by line until ``shutdown`` or end of input; return the exit status."""
    adapter = adapter or ReferenceAdapter()
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        for line in stdin:
            if not line.strip():
                continue
            try:
                request = json.loads(line)
            except json.JSONDecodeError as exc:
                response = adapter.error(None, "bad-request", f"not JSON: {exc}")
            else:
                if isinstance(request, dict):
                    response = adapter.handle(request)
                else:
                    response = adapter.error(None, "bad-request", "a request is a JSON object")
            stdout.write(json.dumps(response, separators=(",", ":")) + "\n")
            stdout.flush()
            if adapter.shutting_down:
                break
    finally:
        adapter.close()
    return 0
