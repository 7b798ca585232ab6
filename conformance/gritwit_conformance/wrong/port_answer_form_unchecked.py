"""Wrong adapter: any ``port-answer`` is accepted (PORT-008.3).

The port reads only ``blob`` and takes every other value, ``json`` included, for ``tree``,
where the clause refuses it ``port-invalid``: a request that asked for a form the port
does not give is sent anyway.
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-008.3"}),
    "failed",
    "a port-answer neither tree nor blob is sent as a tree, not refused",
)


def _asked_form(headers: Mapping[str, str]) -> str:
    return headers.get("port-answer", "tree")  # the bug: no value is refused


def install() -> None:
    patch(_port, "_asked_form", _asked_form)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
