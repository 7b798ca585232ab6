"""Wrong adapter: after a forbidden operation, every later Python transition fails
(SBX-013.2).

The host keeps one sandbox per process and marks it compromised when a program tries
a forbidden operation: from then on every Python actor's transition fails
``forbidden-operation``, the neighbours of the hostile program included.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import ForbiddenOperation
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-013.2"}),
    "failed",
    "after one forbidden operation every later Python transition in the process fails "
    "forbidden-operation",
    timeout=STARTUP_TIMEOUT,
)

_real = _actor.run_python
_POISONED: list[ForbiddenOperation] = []


def run_python(source: str, **kwargs: Any) -> Any:
    if _POISONED:
        raise _POISONED[0]  # the bug
    try:
        return _real(source, **kwargs)
    except ForbiddenOperation as exc:
        _POISONED.append(exc)
        raise


def install() -> None:
    patch(_actor, "run_python", run_python)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
