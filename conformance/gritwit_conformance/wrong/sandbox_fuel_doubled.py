"""Wrong adapter: a run gets twice the fuel asked for (SBX-006.1).

The host counts fuel in units of two instructions, as an engine with another
metering might, and sets the store's fuel to twice the limit: a program that needs
more than the limit, but less than twice it, runs to the end.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-006.1"}),
    "failed",
    "gives a run twice the fuel asked for",
    timeout=STARTUP_TIMEOUT,
)

_real = _run._execute


def execute(
    module: Any, engine: Any, stdout: Any, stderr: Any, state: Any, limits: Any, *rest: Any
) -> int:
    doubled = dataclasses.replace(limits, fuel=2 * limits.fuel)  # the bug
    return int(_real(module, engine, stdout, stderr, state, doubled, *rest))


def install() -> None:
    patch(_run, "_execute", execute)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
