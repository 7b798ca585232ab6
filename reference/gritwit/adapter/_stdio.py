"""``gritwit adapter``: the reference over newline-delimited JSON on stdio (ADP-001, ADP-011).

One compact JSON line per response on standard output, nothing else (ADP-001.3,
ADP-001.4); a line that is no JSON object is answered ``seq: null``,
``bad-request`` (ADP-004.4); ``shutdown`` or end of input ends the loop (ADP-011).
"""

from __future__ import annotations

import json
import sys
from typing import IO, Any

from ._handler import ReferenceAdapter

__all__ = ["serve"]


class _RepeatedKey(ValueError):
    """A JSON object of the line repeats a key (ADP-004.7, OBJ-018.10)."""


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: a JSON object, refused when it names a key twice."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _RepeatedKey(f"the key {key!r:.40} is repeated in one JSON object")
            seen.add(key)
    return found


def answer(adapter: ReferenceAdapter, line: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """One request line → (the request, or ``{}`` if unreadable; its response).

    A line that is no JSON object with an integer ``seq`` (ADP-004.4), or in which a
    JSON object repeats a key (ADP-004.7), is answered ``seq: null``, ``bad-request``.
    """
    try:
        request = json.loads(line, object_pairs_hook=_no_repeats)
    except json.JSONDecodeError as exc:
        return {}, adapter.error(None, "bad-request", f"not JSON: {exc}")
    except _RepeatedKey as exc:
        return {}, adapter.error(None, "bad-request", str(exc), requirement="ADP-004.7")
    if not isinstance(request, dict):
        return {}, adapter.error(None, "bad-request", "a request is a JSON object")
    if not isinstance(request.get("seq"), int) or isinstance(request["seq"], bool):
        return request, adapter.error(None, "bad-request", "no integer seq (ADP-004.4)")
    return request, adapter.handle(request)


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
            _, response = answer(adapter, line)
            stdout.write(json.dumps(response, separators=(",", ":")) + "\n")
            stdout.flush()
            if adapter.shutting_down:
                break
    finally:
        adapter.close()
    return 0
