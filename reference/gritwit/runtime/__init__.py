"""The reference runtime (spec chapter *runtime*, RUN-001 … RUN-007).

* :class:`Runtime` — asyncio scheduling of transitions over a memory or durable
  store: persistence order, one writer per actor, retries, time limits and
  recovery from the heads alone;
* :func:`heads`, :func:`history`, :func:`check_runtime` — reading it back.
"""

from __future__ import annotations

from ._index import FAILED_PREFIX, RoutingIndex, failed_ref
from ._inspect import RuntimeCheck, check_runtime, heads, history
from ._runtime import ATTEMPTS, FIRST_BACKOFF, TIME_LIMIT, Runtime

__all__ = [
    "ATTEMPTS",
    "FAILED_PREFIX",
    "FIRST_BACKOFF",
    "TIME_LIMIT",
    "RoutingIndex",
    "Runtime",
    "RuntimeCheck",
    "check_runtime",
    "failed_ref",
    "heads",
    "history",
]
