"""The runtime's parts own their state (issue 43, item 5): a ratchet on what its modules share.

:mod:`asv_bench.tools.runtime_attrs` counts the ``self`` attributes each module of the
runtime uses; the parts held by :class:`~gritwit.runtime.Runtime` (``TimeBound``,
``ResidentActors``, ``RunBounds``, ``HeadHints``) keep their state to themselves, so no other module
reads it, and the names shared between modules do not grow back.
"""

from __future__ import annotations

from asv_bench.tools import runtime_attrs

#: Attributes shared by more than one runtime module after the split (51 before it); 33
#: with ``_mark_sent``, the method the parts call as they call ``_mark`` (RUN-020.6).
SHARED_AT_MOST = 33

#: State a part owns, which no other module of the runtime reads through ``self``.
OWNED = {
    "_disk": {"halted", "turns", "unsettled", "unsettled_bytes", "_halted", "_turns"},
    "_bound": {"_kinds", "inline", "_inline"},
    "_resident": {"_resident", "_events", "_clock"},
    "_hints": {"_heads_read", "_journal_fresh", "journal_fresh", "_read"},
}


def test_self_attributes_are_read_from_the_source() -> None:
    names = runtime_attrs.self_attributes("class A:\n    def f(self):\n        self.x = self.y()\n")
    assert names == {"x", "y"}
    assert runtime_attrs.methods("class A:\n    def f(self): pass\n    x = 1\n") == {"f"}


def test_the_runtime_modules_share_no_more_than_after_the_split() -> None:
    per, shared = runtime_attrs.count()
    assert {"_runtime", "_schedule", "_disk", "_bound", "_resident"} <= per.keys()
    assert len(shared) <= SHARED_AT_MOST, sorted(shared)


def test_a_parts_state_is_read_by_no_other_module() -> None:
    per, _ = runtime_attrs.count()
    for part, owned in OWNED.items():
        for module, names in per.items():
            if module != part:
                assert not owned & names, f"{module} reads {sorted(owned & names)} of {part}"
