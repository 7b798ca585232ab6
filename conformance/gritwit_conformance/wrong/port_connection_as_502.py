"""Wrong adapter: a failed connection is answered as a response (PORT-005.7).

The port answers as a gateway would: a request whose connection is refused gets a
``port-response`` of status 502 with an empty body, not the failure ``port-connection``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-005.7"}),
    "failed",
    "a refused connection is answered as a response of status 502, not port-connection",
)

_real_perform = _port.perform


def _perform(
    req: _port.Prepared,
    secrets: Any,
    bounds: _port.PortBounds,
    resolve: Callable[[str, int], list[str]] = _port.resolve,
) -> _port.Outcome:
    outcome = _real_perform(req, secrets, bounds, resolve)
    if isinstance(outcome, _port.Failure) and outcome.error == "port-connection":
        return _port.Response(502, (), b"")  # the bug: a gateway's answer
    return outcome


def install() -> None:
    patch(_port, "perform", _perform)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
