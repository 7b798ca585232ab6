"""Run-wide settings the plugin sets before test modules are imported."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["RunSettings", "settings"]


@dataclass(slots=True)
class RunSettings:
    """What ``--impl`` and friends chose for this run (also read by xdist workers)."""

    impl: str = "reference"
    timeout: float = 10.0
    examples: int = int(os.environ.get("GRITWIT_CONFORMANCE_EXAMPLES", "100"))
    smoke: bool = False
    vectors: Path | None = None


settings = RunSettings()
