"""Wrong adapter: ``counter`` counts every increment twice — ``inc`` of 1 adds 2 (WIT-020).

Only the core entry ``count`` is wrong; everything else a step holds (inbox,
outbox, replies read from the wrong count aside) is the reference's.  The
suite must catch it, and its failure message must show the entry ``count``
with the expected and the got value (ADP-017): ``conformance/tests/
test_diff_reports.py`` checks the terminal, JUnit and HTML outputs for that.
"""

from __future__ import annotations

import dataclasses

from gritwit import object_id
from gritwit._objects import Blob, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit.wit._model import TransitionInput, TransitionOutput, Wit, get_blob
from gritwit_conformance.wrong import WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-020"}),
    "failed",
    "counter counts every increment twice: an inc of 1 adds 2 to its core entry count",
    smoke=True,
)


def _count(blob: Blob | None) -> int:
    text = b"0" if blob is None else blob.data
    return int(text) if text.isdigit() else 0


def doubled(transition: Wit) -> Wit:
    def adds_two(inp: TransitionInput) -> TransitionOutput:
        out = transition(inp)
        new_id = out.core.entries.get("count")
        old_id = inp.core.entries.get("count")
        if new_id is None or new_id == old_id:
            return out
        created = {object_id(obj): obj for obj in out.new_objects}
        new_blob = created.get(new_id)
        if not isinstance(new_blob, Blob):
            return out
        old = _count(None if old_id is None else get_blob(inp.objects, old_id))
        new = _count(new_blob)
        wrong = Blob(data=str(new + (new - old)).encode("utf-8"))  # the bug: twice the step
        core = Tree(entries={**out.core.entries, "count": object_id(wrong)})
        kept = tuple(o for o in out.new_objects if o is not new_blob and o != out.core)
        return dataclasses.replace(out, core=core, new_objects=(*kept, wrong, core))

    return adds_two


def install() -> None:
    actor = _actors.TEST_ACTORS["counter"]
    _actors.TEST_ACTORS["counter"] = dataclasses.replace(
        actor,
        transition=fault("TEST_ACTORS[counter]", actor.transition, doubled(actor.transition)),
    )


if __name__ == "__main__":
    run(ReferenceAdapter, install)
