"""How many parts a store server divides its refs into (DUR-005.5), written once.

A store kept by a server takes a lock and keeps a journal of swaps per part, so that
writers of different parts never wait for one another, and a runtime of a share reads
only the parts its actors' refs fall in (DUR-005.5, RUN-021).  The store that divides
the refs (:mod:`._pg_schema`) and the runtime that asks for the parts of its share
(:mod:`gritwit.runtime._notes`) must count the same parts: a runtime counting fewer
would never ask for the last ones, and miss every swap there.
"""

from __future__ import annotations

from typing import Final

__all__ = ["PARTS"]

#: The parts of a store's refs, each with its lock and journal (DUR-005.5): one per value
#: of an actor id's 16th hex digit, the digit a share of up to 16 is read from (RUN-021).
PARTS: Final = 16
