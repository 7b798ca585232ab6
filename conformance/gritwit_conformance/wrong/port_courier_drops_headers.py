"""Wrong adapter: ``courier`` sends only a request's method and URL (PORT-010.1).

The courier copies ``mt``, ``port-method`` and ``port-url`` from the ``request`` blob and
drops its other headers (``port-keep``, ``port-time-limit``): the port keeps the default
response headers and a request's own time limit is never asked for.
"""

from __future__ import annotations

from typing import Any

from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _courier
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-010.1"}),
    "failed",
    "the courier queues only mt, port-method and port-url of the request blob's headers",
)

_real_get_blob = _courier.get_blob
_KEPT = ("mt", "port-method", "port-url")


def _get_blob(reader: Any, oid: Any) -> Blob | None:
    blob = _real_get_blob(reader, oid)
    if blob is None:
        return None
    headers = {k: v for k, v in blob.headers.items() if k in _KEPT}  # the bug
    return Blob(data=blob.data, headers=headers)


def install() -> None:
    patch(_courier, "get_blob", _get_blob)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
