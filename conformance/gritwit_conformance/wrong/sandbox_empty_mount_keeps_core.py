"""Wrong adapter: a mount left empty keeps the old core (SBX-004.2).

When a program removes everything under ``/core``, the host answers the core it
mounted instead of ``null``: "nothing left" is read as "nothing changed".
"""

from __future__ import annotations

import dataclasses
from typing import Any

import gritwit.sandbox as sandbox
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-004.2"}),
    "failed",
    "a mount left empty answers the old core instead of null",
    timeout=STARTUP_TIMEOUT,
)

_real = sandbox.run_python


def run_python(source: str, **kwargs: Any) -> Any:
    result = _real(source, **kwargs)
    if result.core is None and kwargs.get("core") is not None:
        return dataclasses.replace(result, core=kwargs["core"])  # the bug
    return result


def install() -> None:
    patch(sandbox, "run_python", run_python)
    patch(_actor, "run_python", run_python)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
