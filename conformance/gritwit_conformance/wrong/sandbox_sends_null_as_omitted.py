"""Wrong adapter: ``null`` in ``/out/sends.json`` is read as the key left out (SBX-004.5).

``"data": null`` becomes an empty blob and ``"headers": null`` no headers, where the
chapter says ``data`` is base64 text and ``headers`` an object: such a file is malformed
→ ``invalid-transition``.
"""

from __future__ import annotations

import json

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-004.5"}),
    "failed",
    "reads null for data or headers in /out/sends.json as the key left out: an empty "
    "blob, no headers, where the file is malformed → invalid-transition",
    timeout=STARTUP_TIMEOUT,
)

_real = _run._sends


def _sends(data: bytes | None, limit: int) -> object:
    if data is not None and len(data) <= limit:
        try:
            items = json.loads(data)
        except (ValueError, RecursionError):
            return _real(data, limit)
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    for key in ("data", "headers"):
                        if key in item and item[key] is None:
                            del item[key]  # the bug: null taken for the key left out
            data = json.dumps(items).encode()
    return _real(data, limit)


def install() -> None:
    patch(_run, "_sends", _sends)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
