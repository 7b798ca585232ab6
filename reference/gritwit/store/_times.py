"""Step times (RUN-027): when a step first became an actor's head in a store.

A step holds no time (OBJ-015), so two runs of one transition make one step and replay,
teleport and every comparison of steps see one object.  A person still asks when an
actor last ran: a store that can keeps, beside its refs, the time a swap first set each
step as the target of ``heads/<actor>`` (the writer's clock, in the swap's own write,
RUN-027.1).  It is no object and in no id or bundle; a step without one shows none
(RUN-027.2).  The memory, SQLite and PostgreSQL stores keep them (PostgreSQL with
the server's clock); a backend without ``step_times`` keeps none.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from .._ids import ObjectId

__all__ = ["format_step_time", "step_times"]


class _Stored(Protocol):
    """A :class:`~gritwit.store.Store`, as far as step times need it (its backend)."""

    @property
    def backend(self) -> object: ...


def step_times(store: _Stored, oids: Iterable[ObjectId]) -> dict[ObjectId, float]:
    """The recorded step time of each of ``oids`` that has one, in seconds since the
    epoch (RUN-027.1); empty where the store keeps none (RUN-027.2)."""
    reader = getattr(store.backend, "step_times", None)
    return {} if reader is None else dict(reader(list(oids)))


def format_step_time(seconds: float | None) -> str | None:
    """A step time as ISO 8601 UTC to the second (``2026-11-27T16:21:02Z``), ``None``
    for none (RUN-027.2)."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
