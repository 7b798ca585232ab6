"""Wrong adapter: every ``poll_oneoff`` is refused, even one that waits for nothing (SBX-005.23).

The host refuses polling as a whole (SBX-005.3 read without SBX-005.23): ``select`` on no
descriptor with a timeout of 0, or ``time.sleep(0)``, ends the run ``forbidden-operation``
though nothing waits.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls
from gritwit_conformance.wrong import run


def install() -> None:
    params, results, _ = _calls.FUNCTIONS["poll_oneoff"]
    _calls.FUNCTIONS["poll_oneoff"] = (params, results, _calls._refuse("poll_oneoff"))  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, install)
