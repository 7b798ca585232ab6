"""``gritwit mutate``: mutants of the reference, run behind the stdio adapter, scored.

1. Find the mutants of the modules in :data:`GROUPS` (:mod:`._mutants`).
2. Map tests to lines once, against the in-process reference (:mod:`._select`;
   cached under ``.gritwit-mutate/`` by a hash of the sources and vectors); the
   modules and the profiles judging them are :mod:`._groups`.
3. Run each mutant in a worker (:mod:`._worker`): the tests that reach its line, fastest
   first, stopping at the first failure, against ``python -m gritwit adapter`` importing
   the mutated copy, while the harness and its oracle stay the pristine reference.
4. Classify: *killed* (a test failed), *timeout* (the adapter gave no answer
   within the limit, and again when the job ran once more with the limit raised
   ×4: the mutant hangs, detected too; a time-out the re-run does not repeat
   decides nothing), *survived*, *equivalent* (listed in
   ``conformance/mutation/equivalent.toml`` with a reason; not run), and
   *uncovered* survivors (no test reaches the line).  Score =
   (killed + timeout) / (all − equivalent), per module, group and requirement.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import random
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._coverage import Coverage
from ._groups import GROUPS, PACKAGE_DIR, POSTGRES, PROFILES_OF, SUITE_ROOT, group_of
from ._killers import killers
from ._mutants import Mutant, apply_mutant, find_mutants
from ._pool import HARD_DEADLINE, Worker, make_copy
from ._select import build_coverage, fixed_selection, select_tests
from ._worker import RERUN_FACTOR

__all__ = [
    "GROUPS",
    "PROFILES_OF",
    "MutationRun",
    "Options",
    "collect_mutants",
    "load_equivalent",
    "make_copy",
    "module_source",
    "run_mutation",
]

DETECTED = ("killed", "timeout")
EQUIVALENT_FILE = Path("conformance/mutation/equivalent.toml")
BASELINE_FILE = Path("conformance/mutation/baseline.json")
EVIDENCE_FILE = Path("conformance/mutation/evidence.json")


_SOURCES: dict[str, str] = {}


def module_source(module: str) -> str:
    """The module's text as first read in this process: spans stay valid if it is edited."""
    if module not in _SOURCES:
        _SOURCES[module] = (PACKAGE_DIR.parent / module).read_text(encoding="utf-8")
    return _SOURCES[module]


def collect_mutants(groups: Iterable[str]) -> list[Mutant]:
    """Every mutant of the modules of ``groups``, in module and source order."""
    found: list[Mutant] = []
    for group in groups:
        for module in GROUPS[group]:
            found += find_mutants(module, module_source(module))
    return found


def load_equivalent(path: Path) -> dict[str, str]:
    """Mutant id → reason, from ``path`` or every ``equivalent*.toml`` beside it.

    A reason is required; a mutant listed twice is an error.
    """
    files = sorted(path.parent.glob("equivalent*.toml")) if path.parent.is_dir() else []
    listed: dict[str, str] = {}
    for file in files:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
        for entry in data.get("equivalent", []):
            reason = str(entry.get("reason", "")).strip()
            if not reason:
                raise ValueError(f"{file}: equivalent mutant {entry.get('id')} has no reason")
            if str(entry["id"]) in listed:
                raise ValueError(f"{file}: equivalent mutant {entry['id']} is listed twice")
            listed[str(entry["id"])] = reason
    return listed


@dataclass(slots=True)
class Options:
    """What one ``gritwit mutate`` run does."""

    groups: tuple[str, ...] = tuple(GROUPS)
    modules: tuple[str, ...] = ()
    sample: int | None = None
    seed: int = 9
    workers: int = 2
    time_budget: float | None = None
    timeout: float = 10.0
    examples: int | None = None
    root: Path = Path(".")
    cache: Path = Path(".gritwit-mutate")
    only: tuple[str, ...] = ()
    #: Run every mutant against exactly these tests (node ids or files relative to the
    #: suite package, e.g. ``suite/codec/test_limits.py``) instead of the traced map.
    against: tuple[str, ...] = ()
    #: An earlier report: its detected mutants are carried over, the rest run again.
    previous: Path | None = None
    #: Only these mutant ids are chosen from, before any sample (``--new``: those no run
    #: has judged; a sample checked against the baseline: those it records as detected).
    pool: frozenset[str] | None = None
    #: Run each mutant against its first ``screen`` tests only (``--screen``): a kill is
    #: recorded as any kill is, and a mutant alive after them is *screened*, not judged
    #: (no verdict: it stays unjudged, listed in the report for a whole run).
    screen: int | None = None
    #: The PostgreSQL database the ``postgres`` group's mutants store in (DUR-005); none
    #: given, a run that judges one starts a throwaway cluster of its own.
    store_url: str | None = None
    #: Every chosen mutant, whatever its group, is judged behind adapters storing in
    #: PostgreSQL (``--on-postgres``), its map traced there: a runtime module's paths that
    #: only a store server reaches (moved actors, erasure records, notes by parts).
    on_postgres: bool = False
    #: These mutants are judged there too: the sample's, whose recorded killer killed
    #: them behind a PostgreSQL store (``"store": "postgres"`` in ``evidence.json``).
    postgres_ids: frozenset[str] = frozenset()


def on_postgres(mutant: Mutant, options: Options) -> bool:
    """Whether ``mutant`` is judged behind adapters storing in PostgreSQL: the
    ``postgres`` group's always, another's when ``options`` says so."""
    return (
        group_of(mutant.module) == POSTGRES
        or options.on_postgres
        or mutant.id in options.postgres_ids
    )


@dataclass(slots=True)
class MutationRun:
    """Results of a run: mutant → result record."""

    mutants: list[Mutant]
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    equivalent: dict[str, str] = field(default_factory=dict)
    stale_equivalent: list[str] = field(default_factory=list)
    seconds: float = 0.0
    coverage_seconds: float = 0.0
    complete: bool = True
    #: Mutants alive after the first tests of a screen (``Options.screen``): not judged.
    screened: list[str] = field(default_factory=list)
    #: Whether the time budget stopped the run (a mutant left unrun, or cut while running).
    cut: bool = False
    #: Whether a SIGINT or SIGTERM stopped it: the verdicts reached stand, as at a budget's end.
    interrupted: bool = False


# --- the run ----------------------------------------------------------------------------


def choose(mutants: list[Mutant], options: Options) -> list[Mutant]:
    """The mutants to run: filtered by module, pool and id, then a seeded sample per group."""
    chosen = [m for m in mutants if not options.modules or m.module in options.modules]
    if options.pool is not None:
        chosen = [m for m in chosen if m.id in options.pool]
    if options.only:
        chosen = [m for m in chosen if m.id in options.only]
    if options.sample is None or options.sample >= len(chosen):
        return chosen
    rng = random.Random(options.seed)
    by_group: dict[str, list[Mutant]] = {}
    for mutant in chosen:
        by_group.setdefault(group_of(mutant.module), []).append(mutant)
    groups = sorted(by_group)
    picked: list[Mutant] = []
    share, extra = divmod(options.sample, len(groups))
    for index, group in enumerate(groups):
        pool = sorted(by_group[group], key=lambda m: m.id)
        want = min(len(pool), share + (1 if index < extra else 0))
        picked += rng.sample(pool, want)
    return sorted(picked, key=lambda m: (m.module, m.span))


def overran(
    worker: Worker, job: dict[str, Any], hard: float, cut: float | None
) -> dict[str, Any] | None:
    """The verdict on a job whose worker outran its hard deadline ``hard``: the job runs
    once more with its budget and that deadline raised :data:`RERUN_FACTOR` times, as a
    test that timed out does (``_worker``).  A second overrun is a mutant that hangs
    (*timeout*, detected: no implementation may leave a request unanswered, ADP-012);
    else the second run's verdict stands.  ``None``: the run's time budget ``cut`` came
    first.  A test bounded by its own limits (a settle of a service that never drains
    waits a scaled minute and then fails) took the first deadline of a job whose tests
    take seconds on the reference, and was recorded as an error."""
    longer = hard * RERUN_FACTOR
    again = worker.run({**job, "deadline": job["deadline"] * RERUN_FACTOR}, longer, cut)
    if again is None:
        return None
    first = f"the worker's hard deadline ({hard:.0f} s) passed; re-run with it ×{RERUN_FACTOR}"
    if again.get("reason") == HARD_DEADLINE:
        outcome, again["status"] = "timed-out", "timeout"
        again["reason"] = f"{first}: passed again ({longer:.0f} s), the mutant hangs"
    else:
        outcome = "failed" if again["status"] in DETECTED else str(again["status"])
        again["reason"] = f"{again['reason']}\n{first}".strip()
    again["seconds"] = round(hard + float(again["seconds"]), 3)
    again["rerun"] = {"test": None, "limit": longer, "outcome": outcome, "failed": again["test"]}
    return again


class UnknownMutant(ValueError):
    """``--mutant`` names an id that no chosen group has."""


def run_mutation(
    options: Options,
    log: Callable[[str], None] = print,
    coverage: Coverage | None = None,
) -> MutationRun:
    """Run the chosen mutants; see the module docstring.

    ``coverage`` replaces the traced test map (tests use a small hand-made one).
    """
    started = time.monotonic()
    everything = collect_mutants(options.groups)
    equivalent = load_equivalent(options.root / EQUIVALENT_FILE)
    known = {m.id for m in everything}
    unknown = sorted(set(options.only) - known)
    if unknown:  # before the test map, which takes minutes to build
        raise UnknownMutant(f"no mutant {', '.join(unknown)} in the groups {list(options.groups)}")
    # --rerun with --mutant: every mutant is reported, only the listed ones run again
    partial = options.previous is not None and bool(options.only)
    run = MutationRun(
        mutants=choose(everything, dataclasses.replace(options, only=()) if partial else options),
        equivalent=equivalent,
        stale_equivalent=sorted(i for i in equivalent if i not in known)
        if options.groups == tuple(GROUPS)
        else [],
    )
    # the postgres group's mutants run behind adapters storing in a throwaway cluster,
    # started for this run and stopped at its end, whatever happens (DUR-005)
    needs_server = any(on_postgres(m, options) and m.id not in equivalent for m in run.mutants)
    with _store_server(needs_server, options.store_url, log) as store_url:
        coverage = _judge(
            run, options, log, coverage, store_url, started, everything, equivalent, partial
        )
    for mutant in run.mutants:
        if mutant.id not in run.results:
            run.complete = False
    run.seconds = round(time.monotonic() - started, 1)
    _attach_requirements(run, coverage)
    return run


def _judge(
    run: MutationRun,
    options: Options,
    log: Callable[[str], None],
    coverage: Coverage | None,
    store_url: str | None,
    started: float,
    everything: list[Mutant],
    equivalent: dict[str, str],
    partial: bool,
) -> Coverage:
    """Map the tests (unless given ``coverage``) and run the chosen mutants on the workers,
    recording each result in ``run``; the map used.  ``store_url``: the database the
    ``postgres`` group's mutants store in (their map traced there, their adapters
    started with ``--store-url``)."""
    # a sample, and named mutants, map only their own modules (none run: no map at all),
    # named mutants under their own groups' profiles only
    few = options.sample is not None or bool(options.only)
    groups = {group_of(m.module) for m in run.mutants} if options.only else options.groups
    coverage_started = time.monotonic()
    if coverage is None and options.against:
        coverage = fixed_selection(run.mutants, options.against)
    if coverage is None:
        to_judge = [m for m in run.mutants if m.id not in equivalent]
        modules = {m.module for m in to_judge} if few else set()
        coverage = _traced_map(options, log, groups, modules, few, store_url)
    run.coverage_seconds = round(time.monotonic() - coverage_started, 1)
    jobs: queue.Queue[Mutant] = queue.Queue()
    to_run = 0
    carried = {}
    if options.previous is not None:
        carried = _carried(options.previous, every_status=partial)
        carried = {k: v for k, v in carried.items() if k not in options.only}
    for mutant in run.mutants:
        if mutant.id in equivalent:
            run.results[mutant.id] = {"status": "equivalent", "reason": equivalent[mutant.id]}
            continue
        if mutant.id in carried:
            run.results[mutant.id] = carried[mutant.id]
            continue
        _, covered = select_tests(mutant, coverage)
        if not covered:
            run.results[mutant.id] = {
                "status": "survived",
                "uncovered": True,
                "test": None,
                "ran": 0,
                "seconds": 0.0,
            }
            continue
        jobs.put(mutant)
        to_run += 1
    log(
        f"{len(run.mutants)} mutants chosen of {len(everything)}; {to_run} to run "
        f"on {options.workers} workers"
    )
    deadline = None if options.time_budget is None else started + options.time_budget
    lock = threading.Lock()
    progress = options.root / options.cache / f"progress-{os.getpid()}.jsonl"  # live results
    progress.parent.mkdir(parents=True, exist_ok=True)
    progress.write_text("", encoding="utf-8")
    done = [0]
    # module → test → mutants of the module it killed: the evidence's, then this run's
    by_module = _module_killers(options.root / EVIDENCE_FILE, everything)

    stopping = threading.Event()  # the run was interrupted: take no further job

    def work(worker: Worker) -> None:
        while not stopping.is_set():
            if deadline is not None and time.monotonic() > deadline:
                run.complete, run.cut = False, True
                return
            try:
                mutant = jobs.get_nowait()
            except queue.Empty:
                return
            with lock:
                known_killers = dict(by_module.get(mutant.module, {}))
            tests, _ = select_tests(mutant, coverage, known_killers)
            screened = options.screen is not None and len(tests) > options.screen
            if screened:
                tests = tests[: options.screen]
            expected = sum(coverage.seconds(t) for t in tests)
            budget = 60.0 + 6 * expected  # generous: a shared, loaded machine is slow
            job = {
                "id": mutant.id,
                "module": mutant.module,
                "source": apply_mutant(module_source(mutant.module), mutant),
                "tests": tests,
                "deadline": budget,
                "timeout": options.timeout,
                "examples": options.examples,
            }
            if store_url is not None and on_postgres(mutant, options):
                job["store_url"] = store_url  # its adapter stores there: --store-url
            # Room for the one re-run after a time-out (its own budget; see _worker); the
            # run's time budget cuts it, so a step with a budget ends by then (a mutant
            # whose first run had timed out took 15 minutes of CI's 7-minute budget).
            hard = 2 * budget + 60.0
            result = worker.run(job, hard_deadline=hard, cut=deadline)
            if result is not None and result.get("reason") == HARD_DEADLINE:
                result = overran(worker, job, hard, deadline)
            # the budget's end, or an interrupt that stopped the worker under its job (which
            # then reads as a worker that died): no verdict on this mutant
            if result is None or stopping.is_set():
                run.complete, run.cut = False, True
                return
            result["selected"] = len(tests)
            if "store_url" in job and group_of(mutant.module) != POSTGRES:
                # a verdict reached only behind a store server: the sample that checks
                # its killer (evidence.json) must judge it there again
                result["store"] = "postgres"
            with lock:
                if result["status"] in DETECTED and result.get("test"):
                    _count_kill(by_module, mutant.module, _nodeid(result["test"]))
                if screened and result["status"] == "survived":
                    run.screened.append(mutant.id)  # alive after the screen: no verdict
                else:
                    run.results[mutant.id] = result
                with progress.open("a", encoding="utf-8") as stream:
                    stream.write(json.dumps({"mutant": mutant.describe(), **result}) + "\n")
                done[0] += 1
                if done[0] % 25 == 0 or done[0] == to_run:
                    log(f"  {done[0]}/{to_run} run ({time.monotonic() - started:.0f} s)")

    with tempfile.TemporaryDirectory(prefix="gritwit-mutate-") as tmp:
        workers: list[Worker] = []
        threads: list[threading.Thread] = []
        try:
            # copied and started inside the ``try``: an interrupt while the package is
            # copied or the threads start (a first job may end before the last thread
            # starts) is taken as one while they run, and the run's report is written
            for index in range(options.workers):
                workers.append(Worker(make_copy(Path(tmp), index)))
            threads = [threading.Thread(target=work, args=(w,)) for w in workers]
            for thread in threads:
                thread.start()
            # joined in short waits: a signal the kernel hands to another thread only sets
            # Python's flag, and a main thread blocked in one long join never ran the
            # handler (a SIGTERM then waited for the whole run)
            for thread in threads:
                while thread.is_alive():
                    thread.join(0.5)
        except KeyboardInterrupt:
            # Ctrl-C, or a SIGTERM the command turns into one: the jobs under way end with
            # their workers (and their adapters), unjudged; the verdicts reached are the
            # run's, as at the end of a time budget (a run stopped after hours used to keep
            # nothing, and its verdicts were read back from its progress file by hand)
            stopping.set()
            for worker in workers:
                worker.stop()
            for thread in threads:
                if thread.ident is not None:  # started
                    thread.join()
            run.complete, run.cut, run.interrupted = False, True, True
            log(f"interrupted: {done[0]} of {to_run} mutants judged")
        finally:
            for worker in workers:
                worker.stop()
    return coverage


def _traced_map(
    options: Options,
    log: Callable[[str], None],
    groups: Iterable[str],
    modules: set[str],
    few: bool,
    store_url: str | None,
) -> Coverage:
    """The traced map of ``groups``' profiles: the ``postgres`` group's apart, storing in
    ``store_url``, and the rest's as always; one map of both (:meth:`Coverage.merged`).
    ``modules``: those to trace when ``few`` (a sample, named mutants), none: nothing to
    run."""
    if few and not modules:
        return Coverage({"key": "none", "tests": {}})
    cache = options.root / options.cache
    if options.on_postgres and store_url is not None:
        # every group's profiles, storing in the server: one map
        every = {p for g in groups for p in PROFILES_OF[g]}
        traced = modules or {m for g in groups for m in GROUPS[g]}
        return build_coverage(
            every, cache, log, options.workers, modules=traced, store_url=store_url
        )
    plain = {m for m in modules if group_of(m) != POSTGRES}
    profiles = {p for g in groups if g != POSTGRES for p in PROFILES_OF[g]}
    maps = []
    if profiles and (not few or plain):
        maps.append(build_coverage(profiles, cache, log, options.workers, modules=plain))
    if store_url is not None and (not few or modules - plain):
        maps.append(
            build_coverage(
                PROFILES_OF[POSTGRES],
                cache,
                log,
                options.workers,
                modules=modules - plain,
                store_url=store_url,
            )
        )
    return Coverage.merged(maps) if maps else Coverage({"key": "none", "tests": {}})


@contextlib.contextmanager
def _store_server(
    needed: bool, given: str | None, log: Callable[[str], None]
) -> Iterator[str | None]:
    """The database the ``postgres`` group's mutants store in: ``given``, else, when
    ``needed``, one of a throwaway cluster started now and stopped (its directory
    removed) when the block ends, however it ends; ``None`` when not needed."""
    if given is not None or not needed:
        yield given
        return
    from ..pg_cluster import start_cluster

    cluster = start_cluster()
    try:
        url = cluster.create_database("gritwit_mutate")
        log(f"a throwaway PostgreSQL cluster for the postgres group's mutants: {cluster.root}")
        yield url
    finally:
        cluster.stop()


def _carried(report: Path, *, every_status: bool = False) -> dict[str, dict[str, Any]]:
    """An earlier report's detected mutants (or all but the equivalent), as results."""
    document = json.loads(report.read_text(encoding="utf-8"))
    keep = DETECTED if not every_status else (*DETECTED, "survived", "uncovered", "error")
    return {
        record["id"]: {
            "status": "survived" if record["status"] == "uncovered" else record["status"],
            "uncovered": record["status"] == "uncovered",
            "test": record.get("test"),
            "testRequirements": record.get("testRequirements", []),
            "reason": record.get("reason", ""),
            "ran": 0,
            "seconds": 0.0,
            "carried": True,
        }
        for record in document.get("mutants", [])
        if record.get("status") in keep
    }


def _nodeid(test: str) -> str:
    """A result's test as the map names it (the worker answers absolute paths)."""
    return str(Path(test).relative_to(SUITE_ROOT)) if test.startswith("/") else test


def _module_killers(evidence_file: Path, mutants: Iterable[Mutant]) -> dict[str, dict[str, int]]:
    """Module → suite test → how many of its mutants the evidence says the test killed."""
    if not evidence_file.is_file():
        return {}
    module_of = {m.id: m.module for m in mutants}
    found: dict[str, dict[str, int]] = {}
    evidence = json.loads(evidence_file.read_text(encoding="utf-8"))
    for mutant_id, test in killers(evidence).items():
        module = module_of.get(mutant_id)
        if module is not None:
            _count_kill(found, module, test)
    return found


def _count_kill(table: dict[str, dict[str, int]], module: str, test: str) -> None:
    """One more of ``module``'s mutants killed by ``test``, in the killers table."""
    kills = table.setdefault(module, {})
    kills[test] = kills.get(test, 0) + 1


def _attach_requirements(run: MutationRun, coverage: Coverage) -> None:
    for result in run.results.values():
        test = result.get("test")
        if result.get("carried"):
            # the test may cite other (sub-)IDs now than when it killed the mutant
            if test and test in coverage.tests:
                result["testRequirements"] = coverage.requirements(test)
            continue
        if test:
            nodeid = _nodeid(test)
            result["test"] = nodeid
            result["testRequirements"] = coverage.requirements(nodeid)
