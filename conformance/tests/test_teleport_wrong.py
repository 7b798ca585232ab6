"""``gritwit teleport`` catches every way a move can go wrong, each in a wrong adapter.

Each entry of :data:`CAUGHT_BY` is a wrong adapter of
:data:`gritwit_conformance.wrong.WRONG` (the reference with one fault in a move) and
the scenario that shows its fault.  ``gritwit teleport`` between the in-process
reference and that adapter must fail that scenario — the adapter imports the actors,
then exports them back (``GRITWIT_PROFILE=deep``: in both directions) — naming the
clauses the fault breaks, while
``test_teleport.py`` shows two unmodified reference processes pass the same runs.
(``test_wrong_adapters.py`` shows that ``gritwit conform`` catches them too, through
the suite's teleport tests.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_teleport import DEEP, teleport

from gritwit_conformance.teleport import SCENARIOS
from gritwit_conformance.wrong import WRONG, command

#: wrong adapter → the scenario whose moves show its fault.
CAUGHT_BY = {
    "runtime_export_drops_image_chunk": "image",
    "runtime_import_drops_in_flight": "in-flight",
    "runtime_import_resets_cursors": "in-flight",
    "runtime_import_squashes_history": "counter",
    "runtime_import_continues_outside_chain": "counter",
}


@pytest.mark.req("RUN-009.7", "CONV-002")
def test_every_wrong_move_in_the_table_is_checked_here() -> None:
    """Each wrong adapter blamed on RUN-009.7 (a move between implementations) is listed."""
    moves = {name for name, entry in WRONG.items() if "RUN-009.7" in entry.failed}
    assert moves == set(CAUGHT_BY)
    assert set(CAUGHT_BY.values()) <= set(SCENARIOS)


@pytest.mark.slow
@pytest.mark.req("RUN-009.7", "RUN-009.8", "RUN-009.9", "RUN-009.10", "RUN-009.11", "RUN-009.12")
@pytest.mark.parametrize("name", sorted(CAUGHT_BY))
def test_teleport_catches(name: str, tmp_path: Path) -> None:
    entry, scenario = WRONG[name], CAUGHT_BY[name]
    # reference → wrong → reference: the adapter imports, then exports (both ways: deep)
    one_way = [] if DEEP else ["--one-way"]
    status, document, output = teleport(
        tmp_path, "--a", "reference", "--b", command(name), "--scenario", scenario, *one_way
    )
    assert status == 1, f"{name}: exit {status}, not 1\n{output[-4000:]}"
    for direction in document["directions"]:
        assert direction["status"] == "fail", (name, direction)
        (item,) = direction["scenarios"]
        assert item["status"] == "failed" and item["stage"] != "source", item
        blamed = set(item["requirements"])
        assert entry.failed <= blamed, (
            f"{name}: the failure names {sorted(blamed)}, not {sorted(entry.failed)}"
        )
        assert item["reason"], item
