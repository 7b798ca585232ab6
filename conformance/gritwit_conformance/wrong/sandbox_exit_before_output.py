"""Wrong adapter: a non-zero exit wins over too much output (SBX-008.1).

The host reports the exit status first: a program that writes past the output limit
and then exits with 1 is ``program-exit``, where the order of SBX-008.1 makes it
``output-too-large``.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import OutputTooLarge, ProgramExit
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit.sandbox.wasi import _calls
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-008.1"}),
    "failed",
    "a non-zero exit wins over too much output: output-then-exit is program-exit",
    timeout=STARTUP_TIMEOUT,
)

_real = _run._execute
_EXITS: list[int] = []
_real_exit = _calls.FUNCTIONS["proc_exit"]


def proc_exit(state: Any, code: int) -> None:
    _EXITS.append(code)
    _real_exit[2](state, code)


def execute(*args: Any) -> int:
    _EXITS.clear()
    try:
        return _real(*args)
    except OutputTooLarge:
        code = _EXITS[-1] if _EXITS else 0
        if code not in (0, _run.EXIT_FORBIDDEN, _run.EXIT_MEMORY):
            raise ProgramExit("SBX-008.3", f"exit status {code}") from None  # the bug
        raise


def install() -> None:
    _calls.FUNCTIONS["proc_exit"] = (_real_exit[0], _real_exit[1], proc_exit)
    patch(_run, "_execute", execute)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
