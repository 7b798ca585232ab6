"""Wrong adapter (open-loop, written from spec/ alone):
one try plus 5 retries, 6 attempts (RUN-004.3).

RUN-004.3 retries a failed transition "up to 5 attempts in total" (the first included).
An implementer who reads "retry it ... up to 5" as five *retries* after the first try
(`for retry in range(5)`) runs 6 attempts before marking the actor failed: `rt-run`
lists 6 failed attempts, and the failure record says `"attempts":6`.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import ATTEMPTS, Runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-004.3"}),
    "failed",
    "a failing transition is tried 6 times (one try plus 5 retries) before its actor is marked"
    " failed",
)

FAILING = "443215d9c5591300b07c578b52ff0d82087700ec97a8f6dc14b000bf77a0ebe9"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "rt-open", "path": "{tmp}"},
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "failing"},
    {"cmd": "rt-run", "runtime": "r1", "max_steps": 10},  # attempts: 5 in the reference
    {"cmd": "rt-ref", "runtime": "r1", "name": f"names/failed/{FAILING}"},  # "attempts":5
]


class RetriesFiveTimesRuntime(Runtime):
    """The reference runtime, whose default attempts count the first try apart."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attempts", 1 + ATTEMPTS)  # the bug: 1 try + 5 retries
        super().__init__(*args, **kwargs)


def install() -> None:
    patch(adapter_runtime, "Runtime", RetriesFiveTimesRuntime)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
