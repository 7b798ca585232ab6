"""The peak tests' measure (``peakrss``): a child's own peak, not its spawner's.

The flood test's peak read 736-738 MiB inside CI's test step against 399 MiB at rest:
``os.wait4``'s ``ru_maxrss`` of a child includes the high-water mark of the process
that spawned it (see ``peakrss``), there an xdist worker that had run other tests.
Here a spawner touches and frees 256 MiB, then starts ``python -c pass`` twice: plain,
``wait4`` answers at least the spawner's 256 MiB; through ``own_peak_command``, the
child's own peak, tens of MiB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from peakrss import own_peak_command, supported

pytestmark = pytest.mark.skipif(not supported(), reason="/proc/self/status: Linux only")

MIB = 1 << 20

_SPAWNER = """\
import json, os, subprocess, sys
sys.path[:0] = json.loads(sys.argv[2])
from peakrss import own_peak, own_peak_command
from pathlib import Path
big = bytearray(256 << 20)
for i in range(0, len(big), 4096):
    big[i] = 1  # touched: resident
del big  # freed: the spawner's high-water mark stays
def spawn(argv):
    child = subprocess.Popen(argv)
    _, status, usage = os.wait4(child.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return usage.ru_maxrss * 1024
report = Path(sys.argv[1])
plain = spawn([sys.executable, "-c", "pass"])
spawn(own_peak_command([sys.executable, "-c", "pass"], report))
print(json.dumps({"plain": plain, "own": own_peak(report)}))
"""


def test_a_child_s_own_peak_leaves_out_its_spawner_s(tmp_path: Path) -> None:
    """Plain ``wait4``: at least the spawner's 256 MiB; the child's own: under 64 MiB."""
    here = str(Path(__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", _SPAWNER, str(tmp_path / "peak"), json.dumps([here, *sys.path])],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["plain"] >= 256 * MIB, answer  # the spawner's mark, carried over
    assert answer["own"] < 64 * MIB, answer  # the child's own: an interpreter that ran pass


def test_own_peak_command_takes_python_commands_only() -> None:
    """``-m`` or ``-c`` with something after it; anything else is refused."""
    assert own_peak_command([sys.executable, "-m", "gritwit", "x"], Path("r"))[-3:] == [
        "-m",
        "gritwit",
        "x",
    ]
    with pytest.raises(ValueError):
        own_peak_command([sys.executable, "script.py"], Path("r"))
    with pytest.raises(ValueError):
        own_peak_command([sys.executable, "-m"], Path("r"))
