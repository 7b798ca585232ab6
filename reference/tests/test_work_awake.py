"""An inline attempt's awake time, as the backstop reads it (RUN-005.9, RUN-005.8).

The backstop looks at an attempt's awake time only past its 60-second floor, so no
conformance test can see how that time is made: these tests read the pieces directly,
with the clock and the kernel's report of a thread's waits for a CPU stood in for.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from gritwit.runtime import _work


class _Clock:
    """A monotonic clock set by hand, and a count of the thread waits it read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, waits: list[float]) -> None:
        self.now = 1000.0
        self.reads = 0
        self._waits = waits
        monkeypatch.setattr(time, "monotonic", lambda: self.now)  # the module _work reads
        monkeypatch.setattr(_work, "_waited", self._waited)
        monkeypatch.setattr(_work, "_sample", (0, -1e18, None))

    def _waited(self, path: str | None) -> float | None:
        self.reads += 1
        return self._waits[min(self.reads, len(self._waits)) - 1]


@pytest.mark.req("RUN-005.9")
def test_the_waits_are_read_at_most_once_a_second_per_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = _Clock(monkeypatch, [2.0, 3.0, 4.0, 5.0])
    assert _work.waits_sample() == (1000.0, 2.0)
    clock.now = 1001.0  # exactly a second later: the sample still holds
    assert _work.waits_sample() == (1000.0, 2.0)
    assert clock.reads == 1
    clock.now = 1001.5  # more than a second: read again
    assert _work.waits_sample() == (1001.5, 3.0)
    seen: list[tuple[float, float | None]] = []
    other = threading.Thread(target=lambda: seen.append(_work.waits_sample()))
    other.start()
    other.join()
    assert seen == [(1001.5, 4.0)], "another thread reads its own waits at once"
    assert clock.reads == 3


@pytest.mark.req("RUN-005.9")
def test_awake_is_the_wall_time_less_the_waits_since_the_sample(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = _Clock(monkeypatch, [5.5])
    clock.now = 1010.0
    assert _work.awake_since(1000.0, (1000.0, 2.0)) == pytest.approx(10.0 - 3.5)
    assert clock.reads == 1
    assert _work.awake_since(1000.0, (1000.0, None)) == pytest.approx(10.0)
    assert clock.reads == 1, "no waits sampled: the wall time, with no file read"
    _Clock(monkeypatch, [None])  # type: ignore[list-item]
    assert _work.awake_since(990.0, (990.0, 2.0)) == pytest.approx(10.0)


@pytest.mark.req("RUN-005.8")
def test_a_thread_s_waits_are_the_second_field_of_its_schedstat(tmp_path: Path) -> None:
    stat = tmp_path / "schedstat"
    stat.write_text("123456789 2500000000 17\n", encoding="ascii")
    assert _work._waited(str(stat)) == pytest.approx(2.5)
    assert _work._waited(None) is None
    assert _work._waited(str(tmp_path / "absent")) is None
