"""The multi-runtime tool's CPU cap (a tool that can show scaling on 2 cores).

``asv_bench/_cpucap.py`` chooses cgroup v2 ``cpu.max`` where a v2 hierarchy gives its
groups' children the ``cpu`` controller, else cgroup v1 ``cpu.cfs_quota_us``, else
nothing; it writes the quota and reads how often the cap bound.  These tests point it
at directory trees of their own (a mount table and a ``/proc/self/cgroup`` as text), so
they judge the choice on every machine, whatever its kernel; one test caps a real
process where this machine allows it.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asv_bench._cpucap import PERIOD_US, Cap, Controller, Throttling, find, parse_stat

pytestmark = pytest.mark.req("DUR-005", "RUN-021")

V1_CGROUP = "2:cpu,cpuacct:/box\n1:memory:/box\n0::/\n"
V2_CGROUP = "0::/box\n"


def _v1(tmp_path: Path) -> tuple[str, Path]:
    """A v1 ``cpu,cpuacct`` hierarchy at ``tmp_path/cpu`` with the process in ``/box``."""
    box = tmp_path / "cpu" / "box"
    box.mkdir(parents=True)
    (box / "cpu.cfs_quota_us").write_text("-1\n")
    return f"cgroup {tmp_path / 'cpu'} cgroup rw,relatime,cpu,cpuacct 0 0\n", box


def _v2(tmp_path: Path, controllers: str, subtree: str) -> tuple[str, Path]:
    box = tmp_path / "unified" / "box"
    box.mkdir(parents=True)
    (box / "cgroup.controllers").write_text(controllers + "\n")
    (box / "cgroup.subtree_control").write_text(subtree + "\n")
    return f"cgroup2 {tmp_path / 'unified'} cgroup2 rw,relatime 0 0\n", box


def test_v2_with_the_cpu_controller_enabled_is_chosen(tmp_path: Path) -> None:
    mounts, box = _v2(tmp_path, "cpuset cpu io memory", "cpu memory")
    assert find(mounts, V2_CGROUP) == Controller("v2", box)


def test_v2_enables_the_controller_where_it_may(tmp_path: Path) -> None:
    """Available but not yet given to the children: the module writes ``+cpu`` (a plain
    file here keeps what was written, as a kernel that accepts it shows ``cpu``)."""
    mounts, box = _v2(tmp_path, "cpu memory", "memory")
    controller = find(mounts, V2_CGROUP)
    assert (box / "cgroup.subtree_control").read_text() == "+cpu\n"
    assert controller == Controller("v2", box)


def test_v2_without_the_cpu_controller_falls_back_to_v1(tmp_path: Path) -> None:
    """This machine's case: a unified hierarchy with no controllers, the v1 ``cpu`` one
    mounted beside it."""
    v2_mounts, _ = _v2(tmp_path, "", "")
    v1_mounts, box = _v1(tmp_path)
    assert find(v2_mounts + v1_mounts, V1_CGROUP.replace("0::/", "0::/box")) == Controller(
        "v1", box
    )


def test_neither_gives_none(tmp_path: Path) -> None:
    v2_mounts, _ = _v2(tmp_path, "memory", "memory")
    assert find(v2_mounts, V2_CGROUP) is None
    assert find("proc /proc proc rw 0 0\n", V1_CGROUP) is None
    # a v1 hierarchy without the cpu controller (memory only) is no cap either
    (tmp_path / "mem").mkdir()
    assert find(f"cgroup {tmp_path / 'mem'} cgroup rw,memory 0 0\n", V1_CGROUP) is None


def test_a_v1_hierarchy_without_the_quota_file_is_not_used(tmp_path: Path) -> None:
    mounts, box = _v1(tmp_path)
    (box / "cpu.cfs_quota_us").unlink()  # CONFIG_CFS_BANDWIDTH off: no quota possible
    assert find(mounts, V1_CGROUP) is None


@pytest.mark.parametrize(("version", "files"), [
    ("v2", {"cpu.max": f"25000 {PERIOD_US}\n"}),
    ("v1", {"cpu.cfs_quota_us": "25000\n", "cpu.cfs_period_us": f"{PERIOD_US}\n"}),
])  # fmt: skip
def test_the_quota_is_written_in_each_versions_files(
    tmp_path: Path, version: str, files: dict[str, str]
) -> None:
    with Cap(Controller(version, tmp_path), "a", 25) as cap:
        assert cap.path.parent == tmp_path
        for name, text in files.items():
            assert (cap.path / name).read_text() == text
        cap.add(1234)
        assert (cap.path / "cgroup.procs").read_text() == "1234\n"


@pytest.mark.parametrize("percent", [0, -5, 100 * (os.cpu_count() or 1) + 1])
def test_a_cap_out_of_range_is_refused(tmp_path: Path, percent: float) -> None:
    with pytest.raises(ValueError, match="out of range"):
        Cap(Controller("v1", tmp_path), "a", percent)


def test_the_smallest_and_largest_caps_are_accepted(tmp_path: Path) -> None:
    assert Cap(Controller("v1", tmp_path), "a", 0.5).quota_us == 1000  # the kernel's least
    whole = Cap(Controller("v1", tmp_path), "b", 100 * (os.cpu_count() or 1))
    assert whole.quota_us == PERIOD_US * (os.cpu_count() or 1)


def test_cpu_stat_gives_the_bind_rate() -> None:
    v1 = "nr_periods 200\nnr_throttled 50\nthrottled_time 123\n"
    v2 = "usage_usec 9\nuser_usec 5\nsystem_usec 4\nnr_periods 10\nnr_throttled 10\n"
    assert parse_stat(v1) == Throttling(200, 50)
    assert parse_stat(v1).bound() == 0.25
    assert parse_stat(v2).bound() == 1.0
    assert parse_stat("usage_usec 3\n") == Throttling()
    assert Throttling().bound() is None  # no period: nothing is known, not 0 %


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=5))
def test_throttling_adds_and_subtracts_as_counts(pairs: list[tuple[int, int]]) -> None:
    total = sum((Throttling(p, t) for p, t in pairs), Throttling())
    assert total == Throttling(sum(p for p, _ in pairs), sum(t for _, t in pairs))
    assert total - total == Throttling()


@pytest.mark.slow
@pytest.mark.skipif(find() is None, reason="no usable cgroup CPU controller here")
def test_a_capped_busy_process_is_throttled() -> None:
    """On this machine: a process spinning under a 5 % cap is throttled in some periods,
    and leaving the cap removes its group."""
    spin = "import time\nend = time.monotonic() + 0.6\nwhile time.monotonic() < end: pass\n"
    controller = find()
    assert controller is not None
    with Cap(controller, "test", 5) as cap:
        child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()\n" + spin],
                                 stdin=subprocess.PIPE)  # fmt: skip
        try:
            cap.add(child.pid)
            assert child.stdin is not None
            child.stdin.close()  # now it spins, capped
            child.wait(timeout=60)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
        time.sleep(0.01)
        counted = cap.throttling()
        path = cap.path
    assert counted.periods > 0 and counted.throttled > 0
    assert not path.exists()
