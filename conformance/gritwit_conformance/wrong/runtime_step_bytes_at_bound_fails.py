"""Wrong adapter: a step of exactly ``max_step_bytes`` fails (RUN-022.2).

``>=`` where the spec says more than (``>``): the bound is one byte smaller than given.
"""

from __future__ import annotations

from gritwit._errors import StepTooLarge
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _disk
from gritwit.wit import Assembled
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-022.2"}),
    "failed",
    "a step that adds exactly max_step_bytes fails step-too-large: the bound is one "
    "byte smaller than given",
)


def bound_step(self: _disk.RunBounds, built: Assembled) -> None:
    added = _disk.added_bytes(self._store, built.encodings, self._cache.pinned_ids())
    if added >= self.max_step_bytes:  # the bug: >= for >
        raise StepTooLarge("RUN-022.3", f"{added} bytes")


def install() -> None:
    patch(_disk.RunBounds, "bound_step", bound_step)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
