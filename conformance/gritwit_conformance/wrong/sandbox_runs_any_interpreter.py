"""Wrong adapter: the interpreter a run asks for is never compared with the one held
(SBX-002.1, SBX-002.2).

``sandbox-run`` checks that ``interpreter`` is an id and then runs its own build, and
a ``wit`` blob naming any interpreter runs on it too: code written for another build
runs on this one.
"""

from __future__ import annotations

from typing import Any

from gritwit._ids import ObjectId
from gritwit._objects import Blob
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor, _wit
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-002.1", "SBX-002.2", "ADP-019.3"}),
    "failed",
    "never compares the interpreter a run or a wit blob names with the one it holds: its own "
    "build runs",
    timeout=STARTUP_TIMEOUT,
)

_real = _wit.program_of


def program_of(blob: Blob, held: ObjectId) -> str:
    named = blob.headers.get("interpreter")
    if named is not None:
        try:
            ObjectId.from_hex(named)
        except Exception:  # not an id: let the reference refuse it
            return _real(blob, held)
        blob = Blob(data=blob.data, headers={**blob.headers, "interpreter": held.hex()})
    return _real(blob, held)  # the bug: whatever it named, the held one runs


class AnyInterpreter(ReferenceAdapter):
    def cmd_sandbox_run(self, args: dict[str, Any]) -> dict[str, Any]:
        named = args.get("interpreter")
        if isinstance(named, str) and len(named) == 64:
            try:
                ObjectId.from_hex(named)
            except Exception:
                return super().cmd_sandbox_run(args)
            args = {k: v for k, v in args.items() if k != "interpreter"}  # the bug
        return super().cmd_sandbox_run(args)


def install() -> None:
    patch(_actor, "program_of", program_of)


if __name__ == "__main__":
    run(AnyInterpreter, install)
