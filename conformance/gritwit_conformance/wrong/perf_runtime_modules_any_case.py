"""Wrong adapter: a runtime workload's ``modules`` are read as hex of any case (ADP-018.7).

``bytes.fromhex`` is the obvious way to read a module, and it takes upper-case
digits too; ADP-018.7 (with ADP-004) wants lowercase hex, anything else
``bad-request``. The work done is right: only the argument check is lax.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter, _perf_runtime
from gritwit.adapter._args import BadRequest
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("perf",),
    frozenset({"ADP-018.7"}),
    "failed",
    "a runtime workload's modules are read with bytes.fromhex: upper-case hex is "
    "accepted instead of refused as bad-request",
)


def _any_case_hex(args: dict[str, Any], key: str) -> bytes:
    try:
        return bytes.fromhex(args[key])  # the bug: "ABCD" is accepted as well
    except (TypeError, ValueError):
        raise BadRequest(f"{key} must be hex") from None


def install() -> None:
    patch(_perf_runtime, "_hex", _any_case_hex)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
