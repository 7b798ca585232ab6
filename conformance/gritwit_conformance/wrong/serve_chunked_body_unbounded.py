"""Wrong adapter: the body limit is checked on ``Content-Length`` alone (HTTP-013.1).

A body announced too long is refused 413 before it is read; a chunked body, which
announces nothing, is read whole, however long it grows.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-013.1"}),
    "failed",
    "the body limit is checked on Content-Length only: a chunked body is read whole",
)


def install() -> None:
    from gritwit.serve import _middleware

    original = _middleware.LimitsMiddleware._read

    async def _read(self: Any, receive: Any, limit: int, taken: list[int]) -> bytes | bytearray:
        data: bytes | bytearray = await original(self, receive, 1 << 62, taken)  # the bug
        return data

    patch(_middleware.LimitsMiddleware, "_read", _read)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
