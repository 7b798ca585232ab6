"""``gritwit conform``: run the suite against one implementation and summarise it.

Runs pytest in-process on the suite shipped in this package, with the plugin's
options, writes the JSON report (``gritwit-report/3``) and, from it, the JUnit XML
(ADP-020.4), and prints a per-profile summary with the failed requirement IDs, the
spec versions when they differ (ADP-020.3) and the failures with their ``since`` notes.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from .. import PROFILES
from ..harness._limits import limit_line
from ..harness._messages import visible_text
from ..harness._plan import ConformPlan, PlanError, PlanPlugin, default_examples
from ..harness._state import run_state
from ..report._model import FAILING, ReportError
from ._run_report import render_summary, run_status
from ._select import Selection, plan_rerun
from ._unclaimed import sandbox_note, unclaimed_notes

__all__ = [
    "EXIT_HANDSHAKE",
    "EXIT_INCOMPLETE",
    "PROFILES",
    "SUITE_DIR",
    "run_conform",
    "sandbox_note",
]

#: Exit status when the adapter cannot start or fails its handshake (no test ran).
EXIT_HANDSHAKE = 3
#: Exit status of a run that did not finish for a reason other than a signal (a worker
#: died, the harness crashed): its report is *incomplete*, never a pass.
EXIT_INCOMPLETE = 4
#: Exit status of an interrupted run: 128 + the signal number, as a shell reports it.
_SIGNAL_STATUS = {"SIGINT": 130, "SIGTERM": 143}

SUITE_DIR = Path(__file__).resolve().parents[1] / "suite"


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM during the handshake check: stop like Ctrl-C."""
    run_state.interrupted = signal.Signals(signum).name
    raise KeyboardInterrupt


def _pytest_args(
    *,
    profiles: list[str],
    workers: int,
    heavy: bool,
    ini: Path,
    files: list[str] | None = None,
) -> list[str]:
    """pytest's own arguments of a run: what it collects and how it prints.

    Every gritwit choice travels in the plan (:class:`..harness._plan.PlanPlugin`),
    not in options: ``-m``, ``-n`` and the paths are pytest's and xdist's.
    """
    chosen = profiles or list(PROFILES)
    args = [str(SUITE_DIR / "protocol"), *(str(SUITE_DIR / p) for p in chosen)]
    if files is not None:  # a re-run collects only the files of its tests
        args = files
    args += ["-c", str(ini), "--rootdir", str(SUITE_DIR.parent), "-p", "no:cacheprovider"]
    # Installed from the wheel, pytest would rewrite the asserts of the plugin's whole
    # distribution, which this command has already imported: it warns, and nothing is lost.
    args += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    args += ["-q", "--tb=no", "--no-header", "-rN", "-o", "console_output_style=classic"]
    if workers > 1:
        args += ["-n", str(workers)]
    # Tests that take minutes (10,000 resident actors …): only when asked; a re-run
    # runs the tests its report names, heavy or not.
    if not heavy and files is None:
        args += ["-m", "not heavy"]
    return args


def _applied_version(spec_version: str, hello: dict[str, Any] | None) -> str | None:
    """``--spec-version``: a recorded version, ``claimed`` resolved; None after an error.

    ``hello``: the adapter's checked handshake (``None`` for the in-process reference,
    which claims this package's version).
    """
    from ..data._versions import spec_history
    from ._options import applied_version

    if spec_history() is None:
        print("gritwit conform: --spec-version: no spec/clauses.json to read", file=sys.stderr)
        return None
    if spec_version == "claimed":
        import gritwit

        claimed = (hello or {}).get("implementation", {}).get("spec", gritwit.SPEC_VERSION)
        spec_version = str(claimed)
    try:
        return applied_version(spec_version, "--spec-version")
    except PlanError as exc:
        print(f"gritwit conform: {exc}", file=sys.stderr)
        return None


def _scale(given: float | None) -> tuple[float, str]:
    """The scale of the answer limits: ``given``, or calibrated now (ADP-012.2)."""
    if given is not None:
        return given, "given"
    from ..harness._calibrate import calibrate

    calibration = calibrate()
    return calibration.scale, calibration.describe()


#: Lines of each failure's reason printed in the terminal (the reports hold all of it).
_REASON_LINES = 12
#: Lines of a failure's adapter stderr printed in the terminal: the first and last half.
_STDERR_LINES = 6


def _ends(lines: list[str]) -> list[str]:
    """The first and last lines of a long text: an error's message opens a stack trace,
    and the last lines say what came after."""
    if len(lines) <= _STDERR_LINES:
        return lines
    half = _STDERR_LINES // 2
    return [*lines[:half], f"…({len(lines) - 2 * half} lines)", *lines[-half:]]


def _failures(document: dict[str, Any], limit: int) -> list[str]:
    lines = []
    bad = [r for r in document["results"] if r["outcome"] in FAILING]
    for record in bad[:limit]:
        reason = record["reason"].strip().splitlines()
        lines.append(f"  {record['outcome'].upper():8} {visible_text(record['id'])}")
        lines.append(f"           [{', '.join(record['requirements'])}]")
        lines += [f"           since: {visible_text(note)}" for note in record.get("since", [])]
        diagnosis = record.get("diagnosis")
        if diagnosis:  # the cause first, where the harness can tell it (ADP-020.9)
            rule = diagnosis["rule"] or "no rule named"
            lines.append(f"           diagnosis ({rule}): {visible_text(diagnosis['words'])}")
        lines += [f"           {visible_text(line)}" for line in reason[:_REASON_LINES]]
        if len(reason) > _REASON_LINES:
            lines.append(f"           …({len(reason) - _REASON_LINES} more lines in the report)")
        stderr = [line for line in record.get("stderr", "").splitlines() if line.strip()]
        if stderr:  # what the adapter said meanwhile (ADP-020.7)
            lines.append(f"           adapter stderr ({len(stderr)} lines, in the report):")
            lines += [f"             {visible_text(line[:200])}" for line in _ends(stderr)]
    if len(bad) > limit:
        lines.append(f"  … and {len(bad) - limit} more in the JSON report")
    return lines


def _refusal(requirements: Sequence[str], reports: tuple[Path, Path]) -> str:
    """Why the run must not start: unknown IDs, a report that cannot be written (ADP-020.8)."""
    import gritwit

    from ._precheck import out_problem, unknown_requirements

    unknown = unknown_requirements(requirements)
    if unknown:
        return (
            f"--requirement: {', '.join(unknown)}: no such requirement in spec "
            f"{gritwit.SPEC_VERSION} (ADP-020.8)"
        )
    problem = out_problem(reports)
    return f"--out: {problem}; nothing run (ADP-020.8)" if problem else ""


def run_conform(
    *,
    impl: str | None = None,
    profiles: list[str] | None = None,
    workers: int = 1,
    smoke: bool = False,
    heavy: bool = False,
    json_path: Path = Path("conformance-report.json"),
    junit_path: Path = Path("conformance-report.xml"),
    examples: int | None = None,
    timeout: float = 10.0,
    timeout_scale: float | None = None,
    vectors: Path | None = None,
    show: int = 10,
    spec_version: str | None = None,
    rerun: Path | None = None,
    requirements: Sequence[str] = (),
    tests: Sequence[str] = (),
) -> int:
    """Run the suite; print the summary; return 0 only if nothing failed or errored.

    Tests marked ``heavy`` (minutes each) run only with ``heavy``.

    Every answer of an adapter may take ``timeout`` × ``timeout_scale`` seconds, longer
    while it makes progress (ADP-012); without ``timeout_scale`` the scale is calibrated
    once, here, and the run header line says which was used.

    The adapter's handshake is checked first: when it cannot start or answer
    ``hello``, one error says so and the status is :data:`EXIT_HANDSHAKE`.  An
    interrupted run (SIGINT, SIGTERM) writes a partial report marked so and
    returns 128 + the signal number.  ``spec_version`` (a recorded version, or
    ``claimed``: the one the adapter claims in ``hello``) leaves out the tests of
    clauses added after it (ADP-005.6); an unknown one is a usage error (status 2).

    ``rerun`` (an earlier report), ``requirements`` and ``tests`` keep only some tests
    (:mod:`._select`): the failing tests of that report (against its implementation and
    ``--spec-version`` unless others are given), those citing one of the IDs or a
    sub-clause, those whose id holds one of the names.  Every report form then says
    ``selected N of M tests``; a selection that keeps no test is a usage error (2), a
    report without failing tests leaves nothing to do (0).
    """
    unknown = set(profiles or ()) - set(PROFILES)
    if unknown:
        print(
            f"gritwit conform: unknown profile(s) {sorted(unknown)}; known: {list(PROFILES)}",
            file=sys.stderr,
        )
        return 2
    refused = _refusal(requirements, (json_path, junit_path))
    if refused:
        print(f"gritwit conform: {refused}", file=sys.stderr)
        return 2
    chosen: Selection | None = None
    files: list[str] | None = None
    if rerun is not None:
        try:
            again = plan_rerun(rerun, SUITE_DIR, list(profiles or []))
        except ReportError as exc:
            print(f"gritwit conform: --rerun: {exc}", file=sys.stderr)
            return 2
        if not again.selection.tests:
            print(f"gritwit conform: nothing to re-run: {rerun} has no failing test")
            return 0
        if not again.files:
            print(
                f"gritwit conform: --rerun: none of the {len(again.selection.tests)} failing "
                f"test(s) of {rerun} is in this suite",
                file=sys.stderr,
            )
            return 2
        chosen, files = again.selection, list(again.files)
        if impl is None and again.impl is not None:
            print(f"gritwit conform: re-running against the report's --impl {again.impl}")
        impl = impl or again.impl
        if spec_version is None and again.spec_version is not None:
            print(f"gritwit conform: --spec-version {again.spec_version}, as the report applied")
            spec_version = again.spec_version
    if requirements or tests:
        chosen = Selection(
            tests=chosen.tests if chosen else None,
            rerun=chosen.rerun if chosen else None,
            rerun_of=chosen.rerun_of if chosen else 0,
            requirements=tuple(requirements),
            names=tuple(tests),
        )
    if spec_version is not None and spec_version != "claimed":
        # A recorded version is checked with the rest of the plan, before the adapter
        # starts; ``claimed`` waits for its handshake.
        spec_version = _applied_version(spec_version, None)
        if spec_version is None:
            return 2
    try:  # checked whole before anything is removed, started or written
        plan = ConformPlan(
            impl=impl or "reference",
            timeout=timeout,
            timeout_scale=timeout_scale,
            scale_note="" if timeout_scale is None else "given",
            smoke=smoke,
            spec_version=None if spec_version == "claimed" else spec_version,
            vectors=vectors,
            selection=chosen,
            profiles=tuple(sorted(set(profiles or ()))),
            json_report=json_path,
            junit_report=junit_path,
            progress=True,
            examples=default_examples() if examples is None else examples,
        )
    except PlanError as exc:
        print(f"gritwit conform: {exc}; nothing run", file=sys.stderr)
        return 2
    for stale in (
        json_path,
        junit_path,
    ):  # a report left by an earlier run must not pass for this one
        stale.unlink(missing_ok=True)
    run_state.interrupted = None
    if plan.impl != "reference":
        from ..harness._implementation import HandshakeFailed, check_handshake

        scale, note = _scale(plan.timeout_scale)
        plan = replace(plan, timeout_scale=scale, scale_note=note)
        print(f"gritwit conform: {limit_line(timeout, scale, note)}", flush=True)
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            plan = plan.with_hello(check_handshake(plan.impl, timeout=timeout, scale=scale))
        except HandshakeFailed as exc:
            print(f"gritwit conform: {exc}\nno report written", file=sys.stderr)
            return EXIT_HANDSHAKE
        except KeyboardInterrupt:
            name = run_state.interrupted or "SIGINT"
            print(f"gritwit conform: interrupted by {name} before any test; no report written")
            return _SIGNAL_STATUS[name]
        finally:
            signal.signal(signal.SIGTERM, previous)
    if spec_version == "claimed":
        applied = _applied_version(spec_version, plan.hello)
        if applied is None:
            return 2
        plan = replace(plan, spec_version=applied)
    with tempfile.TemporaryDirectory() as tmp:
        ini = Path(tmp) / "pytest.ini"
        ini.write_text("[pytest]\n", encoding="utf-8")
        args = _pytest_args(
            profiles=list(plan.profiles), workers=workers, heavy=heavy, ini=ini, files=files
        )
        # The run's own temporary folder. Without it pytest numbers one under
        # /tmp/pytest-of-<user> and, as the session ends, deletes the oldest there (it
        # keeps 3), whoever made them: 20-30 s of a stop at Ctrl-C was rmtree of another
        # session's thousands of files (ADP-020.5).
        args += ["--basetemp", str(Path(tmp) / "basetemp")]
        status = pytest.main(args, plugins=[PlanPlugin(plan)])
    if not json_path.is_file():
        print(f"gritwit conform: the run produced no report (pytest exit {status})")
        return _SIGNAL_STATUS.get(run_state.interrupted or "", int(status) or 1)
    document = json.loads(json_path.read_text(encoding="utf-8"))
    print()
    print(render_summary(document))
    reference = plan.impl == "reference"
    for note in unclaimed_notes(document, reference=reference, impl="" if reference else plan.impl):
        print(note)
    failures = _failures(document, show)
    if failures:
        print("\nfailures:")
        print("\n".join(failures))
        from ..report._triage import triage_lines

        print("\n" + "\n".join(visible_text(line) for line in triage_lines(document)))
    print(f"\nreport: {json_path}   junit: {junit_path}")
    verdict = run_status(document)
    if "selection" in document and not document["selection"]["selected"]:
        print("gritwit conform: the selection keeps no test", file=sys.stderr)
        return 2
    if document.get("interrupted"):
        return _SIGNAL_STATUS.get(document["interrupted"], EXIT_INCOMPLETE)
    if verdict == "incomplete":
        return EXIT_INCOMPLETE
    if status not in (0, 1) and verdict == "pass":
        return int(status)
    return 1 if verdict == "fail" else 0
