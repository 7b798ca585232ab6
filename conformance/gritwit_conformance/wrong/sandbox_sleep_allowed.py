"""Wrong adapter: ``poll_oneoff`` returns at once instead of being refused (SBX-005.3).

The host answers a sleep as if it had passed (one clock event, no error): waiting is
not a forbidden operation, and a program that sleeps runs on.
"""

from __future__ import annotations

import struct
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.3"}),
    "failed",
    "poll_oneoff answers at once instead of being refused: sleeping is not forbidden",
    timeout=STARTUP_TIMEOUT,
)


def poll_oneoff(state: Any, subscriptions: int, events: int, count: int, out: int) -> int:
    done = 0
    for index in range(count):  # the bug: every subscription is answered, none refused
        sub = state.read(subscriptions + 48 * index, 48)
        (userdata,) = struct.unpack_from("<Q", sub, 0)
        kind = sub[8]
        state.write(events + 32 * done, struct.pack("<QHB5x16x", userdata, 0, kind))
        done += 1
    state.u32(out, done)
    return 0


def install() -> None:
    params, results, old = _calls.FUNCTIONS["poll_oneoff"]
    bent = fault("_calls.FUNCTIONS[poll_oneoff]", old, poll_oneoff)
    _calls.FUNCTIONS["poll_oneoff"] = (params, results, bent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
