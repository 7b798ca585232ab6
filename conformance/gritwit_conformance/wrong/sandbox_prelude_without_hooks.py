"""Wrong adapter: the prelude names nothing a program tries (SBX-005.6).

The host relies on WASI alone: no audit hook and no stubs for ``os.system``,
``fork`` and the like. Starting a process or opening a file outside the mount still
fails inside the guest, but as an ordinary exception: the run ends as
``program-exit``, or goes on when the program catches it.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.6"}),
    "failed",
    "relies on WASI alone, without the prelude's audit hook and stubs: a process or a file "
    "outside the mount ends as program-exit",
    timeout=STARTUP_TIMEOUT,
)


def install() -> None:
    prelude = _run.PRELUDE
    start = prelude.index("def _hook(")
    end = prelude.index('os.chdir("/core")')
    patch(_run, "PRELUDE", prelude[:start] + prelude[end:])  # the bug: hook and stubs gone


if __name__ == "__main__":
    run(ReferenceAdapter, install)
