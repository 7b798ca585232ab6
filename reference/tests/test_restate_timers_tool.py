"""``asv_bench/tools/restate_timers.py``: its gritwit side, run for real on a small load.

No Restate here (it is not a dependency): the tool's gritwit side starts ``gritwit serve``
on loopback, sets timers through alarms over HTTP (TIM-008, HTTP-005.7), waits for them
and reads each fire's lateness back from the store (the alarm's step time, RUN-027,
less the fire's ``timer-set-for``, TIM-003.1). No figure is asserted: only that every
timer was read back once and none was delivered before its time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asv_bench.tools import restate_timers as tool


def test_the_near_delays_are_spread_evenly_from_the_lead() -> None:
    assert tool._near_delays(4, 1_000, 2_000) == [1_000, 1_500, 2_000, 2_500]


@pytest.mark.req("TIM-003.1", "TIM-002.4", "RUN-027.1")
def test_the_gritwit_side_reads_back_every_fire_none_early(tmp_path: Path) -> None:
    delays = tool._near_delays(20, 300, 400)
    result = tool._gritwit_side(pending=1_000, delays=delays, folder=tmp_path / "store")
    late = result["late"]
    assert isinstance(late, list) and len(late) == len(delays), late
    assert all(ms >= 0 for ms in late), f"delivered before the time set for: {sorted(late)[:3]}"
    assert float(result["cpu_s"]) > 0  # type: ignore[arg-type]
