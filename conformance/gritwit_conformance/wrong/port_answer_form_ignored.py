"""Wrong adapter: a request's ``port-answer: blob`` is read and ignored (PORT-008.3).

The port accepts the header but answers every response as PORT-008.1's tree, so an
actor that asked for one blob (one that reads no tree) gets a content it cannot read.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-008.3"}),
    "failed",
    "port-answer: blob accepted, the answer a tree all the same",
)


def _answer_form(reader: Any, request: Any) -> str:
    return "tree"  # the bug: whatever the request asked


def install() -> None:
    patch(_port, "_answer_form", _answer_form)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
