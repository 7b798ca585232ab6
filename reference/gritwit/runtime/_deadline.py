"""The transition's deadline, kept below the runtime in :mod:`gritwit._deadline` (RUN-005.10).

Re-exported here, where the runtime's lane and older imports find it.
"""

from __future__ import annotations

from .._deadline import (
    CHECK_EVERY,
    Deadline,
    checkpoint,
    current_deadline,
    deadline_scope,
    on_deadline_change,
)

__all__ = [
    "CHECK_EVERY",
    "Deadline",
    "checkpoint",
    "current_deadline",
    "deadline_scope",
    "on_deadline_change",
]
