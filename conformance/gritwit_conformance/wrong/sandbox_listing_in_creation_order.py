"""Wrong adapter: a directory lists its entries in the order they were made (SBX-005.7,
SBX-005.13).

``fd_readdir`` walks the in-memory directory as a host file system would, in its own
order (here: the order entries were made), not by the names' UTF-8 bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.7", "SBX-005.13"}),
    "failed",
    'fd_readdir lists a directory in creation order, not by the names" UTF-8 bytes',
    timeout=STARTUP_TIMEOUT,
)


def unsorted(items: Iterable[Any], **_kwargs: Any) -> list[Any]:
    return list(items)  # the bug: no sorting of the names


def install() -> None:
    source = Path(_calls.__file__).read_text(encoding="utf-8")
    assert "sorted(entries)" in source, "fd_readdir no longer sorts: out of date"
    bent = fault("_calls.sorted", sorted, unsorted)  # fd_readdir's only sort
    _calls.sorted = bent  # type: ignore[attr-defined]  # shadows the builtin in _calls


if __name__ == "__main__":
    run(ReferenceAdapter, install)
