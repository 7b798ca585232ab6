"""``gritwit adapter``: the reference over newline-delimited JSON on stdio (ADP-001, ADP-011).

One compact JSON line per response on standard output, nothing else (ADP-001.3,
ADP-001.4); a line that is no JSON object is answered ``seq: null``,
``bad-request`` (ADP-004.4); ``shutdown`` or end of input ends the loop (ADP-011).
"""

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
                if not isinstance(request, dict):
                    response = adapter.error(None, "bad-request", "a request is a JSON object")
                elif not isinstance(request.get("seq"), int) or isinstance(request["seq"], bool):
                    response = adapter.error(None, "bad-request", "no integer seq (ADP-004.4)")
                else:
                    response = adapter.handle(request)
            stdout.write(json.dumps(response, separators=(",", ":")) + "\n")
            stdout.flush()
            if adapter.shutting_down:
                break
    finally:
        adapter.close()
    return 0
