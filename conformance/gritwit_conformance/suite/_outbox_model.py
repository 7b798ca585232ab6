"""The outbox chain WIT-009.5 builds, computed from the spec, for the suite's tests of it.

*D* (the entries a step changed) is merged down while the base has at most 256 entries
or the top at least half the base's, the union at most 65,536 (WIT-009.6); the new
mailbox's id is the step's ``outbox`` (ID-004).  The runtime profile's tests
(``runtime/test_outbox_chain.py``, ``runtime/test_outbox_cap_edges.py``) and the Wit
profile's (``wit/test_outbox_levels.py``) compare an implementation's chain with it.
"""

from __future__ import annotations

import hashlib

import gritwit as g

__all__ = ["MERGE_CAP", "SMALL_BASE", "Model", "fresh_id"]

#: WIT-009.5: a base with at most this many entries is merged whatever the top.
SMALL_BASE = 256
#: WIT-009.6: the most entries a merged mailbox may hold.
MERGE_CAP = 65_536

Raw = dict[str, str]  # text-form recipient -> text-form message id


def fresh_id(i: int) -> str:
    """The ``i``-th id no actor has (a hash of no core, WIT-009.4)."""
    return hashlib.sha256(b"WIT-009.5 fresh %d" % i).hexdigest()


class Model:
    """The outbox chain WIT-009.5 makes, computed from the spec: levels top first, each
    ``(id, own entries)``."""

    def __init__(self) -> None:
        self.levels: list[tuple[str, Raw]] = []

    def map(self) -> Raw:
        found: Raw = {}
        for _, entries in reversed(self.levels):
            found.update(entries)
        return found

    def step(self, sets: Raw) -> str | None:
        """Apply a step that set ``sets``; the new outbox's id (``None``: absent)."""
        old = self.map()
        changed = {r: m for r, m in sets.items() if old.get(r) != m}
        if not changed:
            return self.levels[0][0] if self.levels else None
        top, below = changed, list(self.levels)
        while below:
            base = below[0][1]
            union = len(base.keys() | top.keys())
            if union > MERGE_CAP:
                break
            if len(base) > SMALL_BASE and 2 * len(top) < len(base):
                break
            top = {**base, **top}
            below = below[1:]
        base_id = below[0][0] if below else None
        box = g.Mailbox(
            entries={g.ObjectId.from_hex(r): g.ObjectId.from_hex(m) for r, m in top.items()},
            base=None if base_id is None else g.ObjectId.from_hex(base_id),
        )
        oid = g.object_id(box).hex()
        self.levels = [(oid, top), *below]
        return oid

    def shape(self) -> list[int]:
        return [len(entries) for _, entries in self.levels]
