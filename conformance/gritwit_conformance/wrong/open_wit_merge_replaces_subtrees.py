"""Wrong adapter (open-loop, written from spec/ alone):
the default update replaces a subtree instead of merging it (WIT-013.4).

WIT-013.4: an entry of the update replaces the entry of the same name, "except that two
trees of the same name are merged recursively". An implementer who writes the merge as a
shallow map update (`core.entries.update(update.entries)`, Go's `maps.Copy`) gets every
top-level entry right, but an update naming one entry of a sub-tree drops that sub-tree's
other entries: what the old core carried over is lost.
"""

from __future__ import annotations

from gritwit._objects import Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _executor
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-013.4"}),
    "failed",
    "the default update is a shallow merge: a sub-tree named by the update replaces the "
    "old sub-tree whole instead of being merged recursively",
)

#: A counter core with a sub-tree `cfg` = {a: 01, b: 02}; its id is the actor's.
_CORE = {
    "tree": {
        "wit": {"blob": "636f756e746572", "headers": {"runtime": "test-actor"}},
        "cfg": {"tree": {"a": {"blob": "01"}, "b": {"blob": "02"}}},
    }
}
_ACTOR = "8b21ad4481dd5705e9f8b7e4b8ec0fbf41a75ea368bf5914c6f78c05e771ab02"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-send", "runtime": "w1", "to": _ACTOR, "mt": "genesis", "content": _CORE},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
    # the update sets cfg/a only: the merged core keeps cfg/b
    {
        "cmd": "wit-send",
        "runtime": "w1",
        "to": _ACTOR,
        "mt": "update",
        "content": {"tree": {"cfg": {"tree": {"a": {"blob": "09"}}}}},
    },
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
    {"cmd": "wit-head", "runtime": "w1", "actor": _ACTOR},
]


def _shallow_merge(reader, old, update):  # type: ignore[no-untyped-def]
    """Entry by entry, sub-trees replaced whole."""
    merged = Tree(entries={**old.entries, **update.entries})
    return merged, (merged,)


def install() -> None:
    patch(_executor, "merge", _shallow_merge)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
