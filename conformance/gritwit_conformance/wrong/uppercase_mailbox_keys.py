"""Wrong adapter: mailbox keys may use uppercase hex digits (OBJ-014, ID-003)."""

from __future__ import annotations

from gritwit import _objects
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_objects, "_HEX", frozenset("0123456789abcdefABCDEF"))  # the bug: case-insensitive


if __name__ == "__main__":
    run(ReferenceAdapter, install)
