"""Wrong adapter: a core's walks read its objects one at a time (SBX-006.15, RUN-005.10).

The bound's walk where a ``python-wasi`` core enters (SBX-006.17) and the mount's count
(SBX-006.15) find the right sums, read each distinct object once and refuse what they
should, but never read ahead: each object is a store query and a call through every
reader of the transition.  A flat core of 2**18 *distinct* blobs then costs a genesis
about 8 s of lane CPU on SQLite (the reference, reading a page of ids at a time and
walking the core once for the bound and the mount: 2.9 to 3.2 s at a load of 5 on 2
cores, with its interpreter loaded), past RUN-005.1's default bound on a transition.

Not caught by the suite yet: its flat genesis core names one blob at 2**18 names (the
reference's own ``tests/test_core_walked_once.py`` adopts one of 2**18 distinct blobs
under the default bound, and fails with this bug).
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _mount
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox", "runtime"),
    frozenset({"SBX-006.15", "RUN-005.10"}),
    "failed",
    "reads a core's objects one at a time at the bound's walk and at the mount: a flat "
    "core of 2**18 distinct blobs overruns the default bound on a transition",
    timeout=STARTUP_TIMEOUT,
    gap="no suite test mounts a flat core of 2**18 distinct blobs under the default bound "
    "on a transition (the reference's own test does)",
)


def read_ahead(reader: Any, oids: Any, budget: int) -> dict[Any, Any]:
    return {}  # the bug: nothing read ahead, every object read alone


def install() -> None:
    patch(_mount, "read_ahead", read_ahead)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
