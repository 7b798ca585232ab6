"""Wrong adapter: a forbidden operation the prelude stops is a ``program-exit``
(SBX-008.2).

The host classes only what WASI itself refused as forbidden, and treats the prelude's
reserved exit status (120) as any non-zero exit: ``os.system``, a fork or a file
outside the mount ends the run as ``program-exit``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_run, "EXIT_FORBIDDEN", -1)  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, install)
