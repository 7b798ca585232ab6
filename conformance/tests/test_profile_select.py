"""``gritwit conform --profile X`` runs X's tests and only the protocol tests X needs.

The protocol folder holds the adapter-protocol tests of every profile; a run limited to
``perf`` used to run all of them (86 % of its tests). Now a plan with
profiles (``gritwit conform --profile``, or plain pytest's ``--gritwit-only-profiles``)
has the plugin register :class:`gritwit_conformance.runs._profile_select.ProfileFilter`,
which keeps the protocol tests that declare only ``protocol`` or chosen profiles
(ADP-006) and deselects the rest.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gritwit_conformance.runs._conform import SUITE_DIR, _pytest_args
from gritwit_conformance.runs._profile_select import needed


@pytest.mark.req("ADP-006")
def test_a_protocol_test_is_needed_when_its_profiles_are_chosen_or_protocol() -> None:
    assert needed(set(), {"perf"})
    assert needed({"protocol"}, {"perf"})
    assert needed({"perf"}, {"perf"})
    assert needed({"codec", "protocol"}, {"codec", "perf"})
    assert not needed({"codec"}, {"perf"})
    assert not needed({"wasm", "wit"}, {"wit"}), "a test needing two profiles needs both chosen"


def _args(profiles: list[str], tmp_path: Path) -> list[str]:
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    args = _pytest_args(profiles=profiles, workers=1, heavy=False, ini=ini)
    # The plan's profiles, as a plain pytest run chooses them (the plugin's option).
    return args + (["--gritwit-only-profiles", ",".join(profiles)] if profiles else [])


def _collected(args: list[str], tmp_path: Path) -> list[str]:
    """The protocol folder's test ids a run with ``args`` would run (collect only)."""
    keep = [a for a in args if a not in ("--gritwit-progress",)]
    keep = [a for a in keep if not a.startswith(str(SUITE_DIR)) or a.endswith("protocol")]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *keep, "--collect-only"],  # -q: in the args
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if "::" in line]


@pytest.mark.slow
@pytest.mark.req("ADP-006")
def test_profile_perf_leaves_out_the_other_profiles_protocol_tests(tmp_path: Path) -> None:
    args = _args(["perf"], tmp_path)
    assert "--gritwit-only-profiles" in args
    chosen = _collected(args, tmp_path)
    assert any("workload" in test for test in chosen), "perf's own protocol test is kept"
    assert any("test_handshake" in test for test in chosen), "the handshake always runs"
    # the deliberately wrong variant: the same run without the selection runs them all
    every = _collected(_args([], tmp_path), tmp_path)
    assert len(chosen) * 10 < len(every), (len(chosen), len(every))
    assert set(chosen) < set(every)
