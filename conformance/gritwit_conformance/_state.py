"""Run-wide settings the plugin sets before test modules are imported."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["NOT_CLAIMED", "RunSettings", "settings"]

#: How the plugin skips a test of a profile the implementation does not claim (ADP-006):
#: the report tells *not claimed* from any other skip by this prefix.
NOT_CLAIMED = "not claimed"


@dataclass(slots=True)
class RunSettings:
    """What ``--impl`` and friends chose for this run (also read by xdist workers)."""

    impl: str = "reference"
    timeout: float = 10.0
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


settings = RunSettings()
