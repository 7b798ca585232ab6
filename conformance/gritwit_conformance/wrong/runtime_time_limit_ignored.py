"""Wrong adapter: the runtime ignores the configured time bound (RUN-005.2, RUN-005.6).

``rt-open`` checks ``time_limit`` and answers it in its settings, as if in effect, but
the runtime it opens always bounds transitions by the default of 5 s: the option is
not wired through. ``slow`` overruns any bound, so only a transition that really takes
longer than the configured bound and less than the default shows it.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-005.2", "RUN-005.6"}),
    "failed",
    "rt-open answers the configured time_limit in its settings, but the runtime always "
    "bounds transitions by the default 5 s: a transition of 1.5 s under a bound of 0.5 s "
    "is adopted",
    smoke=True,
)

_Runtime = adapter_runtime.Runtime


def runtime(store: Any, *, time_limit: float, **options: Any) -> Any:
    return _Runtime(store, time_limit=adapter_runtime.TIME_LIMIT, **options)  # the bug


def install() -> None:
    patch(adapter_runtime, "Runtime", runtime)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
