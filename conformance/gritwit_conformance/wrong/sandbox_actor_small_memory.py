"""Wrong adapter: an actor's transitions run under a 64 MiB memory limit (SBX-010.1).

The host gives actors a tighter memory limit than the chapter's default, to keep many
of them resident: a transition that fits the default 256 MiB fails ``memory-limit``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-010.1"}),
    "failed",
    'runs actors" transitions under a 64 MiB memory limit instead of the default',
    timeout=STARTUP_TIMEOUT,
)

_real_init = _actor.SandboxWits.__init__


def init(self: _actor.SandboxWits, *args: Any, **kwargs: Any) -> None:
    _real_init(self, *args, **kwargs)
    self.limits = _actor.SandboxLimits(memory_bytes=64 << 20)  # the bug


def install() -> None:
    patch(_actor.SandboxWits, "__init__", init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
