"""Wrong adapter: ``max_step_bytes`` is taken but no step is checked against it (RUN-022.3).

``rt-open`` answers the bound in ``settings``, and a step of any size is adopted.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _disk
from gritwit.wit import Assembled
from gritwit_conformance.wrong import patch, run


def bound_step(self: _disk.DiskBounds, built: Assembled) -> None:
    return None  # the bug: never step-too-large


def install() -> None:
    patch(_disk.DiskBounds, "_bound_step", bound_step)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
