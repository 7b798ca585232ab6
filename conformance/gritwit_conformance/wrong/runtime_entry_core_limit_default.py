"""Wrong adapter: where a ``python-wasi`` core enters, it is checked against the default
core limit, not the runtime's (SBX-007.7).

``rt-open``'s ``max_core_bytes`` reaches the runs: a run mounts a core and reads back what
it left under the runtime's limit.  But the check where a core enters (a genesis, an
update, SBX-006.17) and the check of an import (SBX-006.18) read the sandbox's default,
64 MiB: under a limit of 1 001 bytes, a genesis core of 1 002 is not refused ``too-large``
where it enters but fails ``output-too-large`` at every run's mount, an update past the
limit is adopted, and an import past it is taken.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox", "runtime"),
    frozenset({"SBX-007.7"}),
    "failed",
    "the entry and import checks of a python-wasi core read the default core limit, the "
    "mount the runtime's",
    timeout=STARTUP_TIMEOUT,
)

_bound_core = _actor.SandboxWits.bound_core


def bound_core(self: _actor.SandboxWits, reader: Any, core: Any) -> None:
    # the bug: the check is made under the sandbox's default limits, not the runtime's
    _bound_core(_actor.SandboxWits(), reader, core)


def install() -> None:
    patch(_actor.SandboxWits, "bound_core", bound_core)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
