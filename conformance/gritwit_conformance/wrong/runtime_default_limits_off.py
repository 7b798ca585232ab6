"""Wrong adapter: the runtime's defaults are the values of a test setup (RUN-005.1, RUN-012.4).

Left over from a benchmark configuration: without ``time_limit`` a transition may
run 60 s instead of 5, and without ``max_resident`` 1000 actors stay resident
instead of 10000. Everything given explicitly works.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit_conformance.wrong import patch, run


def install() -> None:
    patch(adapter_runtime, "TIME_LIMIT", 60.0)
    patch(adapter_runtime, "MAX_RESIDENT", 1000)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
