"""No module of the reference, of the judge or of the benchmarks passes 600 lines (issue
43: "no module of the judge or the reference passes ~600 lines").

A house rule, not a clause of the spec: small modules, each named by what it does.  A
module that grows past the limit is split by what it does (a suite file by the behaviour
its tests check) rather than added to :data:`ALLOWED`.  The benchmarks (``asv_bench/``,
its tools included) are held to the same limit: a benchmark keeps its module, since asv
keys its history by ``module.Class.method``, and its helpers move out of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: the packages the rule covers: the reference, the judge and the benchmarks
PACKAGES = (
    ROOT / "reference" / "gritwit",
    ROOT / "conformance" / "gritwit_conformance",
    ROOT / "asv_bench",
)
#: the most lines a module may have
LIMIT = 600
#: modules over the limit for now, relative to ROOT; each with the reason
ALLOWED: frozenset[str] = frozenset(
    {
        # CI's instruction gate (1012 lines): its counts sit near their 2 % tolerance and
        # move by up to 1 % with the counted process's heap layout, which moving its code
        # between modules changes; its split waits for a run of the gate that re-records
        # the baseline if need be (shape63 split _multi.py and bench_host_cost.py only)
        "asv_bench/tools/instructions.py",
    }
)


def oversized(packages: Iterable[Path], limit: int, allowed: frozenset[str]) -> list[str]:
    """``path: N lines`` for each module under ``packages`` past ``limit`` and not allowed."""
    found = []
    for package in packages:
        for path in sorted(package.rglob("*.py")):
            name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
            lines = len(path.read_bytes().splitlines())
            if lines > limit and name not in allowed:
                found.append(f"{name}: {lines} lines")
    return found


def test_no_module_of_the_reference_the_judge_or_the_benchmarks_passes_600_lines() -> None:
    assert all(p.is_dir() for p in PACKAGES)
    found = oversized(PACKAGES, LIMIT, ALLOWED)
    assert not found, f"split these by what they do (limit {LIMIT} lines): {found}"


def test_every_allowed_module_exists_and_is_still_over_the_limit() -> None:
    """An allowance outlives its module's split only by mistake: it must then go."""
    for name in ALLOWED:
        path = ROOT / name
        assert path.is_file(), f"{name} is allowed but gone: drop it from ALLOWED"
        assert len(path.read_bytes().splitlines()) > LIMIT, f"{name} is small now: drop it"


def test_a_module_of_601_lines_fails_and_one_of_600_passes(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "sub" / "big.py").write_text("x = 1\n" * (LIMIT + 1), encoding="utf-8")
    (package / "edge.py").write_text("x = 1\n" * LIMIT, encoding="utf-8")
    found = oversized([package], LIMIT, frozenset())
    assert found == [f"{package / 'sub' / 'big.py'}: {LIMIT + 1} lines"]
    assert oversized([package], LIMIT, frozenset({str(package / "sub" / "big.py")})) == []
