"""Wrong adapter: a run halts once its bytes pass ``max_run_bytes``, not once they reach it
(RUN-023.2).

``>`` where the spec says reach (``>=``): a run whose steps add exactly ``max_run_bytes``
starts one transition more.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _disk
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-023.2"}),
    "failed",
    "a run halts once its bytes pass max_run_bytes, not once they reach it: a run whose "
    "steps add exactly the bound starts one transition more",
)


def counted(self: _disk.RunBounds, added: int) -> None:
    self.run_bytes += added
    if self.run_bytes > self.max_run_bytes:  # the bug: > for >=
        self.halted = True


def must_learn(self: _disk.RunBounds) -> bool:
    return self.run_bytes + self._group.bytes > self.max_run_bytes


def install() -> None:
    patch(_disk.RunBounds, "counted", counted)
    patch(_disk.RunBounds, "must_learn", must_learn)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
