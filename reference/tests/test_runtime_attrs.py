"""The runtime's parts own their state: a ratchet on what its modules share.

:mod:`asv_bench.tools.runtime_attrs` counts the ``self`` attributes each module of the
runtime uses; the parts held by :class:`~gritwit.runtime.Runtime` (``TimeBound``,
``ResidentActors``, ``RunBounds``, ``HeadHints``, ``Commits``, ``CatchUp``,
``Transitions``, ``Scheduler``) keep their state to themselves, so no other module reads it, and the
names shared between modules do not grow back: in all, and of them the state (neither a
method nor a reference to a part).  A part asks another only through the public names of
a seam (:mod:`gritwit.runtime._seams`): no module of the parts reaches another
object's private names.
"""

from __future__ import annotations

from asv_bench.tools import runtime_attrs

#: Attributes shared by more than one runtime module after the split (51 before it);
#: 21 with ``_mark_sent``, the runtime's method its parts call as they call ``_mark``
#: (RUN-020.6), a method, not state; 20 once one transition's attempts are a part
#: (``Transitions``, which owns ``failures``); 16 once the runs are a part too
#: (``Scheduler``, which owns the actors to run and the share, and marks them); 14 once
#: the parts ask each other through the seams: ``_mark``, ``_mark_sent`` and
#: ``_commit_group`` gone, the runs handed to the parts as their ``Marks`` (``_marks``).
SHARED_AT_MOST = 14
#: Of them, state: neither a method nor a collaborator (a reference to a part).
SHARED_STATE_AT_MOST = 0
#: Of them, private names that are not references to parts: 3 before the seams
#: (``_commit_group``, ``_mark``, ``_mark_sent``).
SHARED_PRIVATE_METHODS_AT_MOST = 0
#: Another object's private names a module of the parts reaches (``self._commits._send_all``):
#: 9 before the seams (``_abandon_group``, ``_again``, ``_commit_group``, ``_drive``,
#: ``_drive_inline``, ``_mark``, ``_mark_sent``, ``_pending``, ``_send_all``).
CROSSINGS_AT_MOST = 0

#: State a part (or a layer) owns, which no other module of the runtime reads through ``self``.
OWNED = {
    "_disk": {"halted", "turns", "unsettled", "unsettled_bytes", "_halted", "_turns"},
    "_bound": {"_kinds", "inline", "_inline"},
    "_resident": {"_resident", "_events", "_clock"},
    "_hints": {"_heads_read", "_journal_fresh", "journal_fresh", "_read"},
    "_commit": {
        "_sink",
        "_idle_now",
        "_wake",
        "_group_sends",
        "_old_outside_ref",
        "begin",
        "wake_on_send",
        "sink",
        "send_all",
        "_send_with_group",
        "commit_group",
        "abandon_group",
        "_forget_adoption",
    },
    "_catchup": {
        "_loaded",
        "_synced",
        "_catch_up",
        "pending",
        "_route_grouped_sends",
        "start_run",
        "start_rounds",
        "forget",
    },
    "_transition": {
        "_grouped",
        "_sleep",
        "_send",
        "attempts",
        "first_backoff",
        "failures",
        "_prepare",
        "_adopt",
        "drive",
        "drive_inline",
        "_read_all",
        "_mark_failed",
    },
    "_schedule": {
        "_dirty",
        "_running",
        "share",
        "attempts_from",
        "max_steps",
        "wire",
        "mark",
        "mark_sent",
        "again",
        "_mine",
        "_run",
        "_rounds",
        "_evict_between_rounds",
    },
}


def test_self_attributes_are_read_from_the_source() -> None:
    names = runtime_attrs.self_attributes("class A:\n    def f(self):\n        self.x = self.y()\n")
    assert names == {"x", "y"}
    assert runtime_attrs.methods("class A:\n    def f(self): pass\n    x = 1\n") == {"f"}


def test_the_runtime_modules_share_no_more_than_after_the_split() -> None:
    per, shared = runtime_attrs.count()
    assert {"_runtime", "_schedule", "_disk", "_bound", "_resident"} <= per.keys()
    assert len(shared) <= SHARED_AT_MOST, sorted(shared)


def test_the_state_they_share_does_not_grow_back() -> None:
    per, shared = runtime_attrs.count()
    defined: set[str] = set()
    for name in per:
        defined |= runtime_attrs.methods(
            (runtime_attrs.RUNTIME / f"{name}.py").read_text(encoding="utf-8")
        )
    state = set(shared) - defined - runtime_attrs.COLLABORATORS
    assert len(state) <= SHARED_STATE_AT_MOST, sorted(state)


def test_shared_private_names_are_references_to_parts() -> None:
    _, shared = runtime_attrs.count()
    private = {a for a in shared if a.startswith("_")} - runtime_attrs.COLLABORATORS
    assert len(private) <= SHARED_PRIVATE_METHODS_AT_MOST, sorted(private)


def test_crossings_are_read_from_the_source() -> None:
    source = "def f(self, s):\n    self._a._b()\n    s._c\n    self._d\n    s.__e__\n"
    assert runtime_attrs.crossings(source) == {"_b", "_c"}


def test_no_part_reaches_another_objects_private_names() -> None:
    crossed = runtime_attrs.crossed()
    assert len(crossed) <= CROSSINGS_AT_MOST, sorted(crossed.items())


def test_a_parts_state_is_read_by_no_other_module() -> None:
    per, _ = runtime_attrs.count()
    for part, owned in OWNED.items():
        for module, names in per.items():
            if module != part:
                assert not owned & names, f"{module} reads {sorted(owned & names)} of {part}"
