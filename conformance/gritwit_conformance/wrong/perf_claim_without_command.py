"""Wrong adapter: claims ``perf`` in ``hello`` but has no ``perf-run`` (ADP-018.1).

The profile was listed ahead of its implementation: every ``perf-run`` is
answered ``unsupported-command``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import run


class ClaimOnly(ReferenceAdapter):
    cmd_perf_run = None  # type: ignore[assignment]


if __name__ == "__main__":
    run(ClaimOnly, lambda: None)
