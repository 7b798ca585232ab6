"""Wrong adapter: every ``poll_oneoff`` is refused, even one that waits for nothing (SBX-005.23).

The host refuses polling as a whole (SBX-005.3 read without SBX-005.23): ``select`` on no
descriptor with a timeout of 0, or ``time.sleep(0)``, ends the run ``forbidden-operation``
though nothing waits.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.23"}),
    "failed",
    "refuses every poll_oneoff, one that waits for nothing too: select on nothing with "
    "timeout 0, or time.sleep(0), ends forbidden-operation",
    timeout=STARTUP_TIMEOUT,
)


def install() -> None:
    params, results, old = _calls.FUNCTIONS["poll_oneoff"]
    refuse = _calls._refuse("poll_oneoff")  # the bug; WASI calls pass arguments by position
    shape = "(state, subscriptions, events, count, out)"
    bent = fault("_calls.FUNCTIONS[poll_oneoff]", old, refuse, written_for=shape)
    _calls.FUNCTIONS["poll_oneoff"] = (params, results, bent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
