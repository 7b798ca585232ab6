"""Broken adapter: pretty-prints its answers to ``decode`` over several lines (ADP-001.3).

A leftover ``indent=2`` from debugging, on the one command whose answer is a
nested object.
"""

from __future__ import annotations

import json
import sys

import gritwit_conformance.wrong as wrong
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._stdio import answer
from gritwit_conformance.wrong import patch, run


def serve(adapter: ReferenceAdapter) -> int:
    """The reference's serve loop, but ``decode`` answers are indented."""
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            request, response = answer(adapter, line)
            indent = 2 if request.get("cmd") == "decode" else None  # the bug
            sys.stdout.write(json.dumps(response, indent=indent) + "\n")
            sys.stdout.flush()
            if adapter.shutting_down:
                break
    finally:
        adapter.close()
    return 0


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(wrong, "serve", serve))
