"""Which tests judge a mutant: the test → lines map, traced once and cached, and the order.

The map comes from one in-process run of the reference under the profiles' tests
(:mod:`._coverage`), cached under ``.gritwit-mutate/`` by a hash of the sources and the
vectors; a mutant runs the tests that reach its lines, those citing its requirement IDs
first (CONV-005).  The ``postgres`` group's map is traced apart, with the in-process
reference keeping every durable store in the run's throwaway cluster
(``GRITWIT_STORE_URL``, which :class:`gritwit.adapter.ReferenceAdapter` reads), and the
other groups' without it: a store in PostgreSQL reaches no line of the SQLite store's.
A sample traces the lines of its own mutants' modules only
(``build_coverage(modules=…)``): a line tracer's cost grows with the lines it records,
and the map is most of a sample's time (299 s of CI's 321 s mutation step, 40 mutants).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

import pytest

from ..data._paths import vectors_dir
from ._coverage import SHARDS_ENV, Coverage, LineCollector
from ._groups import GROUPS, PACKAGE_DIR, POSTGRES, PROFILES_OF, SUITE_DIR, SUITE_ROOT, group_of
from ._mutants import Mutant

__all__ = ["STORE_URL_VARIABLE", "build_coverage", "fixed_selection", "select_tests"]

#: The variable the in-process reference reads for its stores' PostgreSQL database
#: (``gritwit.adapter._stores.STORE_URL_VARIABLE``; named here, as the harness reaches
#: the reference through its adapter's seam only).
STORE_URL_VARIABLE = "GRITWIT_STORE_URL"

#: The plugin each worker of a sharded map loads, by name: imported here, pytest could
#: not rewrite its asserts and would warn.
_SHARD_PLUGIN = f"{__package__}._coverage_shard"


def _coverage_key(
    profiles: Iterable[str], modules: Iterable[str] = (), *, postgres: bool = False
) -> str:
    digest = hashlib.sha256()
    bases = [PACKAGE_DIR, SUITE_ROOT]
    for base in bases:
        for path in sorted(base.rglob("*.py")):
            digest.update(str(path.relative_to(base.parent)).encode())
            digest.update(path.read_bytes())
    vectors = vectors_dir()
    for path in sorted(vectors.rglob("*.json")) if vectors.is_dir() else ():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(" ".join(sorted(profiles)).encode())
    digest.update(" ".join(sorted(modules)).encode())  # none: every group's modules
    if postgres:  # traced on a store server: another map (its URL's path changes each run)
        digest.update(b"store: postgres")
    return digest.hexdigest()[:16]


def build_coverage(
    profiles: Iterable[str],
    cache: Path,
    log: Callable[[str], None],
    workers: int = 1,
    modules: Iterable[str] = (),
    store_url: str | None = None,
) -> Coverage:
    """The test → lines map for ``profiles``, from the cache or one traced in-process run
    (over ``workers`` xdist processes when more than one, :mod:`._coverage_shard`), of
    the lines of ``modules`` (none named: every group's but ``postgres``'s).

    With ``store_url`` the reference keeps its durable stores in that PostgreSQL database
    (DUR-005) and the lines traced are those of ``modules``, of any group (none named: the
    ``postgres`` group's).
    """
    chosen = sorted(set(profiles))
    traced = sorted(set(modules))
    key = _coverage_key(chosen, traced, postgres=store_url is not None)
    path = cache / f"coverage-{key}.json"
    if path.is_file():
        return Coverage.load(path)
    files = {
        str((PACKAGE_DIR.parent / module).resolve()): module
        for group, members in GROUPS.items()
        for module in members
        if (module in traced if traced else (group == POSTGRES) == (store_url is not None))
    }
    how = f"{workers} processes" if workers > 1 else "one process"
    where = " storing in PostgreSQL" if store_url is not None else ""
    log(f"mapping tests to lines (an in-process run of {', '.join(chosen)}{where}, {how}) ...")
    with tempfile.TemporaryDirectory() as tmp, _stores_in(store_url):
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        args = [str(SUITE_DIR / p) for p in chosen]
        args += ["-c", str(ini), "--rootdir", str(SUITE_ROOT), "-p", "no:cacheprovider", "-qq"]
        args += ["--impl", "reference"]
        args += ["-m", "not heavy"]  # minutes each; no mutant waits on one
        if workers > 1:
            coverage = _sharded(args, files, Path(tmp), workers, key)
        else:
            collector = LineCollector(files)
            status = pytest.main([*args, "-p", "no:xdist"], plugins=[collector])
            _passed(status)
            coverage = Coverage.from_collector(collector, key)
    coverage.save(path)
    return coverage


@contextlib.contextmanager
def _stores_in(url: str | None) -> Iterator[None]:
    """The in-process reference (and an xdist worker, which inherits the environment)
    keeps its durable stores in ``url``'s database while the map is traced; as before after."""
    if url is None:
        yield
        return
    previous = os.environ.get(STORE_URL_VARIABLE)
    os.environ[STORE_URL_VARIABLE] = url
    try:
        yield
    finally:
        if previous is None:
            del os.environ[STORE_URL_VARIABLE]
        else:
            os.environ[STORE_URL_VARIABLE] = previous


def _sharded(args: list[str], files: dict[str, str], tmp: Path, workers: int, key: str) -> Coverage:
    """The map traced by ``workers`` xdist workers, each writing its part in ``tmp``."""
    out = tmp / "parts"
    out.mkdir()
    settings = tmp / "shards.json"
    settings.write_text(json.dumps({"files": files, "out": str(out)}), encoding="utf-8")
    previous = os.environ.get(SHARDS_ENV)
    os.environ[SHARDS_ENV] = str(settings)  # the workers inherit it
    try:
        status = pytest.main([*args, "-n", str(workers), "-p", _SHARD_PLUGIN])
    finally:
        if previous is None:
            del os.environ[SHARDS_ENV]
        else:
            os.environ[SHARDS_ENV] = previous
    _passed(status)
    parts = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.json"))]
    if len(parts) != workers:
        raise RuntimeError(f"the traced run wrote {len(parts)} parts of {workers} workers")
    return Coverage.from_parts(parts, key)


def _passed(status: int | pytest.ExitCode) -> None:
    if int(status) == pytest.ExitCode.INTERRUPTED:  # a SIGINT or SIGTERM of the run
        raise KeyboardInterrupt("the traced run of the reference was interrupted")
    if int(status) != 0:
        raise RuntimeError(f"the coverage run of the reference did not pass (pytest {status})")


#: A test's length where no map timed it (``--against``, the CI sample's killers): a
#: worker's budget for a mutant is 60 s + 6x this, its hard deadline twice that + 60 s.
#: At 1 s, a killer of a mutant that makes its test spin (a lost member refused again and
#: again) hit the hard deadline of 192 s at load 8: an error, where the map's run records
#: a time-out.
GUESSED_SECONDS = 20.0


def fixed_selection(mutants: list[Mutant], tests: tuple[str, ...]) -> Coverage:
    """A test map that sends every mutant to ``tests`` (``--against``)."""
    lines: dict[str, set[int]] = {}
    for mutant in mutants:
        lines.setdefault(mutant.module, set()).update(range(mutant.line, mutant.end_line + 1))
    reach = [[module, sorted(found)] for module, found in sorted(lines.items())]
    return Coverage(
        {
            "key": "against",
            "tests": {
                t: {"lines": reach, "seconds": GUESSED_SECONDS, "requirements": []} for t in tests
            },
        }
    )


def _profile_of(nodeid: str) -> str:
    return nodeid.split("/")[1] if nodeid.startswith("suite/") else ""


def select_tests(
    mutant: Mutant, coverage: Coverage, killers: Mapping[str, int] | None = None
) -> tuple[list[str], bool]:
    """(tests to run; whether the mutant is reached by a traced line).

    Tests that cite one of the mutant's requirement IDs run first, so that the test
    that kills it is, where possible, one about the clause it breaks (the evidence
    ``gritwit trace`` reads).  Within each half, the tests that killed other mutants of
    the same module (``killers``: test → mutants killed, from the evidence and the run so
    far) come first, most kills first, then the rest fastest first: a mutant of a hot
    path of the service is reached by 450 to 600 tests, and ran most of them before its
    killer when fastest-first was the only order (5 mutants in 20 minutes), while its
    neighbours' killer is usually its own.
    """
    profiles = set(PROFILES_OF[group_of(mutant.module)])
    if coverage.data.get("key") == "against":  # chosen by hand: no profile filter
        profiles = {_profile_of(t) for t in coverage.tests}
    if not mutant.in_function:  # runs at import: every test reaches it
        tests = [t for t in coverage.tests if _profile_of(t) in profiles]
        covered = bool(tests)
    else:
        reached = coverage.covering(mutant.module, range(mutant.line, mutant.end_line + 1))
        tests = [t for t in reached if _profile_of(t) in profiles]
        if reached and not tests:
            # Run only under another profile's tests: code run once per process and
            # cached (an interpreter loaded for the first sandbox run, whichever
            # profile's test that was), whose result every later test uses.
            tests = [t for t in coverage.tests if _profile_of(t) in profiles]
        covered = bool(tests)
    own = set(mutant.requirements)

    def about(test: str) -> bool:
        return any(_cites_any(r, own) for r in coverage.requirements(test))

    kills = killers or {}
    tests.sort(key=lambda t: (not about(t), -kills.get(t, 0), coverage.seconds(t), t))
    return tests, covered


def _cites_any(cited: str, own: set[str]) -> bool:
    return any(cited == r or cited.startswith(r + ".") or r.startswith(cited + ".") for r in own)
