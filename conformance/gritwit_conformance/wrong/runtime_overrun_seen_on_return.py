"""Wrong adapter: an overrun fails when the transition returns, not at its bound (RUN-005.7).

Each transition that the reference bounds with a timer (a worker thread, the engine
lane) runs to its end instead, and only then is its duration compared with
``time_limit``: an overrun still fails the attempt (RUN-005.3), but each attempt
holds the run for as long as the transition takes, not for one bound.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import TypeVar

from gritwit._ids import ObjectId
from gritwit._objects import Step
from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _attempt, _bound
from gritwit.wit import Assembled
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-005.7"}),
    "failed",
    "a bounded transition runs to its end and only then is its duration compared with "
    "time_limit: an overrun fails when the transition returns, not when the bound passes",
)

T = TypeVar("T")

_real_lane = _bound.run_in_lane


async def timed_after(work: Callable[[], T], time_limit: float) -> T:
    """Wait for ``work`` to return, then compare its duration with the bound."""
    started = time.monotonic()
    result = await asyncio.to_thread(work)
    if time.monotonic() - started > time_limit:  # the bug: checked once it returned
        raise TimeoutError
    return result


async def lane_timed_after(work: Callable[[], T], time_limit: float) -> T:
    started = time.monotonic()
    result = await _real_lane(work, 1e9)  # no timer: it runs to its end
    if time.monotonic() - started > time_limit:  # the bug: checked once it returned
        raise TimeoutError
    return result


_real_build = _bound.TimeBound.build


async def build(
    self: _bound.TimeBound,
    actor: ObjectId,
    last_id: ObjectId | None,
    last: Step | None,
    found: _attempt.Found,
    turn: _bound.Turn | None = None,
) -> Assembled | None:
    """:meth:`TimeBound.build` with the thread awaited to its end; inline, the reference's."""
    lane = self.in_lane(actor, last, found)
    if not lane and self.inline and not _bound._naps(found):
        return await _real_build(self, actor, last_id, last, found, turn)
    build = functools.partial(self._executor.build, actor, last, found, last_id=last_id)
    work = _bound._turned(turn, build)  # started and finished as the reference's (RUN-023.2)
    if lane:
        return await lane_timed_after(work, self.time_limit)
    return await timed_after(work, self.time_limit)


def install() -> None:
    patch(_bound.TimeBound, "build", build)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
