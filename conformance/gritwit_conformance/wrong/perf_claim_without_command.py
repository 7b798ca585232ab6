"""Wrong adapter: claims ``perf`` in ``hello`` but has no ``perf-run`` (ADP-018.1).

The profile was listed ahead of its implementation: every ``perf-run`` is
answered ``unsupported-command``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("perf",),
    frozenset({"ADP-018.1"}),
    "failed",
    "claims perf in hello but answers perf-run with unsupported-command",
    smoke=True,
)


class ClaimOnly(ReferenceAdapter):
    cmd_perf_run = None  # type: ignore[assignment]


if __name__ == "__main__":
    run(ClaimOnly, lambda: None)
