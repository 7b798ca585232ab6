"""Profiles are independent (ADP-006): an adapter claiming only some gets no failure from the rest.

The reference, served by ``gritwit adapter --profiles P``, claims only ``P`` and
answers the commands of every other profile as an implementation without them
would: ``unsupported-command``, and ``bad-request`` for a genesis of a Wasm
``module`` or a Python ``program`` whose profile it does not claim.  The whole
suite runs against it.  Every test must then pass or be *not claimed*: a test
that needs a profile it does not declare (a runtime test that sends a Wasm
module, say) fails here, and so does a ``protocol`` test that uses a command of
a profile the adapter does not claim.

Every single profile (``http`` on its own profile only) and each pair run only under
``GRITWIT_PROFILE=deep`` (:data:`HEAVY_SINGLES` is empty: CI's heavy step once ran
``runtime`` alone, 191 s of its 1,217 s in a local CI run of 05e9eba).  The harness's
own guard (``UndeclaredProfile``) catches an undeclared request against any
implementation; these runs prove the declarations from the other side, with an
implementation that really lacks them.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gritwit.adapter import ReferenceAdapter

pytestmark = [pytest.mark.req("ADP-006", "ADP-008"), pytest.mark.slow]

SINGLE = [(p,) for p in ReferenceAdapter.profiles]
PAIRS = list(itertools.combinations(ReferenceAdapter.profiles, 2))
DEEP = os.environ.get("GRITWIT_PROFILE") == "deep"
#: Bound on one whole-suite run (a loaded 2-core machine takes a few minutes at most).
LIMIT = 900


#: The single profiles CI's heavy step runs: none.  ``runtime`` alone ran there longest
#: (its tests use the most of the others': Wasm modules, Python programs as actors), 191 s
#: of the heavy step's 1,217 s in a local CI run of 05e9eba, with CI over its 45 minutes.
#: Every single runs under GRITWIT_PROFILE=deep, as the pairs do: the harness's guard
#: (``UndeclaredProfile``) already fails any test that sends a command of a profile it
#: does not declare, against every implementation, in every run.
HEAVY_SINGLES: frozenset[tuple[str, ...]] = frozenset()


def _params() -> list[object]:
    heavy = pytest.mark.heavy
    skip_single = pytest.mark.skip(reason="GRITWIT_PROFILE=deep runs this profile alone")
    params: list[object] = [
        pytest.param(
            p,
            id="+".join(p),
            marks=(heavy,) if DEEP or p in HEAVY_SINGLES else (heavy, skip_single),
        )
        for p in SINGLE
    ]
    skip_pairs = pytest.mark.skip(reason="pairs of profiles run only with GRITWIT_PROFILE=deep")
    pair_marks = (heavy,) if DEEP else (heavy, skip_pairs)
    params += [pytest.param(p, id="+".join(p), marks=pair_marks) for p in PAIRS]
    return params


def _narrowed(claimed: tuple[str, ...]) -> list[str]:
    """The run's options: the whole suite on one worker, but ``http`` alone only its own
    profile, on two. Its tests mostly wait (requests that never end, settles that time
    out, services stopped), so two workers halve the wait; and the other profiles' tests
    are each shown *not claimed* by an adapter without ``http`` in every other run."""
    if claimed == ("http",):
        return ["--profile", "http", "-n", "2"]
    return ["-n", "1"]


@pytest.mark.parametrize("claimed", _params())
def test_an_adapter_claiming_only_these_profiles_fails_nothing(
    tmp_path: Path, claimed: tuple[str, ...]
) -> None:
    impl = f"{sys.executable} -m gritwit adapter --profiles {','.join(claimed)}"
    out = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "gritwit_conformance", "conform", "--impl", impl, "--out", str(out),
         "--examples", "10", *_narrowed(claimed)],
        capture_output=True, text=True, errors="backslashreplace", timeout=LIMIT, cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"},
    )  # fmt: skip
    output = done.stdout + done.stderr
    report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert report["implementation"]["profiles"] == list(claimed)
    bad = [
        f"{r['outcome']} {r['id']}: {r['reason'][:400]}"
        for r in report["results"]
        if r["outcome"] not in ("passed", "not-claimed", "skipped")
    ]
    assert not bad, "failures from a profile the adapter does not claim:\n" + "\n".join(bad[:10])
    assert done.returncode == 0, output[-3000:]
    for profile, entry in report["profiles"].items():
        ran = entry["passed"] + entry["failed"] + entry["errored"]
        if profile in claimed or profile == "protocol":
            assert entry["passed"] > 0, f"{profile}: claimed, but no test of it passed"
        else:
            assert ran == 0, f"{profile}: not claimed, but {ran} of its tests ran"
