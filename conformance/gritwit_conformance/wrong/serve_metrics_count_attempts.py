"""Wrong adapter: ``gritwit_transitions_total`` counts failed attempts too (HTTP-014.2).

Each attempt at a transition is counted, whether it adopted a step or failed: an actor
marked failed after five attempts adds five transitions that left no step behind.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-014.2"}),
    "failed",
    "gritwit_transitions_total counts every attempt, the failed ones too, not the steps adopted",
)


def install() -> None:
    from gritwit.serve import _metrics

    original = _metrics.ServiceMetrics.ran

    def ran(self: Any, report: Any) -> None:
        original(self, report)
        if report.failures:
            self._transitions.inc(len(report.failures))  # the bug

    patch(_metrics.ServiceMetrics, "ran", ran)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
