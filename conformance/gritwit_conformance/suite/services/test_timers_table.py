"""The timers pending are the timer party's head core, laid out as TIM-006.2 says: two
levels of hex digits of a timer's id, then one entry per timer (TIM-006.2).

The layout the suite expects is computed from the clause and the ids it read itself: a
timer's id from the alarm's outbox (TIM-002.2), the setter's from ``rt-genesis``, and
each timer's entry tree from what the request asked (its content, ``to``, ``mt`` and the
time it is set for, TIM-002.4). The party's head core is read through ``rt-object``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, fail
from ._clocked import TIMER, Clocked, blob_id

pytestmark = pytest.mark.profile("services")

START = 1_000_000

#: The table as TIM-006.2 lays it out: two hex digits → the next two → name → entry id.
Table = dict[str, dict[str, dict[str, str]]]


def _tree(rt: Clocked, oid: g.ObjectId, what: str) -> g.Tree:
    found = rt.obj(oid.hex())
    if not isinstance(found, g.Tree):
        fail("TIM-006.2", expected="a tree", came=found, what=what)
    return found


def _head_core(rt: Clocked) -> g.Tree:
    head = rt.head(TIMER)
    if head is None:
        fail("TIM-006.2", expected="a head for the timer party", came="none", what="its head")
    step = rt.obj(head)
    if not isinstance(step, g.Step):
        fail("OBJ-020.1", expected="a step", came=step, what=f"the timer party's head {head}")
    return _tree(rt, step.core, f"the core of the timer party's head {head}")


def _table(rt: Clocked, core: g.Tree) -> Table:
    """The head core's ``timers`` entry read as TIM-006.2 lays it out (empty when absent):
    each of its first two levels must be a tree; the third level's values are ids."""
    if "timers" not in core.entries:
        return {}
    top = _tree(rt, core.entries["timers"], "the timer party's timers entry")
    table: Table = {}
    for first, first_id in top.entries.items():
        level = _tree(rt, first_id, f"the timers entry {first}")
        table[first] = {
            second: {
                name: oid.hex()
                for name, oid in _tree(
                    rt, second_id, f"the timers entry {first}/{second}"
                ).entries.items()
            }
            for second, second_id in level.entries.items()
        }
    return table


def _entry(alarm: str, content: bytes, set_for: int) -> str:
    """The id of a timer's entry tree (TIM-006.2): ``content`` (the request's content)
    and ``timer`` (a blob with empty data and the headers of TIM-003.1's words), for a
    timer the alarm set for itself with ``timer-mt: ring``."""
    headers = {"from": alarm, "to": alarm, "mt": "ring", "set-for": str(set_for)}
    timer = g.Blob(data=b"", headers=headers)
    content_id = g.ObjectId.from_hex(blob_id(content))
    return g.object_id(g.Tree(entries={"content": content_id, "timer": g.object_id(timer)})).hex()


def _expected(alarm: str, timers: dict[str, str]) -> Table:
    """The table of TIM-006.2 holding ``timers`` (id → its entry's id), set by ``alarm``."""
    table: Table = {}
    for tid, entry in timers.items():
        table.setdefault(tid[:2], {}).setdefault(tid[2:4], {})[tid + alarm] = entry
    return table


@pytest.mark.req("TIM-006.2", "TIM-006", "OBJ-020.1")
def test_the_timers_pending_are_filed_under_two_levels_of_digits(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    asked = {b"one": 100, b"two": 200, b"three": 300}
    entries = {
        rt.set(alarm, content=c, after=str(d)): _entry(alarm, c, START + d)
        for c, d in asked.items()
    }
    ids = list(entries)
    core = _head_core(rt)
    check_equal(
        "TIM-006.2",
        ["timers", "wit"],
        sorted(core.entries),
        "the entries of the timer party's head core, three timers pending",
    )
    check_equal(
        "TIM-006.2",
        _expected(alarm, entries),
        _table(rt, core),
        "the timers entry of the party's head core with three timers pending: first two "
        "hex digits of the id, then the next two, then id and setter",
    )
    rt.clock(advance=100)  # the first fires and goes in the step that fires it (TIM-003.2)
    rt.run()
    rt.ask(alarm, {"mt": "timer-cancel", "timer-id": ids[1]})  # the second goes (TIM-005.1)
    left = {ids[2]: entries[ids[2]]}
    check_equal(
        "TIM-006.2",
        _expected(alarm, left),
        _table(rt, _head_core(rt)),
        "the timers entry once the first fired and the second was cancelled: no tree of "
        "the table empty, the digits of the two gone unless the third shares them",
    )
    rt.clock(advance=200)
    rt.run()
    check_equal(
        "TIM-006.2",
        ["wit"],
        sorted(_head_core(rt).entries),
        "the entries of the timer party's head core once no timer is pending",
    )
