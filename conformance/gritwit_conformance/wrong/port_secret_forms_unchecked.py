"""Wrong adapter: the operator's secrets are taken in any form (PORT-009.1).

``rt-open`` takes the ``secrets`` object as it comes: a name with capitals or dots, or
longer than 64 characters, an empty value or one with a line feed, even a number, is
held as a secret instead of refused ``bad-request``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import Secrets
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-009.1"}),
    "failed",
    "a secret's name and value are not checked: any object is held as the secrets",
)


def _parse_secrets(raw: object) -> Secrets:
    values: dict[str, Any] = dict(raw) if isinstance(raw, dict) else {}
    return Secrets(values)  # the bug: no name or value judged


def install() -> None:
    patch(adapter_runtime, "parse_secrets", _parse_secrets)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
