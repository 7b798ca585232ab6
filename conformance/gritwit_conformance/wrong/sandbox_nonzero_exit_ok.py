"""Wrong adapter: a non-zero exit status is not a failure (SBX-008.3).

The host treats every ``proc_exit`` as the end of the program, whatever its status
(but the prelude's reserved ones): an uncaught exception or ``sys.exit(2)`` gives a
successful run with the core the program left.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _prelude
from gritwit.sandbox.wasi import _calls
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-008.3"}),
    "failed",
    "a non-zero exit status is a successful end of the program",
    timeout=STARTUP_TIMEOUT,
)

_real = _calls.FUNCTIONS["proc_exit"]


def proc_exit(*args: Any, **kwargs: Any) -> None:
    # the state and the exit code, passed as the reference's table passes them
    *state, code = [*args, *kwargs.values()]
    if code not in (_prelude.EXIT_FORBIDDEN, _prelude.EXIT_MEMORY):
        code = 0  # the bug
    _real[2](*state, code)


def install() -> None:
    _calls.FUNCTIONS["proc_exit"] = (
        _real[0],
        _real[1],
        fault("_calls.FUNCTIONS[proc_exit]", _real[2], proc_exit),
    )


if __name__ == "__main__":
    run(ReferenceAdapter, install)
