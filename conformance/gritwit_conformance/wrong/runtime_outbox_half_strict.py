"""Wrong adapter: an outbox's top merges into its base only past half, not at half (WIT-009.5).

The rule merges a top *C* into a base *B* of more than 256 entries when
2·|C| ≥ |B|; this runtime reads "at least half" as "more than half" (2·|C| > |B|), so a
top of exactly half its base's entries stays a level of its own, and the outbox's id
differs from the one the rule gives (ID-004).
"""

from __future__ import annotations

from collections.abc import Mapping

from gritwit._objects import Mailbox
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _assemble, _outbox
from gritwit.wit._outbox import MERGE_CAP, SMALL_BASE, OutboxChain
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"WIT-009.5"}),
    "failed",
    "merges an outbox's top into a base of more than 256 entries only when 2·|C| > |B|",
    copied_from=(("gritwit.wit._outbox:build_outbox", "3468e78e683b6da1"),),
)


def build_outbox(chain: OutboxChain, sets: Mapping[str, bytes]) -> Mailbox | None:
    """The reference's builder, with the half rule's comparison strict."""
    changed = _outbox._changed(chain, sets)
    if not changed:
        return None
    entries = changed
    levels, ids = chain.levels, chain.ids
    depth = 0
    while depth < len(levels):
        below = levels[depth]
        if len(below) > SMALL_BASE and 2 * len(entries) <= len(below):  # the bug: <= for <
            break
        if len(entries) + len(below) > MERGE_CAP:
            fresh = [key for key in below if key not in entries]
            if len(entries) + len(fresh) > MERGE_CAP:
                break
            for key in fresh:
                entries[key] = below[key]
        else:
            for key, value in below.items():
                entries.setdefault(key, value)
        depth += 1
    ordered = dict(sorted(entries.items())) if len(entries) > 1 else entries
    return _outbox._mailbox(ordered, ids[depth] if depth < len(ids) else None)


def install() -> None:
    patch(_assemble, "build_outbox", build_outbox)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
