"""Wrong adapter: a ``python-wasi`` core is bounded only where a run mounts it (SBX-006.17).

The mount refuses a core past SBX-006.15's entries (``output-too-large``, before the
program runs), but nothing refuses it where it enters: a genesis core past 2**18 entries
fails ``output-too-large`` at every attempt, an update past it is adopted and fails every
later run, and an import of such a head (SBX-006.18) is taken.  Each must instead fail
``too-large`` where the core enters, adopting nothing.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox", "runtime"),
    frozenset({"SBX-006.17", "SBX-006.18"}),
    "failed",
    "no bound where a python-wasi core enters: only a run's mount refuses it",
)


def bound_core(self: _actor.SandboxWits, reader: Any, core: Any) -> None:
    return None  # the bug: the mount alone bounds the core, at every run


def install() -> None:
    patch(_actor.SandboxWits, "bound_core", bound_core)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
