"""Wrong adapter: a response's status is given with its reason phrase (PORT-008.1).

The port writes ``port-status`` as an HTTP status line ends, ``200 OK``, where the
clause asks for the status alone as a canonical decimal.
"""

from __future__ import annotations

import http
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-008.1"}),
    "failed",
    "port-status holds the reason phrase too: 200 OK",
)

_real_make_headers = _port.make_headers


def _make_headers(headers: Any) -> Any:
    out = dict(headers)
    if "port-status" in out:  # the bug: the status line's tail, not the decimal
        status = int(out["port-status"])
        out["port-status"] = f"{status} {http.HTTPStatus(status).phrase}"
    return _real_make_headers(out)


def install() -> None:
    patch(_port, "make_headers", _make_headers)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
