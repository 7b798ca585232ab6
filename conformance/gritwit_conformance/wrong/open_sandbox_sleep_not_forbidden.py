"""Wrong adapter (open-loop, written from spec/ alone): poll_oneoff (sleeping) fails ENOTSUP but
is not a forbidden operation (SBX-005.3).

SBX-005.3 makes ``poll_oneoff`` (waiting, sleeping) fail with ``ENOTSUP`` *and* end the
run → ``forbidden-operation``, as the socket functions.  An implementer who reads
sleeping as harmless — the clock is fixed anyway — only answers ``ENOTSUP``: the
program sees an ``OSError`` from ``time.sleep`` and goes on, so a run that sleeps ends
``program-exit`` (uncaught) or even succeeds (caught); the sockets stay forbidden.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit.sandbox.wasi._fs import ENOTSUP, WasiError
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.3"}),
    "failed",
    "poll_oneoff (time.sleep) fails ENOTSUP but is not a forbidden operation: the run "
    "ends program-exit, or succeeds when the program catches the OSError",
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "sandbox-run", "program": "import time\ntime.sleep(0.01)\nprint('woke')\n"},
    {
        "cmd": "sandbox-run",
        "program": (
            "import time\ntry:\n    time.sleep(0.01)\nexcept OSError:\n    pass\nprint('ok')\n"
        ),
    },
]


def _poll_oneoff(state: object, *_args: int) -> int:
    raise WasiError(ENOTSUP)  # the bug: no forbidden attempt recorded


def install() -> None:
    params, results, old = _calls.FUNCTIONS["poll_oneoff"]
    bent = fault("_calls.FUNCTIONS[poll_oneoff]", old, _poll_oneoff)
    _calls.FUNCTIONS["poll_oneoff"] = (params, results, bent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
