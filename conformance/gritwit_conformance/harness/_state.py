"""Run-wide settings the plugin sets before test modules are imported."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["NOT_APPLICABLE", "NOT_CLAIMED", "RunSettings", "scaled", "settings"]

#: How the plugin skips a test of a profile the implementation does not claim (ADP-006):
#: the report tells *not claimed* from any other skip by this prefix.
NOT_CLAIMED = "not claimed"
#: How the plugin skips a test that ``--spec-version X`` leaves out: every clause it
#: cites is newer than X (CONV-003). The report tells *not applicable* by this prefix.
NOT_APPLICABLE = "not applicable"


@dataclass(slots=True)
class RunSettings:
    """What ``--impl`` and friends chose for this run (also read by xdist workers)."""

    impl: str = "reference"
    timeout: float = 10.0
    #: Every answer limit is multiplied by this (``--timeout-scale``; calibrated when None).
    timeout_scale: float | None = None
    examples: int = int(os.environ.get("GRITWIT_CONFORMANCE_EXAMPLES", "100"))
    smoke: bool = False
    vectors: Path | None = None
    #: The ``hello`` result of the handshake checked before the run, and for which command.
    hello: dict[str, Any] | None = None
    hello_of: str | None = None
    #: The signal that interrupted the run (``SIGINT``, ``SIGTERM``), or None.
    interrupted: str | None = None
    #: Profiles the run was limited to (``--profile``); empty: all of them.
    profiles: list[str] = field(default_factory=list)
    #: ``--spec-version X``: tests whose every cited clause is newer than X are left out
    #: as *not applicable*; None: every test applies.
    spec_version: str | None = None


settings = RunSettings()


def scaled(seconds: float) -> float:
    """``seconds`` of a test's margin, scaled like the answer limits (ADP-012).

    A suite test that must give an implementation time — a bound a quick transition
    must stay within, a wait before an idle rule is checked — asks for it through this
    function, so a loaded machine widens the margin as it widens every answer limit:
    ``settings.timeout_scale`` (``--timeout-scale``, or the run's calibration), 1.0 when
    the run has none. Only margins that a *correct* implementation needs are scaled;
    a bound a wrong one must break is physical (a sleep lasts at least its length) and
    is never scaled (docs/guide/time.md, "Tests that depend on time").
    """
    scale = settings.timeout_scale
    return seconds * (1.0 if scale is None else scale)
