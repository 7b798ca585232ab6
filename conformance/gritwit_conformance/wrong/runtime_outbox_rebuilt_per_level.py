"""Wrong adapter: a step's outbox built by copying and re-sorting the union at every level
it merges (WIT-009.7).

The mailbox is WIT-009.5's, byte for byte, but the work grows with the square of the
levels merged: over an imported chain of 8 000 one-entry mailboxes the echo's next
step spends about 9 s of CPU, past RUN-005's default 5 s at every attempt, and the
actor is marked failed, where the step must be built in work linear in what it merges.
This is how the reference built it until 2026-11-29.  The copy stops at each level once
its attempt is given up (RUN-005.10), as the reference's walks do, so the five failing
attempts cost their bounds, not their whole quadratic work, and the run ends in time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gritwit._deadline import checkpoint
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _assemble, _outbox
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"WIT-009.7"}),
    "failed",
    "builds a step's outbox by copying and re-sorting the union at every level it merges: "
    "quadratic in the levels of an imported chain",
)


def _build_outbox(chain: Any, sets: Mapping[str, bytes]) -> Any:
    changed = {key: value for key, value in sets.items() if chain.get(key) != value}
    if not changed:
        return None
    entries = dict(sorted(changed.items())) if len(changed) > 1 else changed
    levels, ids = chain.levels, chain.ids
    depth = 0
    while depth < len(levels):
        checkpoint()  # an attempt given up stops here, so the five cost their bounds only
        below = levels[depth]
        union = len(below) + sum(1 for key in entries if key not in below)
        if union > _outbox.MERGE_CAP:
            break
        if len(below) > _outbox.SMALL_BASE and 2 * len(entries) < len(below):
            break
        merged = {**below, **entries}  # the bug: the union copied at every level,
        entries = (
            merged if len(merged) == len(below) else dict(sorted(merged.items()))
        )  # and sorted
        depth += 1
    return _outbox._mailbox(entries, ids[depth] if depth < len(ids) else None)


def install() -> None:
    patch(_outbox, "build_outbox", _build_outbox)
    patch(_assemble, "build_outbox", _build_outbox)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
