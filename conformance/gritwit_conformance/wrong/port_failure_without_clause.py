"""Wrong adapter: a failure does not say the clause it breaks (PORT-008.2).

The port's failures carry ``mt``, ``port-id`` and ``error`` and leave out ``clause``:
an actor (and an operator reading its inbox) learns the class of a refusal, never which
rule refused it.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-008.2"}),
    "failed",
    "a failure carries no clause header",
)

_real_make_headers = _port.make_headers


def _make_headers(headers: Any) -> Any:
    kept = {k: v for k, v in dict(headers).items() if k != "clause"}  # the bug
    return _real_make_headers(kept)


def install() -> None:
    patch(_port, "make_headers", _make_headers)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
