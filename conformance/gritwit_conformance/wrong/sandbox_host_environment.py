"""Wrong adapter: the program sees the host's environment variables (SBX-005.2).

The host passes the environment of a host shell (``HOME``, ``LANG``, ``PATH``) through
``environ_get``, as a WASI host does when told to inherit its own.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit_conformance.wrong import patch, run

#: What a host shell gives every process (the host's own values, fixed here so that the
#: interpreter's start-up, and so its snapshot, is the same in every adapter process).
HOST_ENVIRONMENT = ("HOME=/root", "LANG=C.UTF-8", "PATH=/usr/local/bin:/usr/bin:/bin")


def install() -> None:
    patch(_calls, "_ENV", HOST_ENVIRONMENT)  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, install)
