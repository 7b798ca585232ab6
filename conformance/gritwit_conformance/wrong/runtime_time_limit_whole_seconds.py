"""Wrong adapter: the time bound is rounded up to whole seconds (RUN-005.5).

A runtime whose timer counts whole seconds (an alarm, a duration built from an integer)
rounds ``time_limit`` up: right for the bounds of 0.1, 0.5 and 1 s the suite tested,
whose naps overrun 1 s too, and too lenient for 1.25 s.  A parameter tested
only at values that share a structure with the implementation's choice.
"""

from __future__ import annotations

import math

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _bound, _runtime
from gritwit.runtime._cache import ObjectCache
from gritwit.wit import Executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-005.6"}),
    "failed",
    "the time bound is rounded up to whole seconds (1.25 s acts as 2 s)",
)


class WholeSeconds(_bound.TimeBound):
    """The reference's time bound, whose limit is rounded up to a whole second."""

    def __init__(
        self,
        cache: ObjectCache,
        executor: Executor,
        *,
        inline: bool,
        time_limit: float,
    ) -> None:
        super().__init__(cache, executor, inline=inline, time_limit=float(math.ceil(time_limit)))


def install() -> None:
    patch(_runtime, "TimeBound", WholeSeconds)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
