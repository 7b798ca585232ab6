"""Wrong adapter: a new core whose ``wit`` names no test actor is refused when it is
adopted (WIT-029.2).

WIT-007.2 checks only the structure; such a core MUST be adopted, and the actor's
next transition fails ``unknown-wit``.
"""

from __future__ import annotations

from typing import Any

from gritwit._errors import GritError
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import TEST_ACTORS, _assemble
from gritwit.wit._cores import WIT, code_name
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-029.2"}),
    "failed",
    "refuses a new core whose wit names no test actor when it is adopted",
)

_problem = _assemble.core_problem


def _named(reader: Any, core: Any) -> str | None:
    problem = _problem(reader, core)
    if problem is not None:
        return problem
    try:
        name = code_name(reader, core.entries[WIT])
    except GritError:
        return None  # another runtime: as the reference
    return None if name in TEST_ACTORS else f"{name!r} names no test actor"  # the bug


if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(_assemble, "core_problem", _named))
