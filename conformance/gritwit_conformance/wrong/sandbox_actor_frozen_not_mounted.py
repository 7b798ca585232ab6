"""Wrong adapter: the ``frozen`` entry is kept out of the mount, as code is (SBX-011.3).

The host treats ``frozen`` like ``wit``: not mounted, put back unchanged. A program
cannot see it, and one that tries to remove it fails for another reason than
``frozen-core``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(_actor, "CODE_ENTRIES", _actor.CODE_ENTRIES | {"frozen"})  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, install)
