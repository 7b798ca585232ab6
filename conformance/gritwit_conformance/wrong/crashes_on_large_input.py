"""Broken adapter: dies (exit status 70) on a ``bytes`` argument over 4 KiB (ADP-012).

It says why on standard error first, which the harness must show.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"ADP-012"}),
    "errored",
    "exits (status 70) on any bytes argument over 4 KiB",
    reason="the adapter exited (status 70)",
    smoke=True,
)

LIMIT = 4096


class Adapter(ReferenceAdapter):
    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        data = request.get("bytes")
        if isinstance(data, str) and len(data) > 2 * LIMIT:  # the bug: a fixed-size buffer
            sys.stderr.write(f"fatal: input buffer overflow ({len(data) // 2} > {LIMIT} bytes)\n")
            sys.stderr.flush()
            os._exit(70)
        return super().handle(request)


if __name__ == "__main__":
    run(Adapter)
