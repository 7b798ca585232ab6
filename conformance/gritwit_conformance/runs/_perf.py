"""``gritwit perf``: time implementations through their adapters, side by side (ADP-018).

Each implementation is started as the conformance harness starts it
(:func:`~gritwit_conformance.harness._implementation.make_implementation`: ``reference``
for the in-process reference, otherwise a command line).  For each workload the
harness sends ``perf-run`` ``repeat`` times per implementation, interleaved (one
repetition of every implementation, then the next, the order rotated each time,
so that a load change on the machine hits all of them alike), checks every
answer against the reference's ``check`` (ADP-018.2) and a positive
``elapsed_ns`` (ADP-018.3), and reports the median nanoseconds per repetition
and its ratio to the baseline: the first implementation that names itself
``gritwit-reference`` in ``hello``, else the first one given (ADP-018.5).

The runtime workloads (``runtime-*``, ADP-018.6) go only to implementations that
also claim ``runtime`` and ``wasm`` (ADP-018.8); the harness sends them the Wasm
builds of ``conformance/wasm/actors`` as ``modules`` and each durable ``perf-run``
a new empty directory, removed after the answer.  An implementation that does not
claim both is *not claimed* for them, which is not a failure.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # imported when a run starts: `gritwit --help` stays fast
    from ..harness._implementation import Implementation

__all__ = [
    "DEFAULT_N",
    "FORMAT",
    "RUNTIME_PROFILES",
    "RUNTIME_WORKLOADS",
    "WORKLOADS",
    "PerfFailure",
    "Row",
    "Table",
    "add_perf_parser",
    "actor_modules",
    "expected_check",
    "measure",
    "render",
    "run_perf",
]

#: The runtime workloads of ADP-018.6: workload → the actors it runs (``modules``, ADP-018.7).
RUNTIME_WORKLOADS: Final[dict[str, tuple[str, ...]]] = {
    "runtime-counter": ("counter",),
    "runtime-ping-pong": ("requester", "echo"),
    "runtime-counter-durable": ("counter",),
    "runtime-ping-pong-durable": ("requester", "echo"),
}
#: The workloads of ADP-018.2, then those of ADP-018.6, in the order they are reported.
WORKLOADS: Final = ("encode", "counter", "ping-pong", *RUNTIME_WORKLOADS)
#: Repetitions per ``perf-run`` by default: each takes about a second on a small machine
#: (a durable operation waits for its syncs: the Node adapter's, 40–100 ms each).
DEFAULT_N: Final[dict[str, int]] = {
    "encode": 2000,
    "counter": 200,
    "ping-pong": 100,
    "runtime-counter": 200,
    "runtime-ping-pong": 100,
    "runtime-counter-durable": 20,
    "runtime-ping-pong-durable": 10,
}
#: The profiles a runtime workload needs besides ``perf`` (ADP-018.8).
RUNTIME_PROFILES: Final = ("runtime", "wasm")
#: The name the reference gives in ``hello`` (ADP-005.1): the baseline of the ratios.
REFERENCE_NAME: Final = "gritwit-reference"
#: The JSON report's format tag.
FORMAT: Final = "gritwit-perf/1"
#: Exit statuses: every row has a figure; a row failed or is not claimed; bad arguments.
EXIT_OK, EXIT_FAILED = 0, 1


class PerfFailure(Exception):
    """An answer to ``perf-run`` that gives no figure, with the requirement it breaks.

    ``not_claimed``: no failure at all, a workload the implementation need not answer
    (ADP-018.8); reported, but it does not fail the run.
    """

    def __init__(self, requirement: str, message: str, *, not_claimed: bool = False) -> None:
        super().__init__(f"{message} ({requirement})")
        self.requirement = requirement
        self.message = message
        self.not_claimed = not_claimed


@dataclass(slots=True)
class Row:
    """One implementation's results for one workload."""

    label: str
    implementation: dict[str, Any]
    #: ``in-process`` (the reference called directly) or ``stdio`` (a child process).
    kind: str = "stdio"
    samples_ns: list[int] = field(default_factory=list)
    failure: PerfFailure | None = None

    def median_per_op(self, n: int) -> float | None:
        if self.failure is not None or not self.samples_ns:
            return None
        return statistics.median(self.samples_ns) / n


@dataclass(frozen=True, slots=True)
class Table:
    """The rows of one workload; ``baseline`` indexes the row the ratios divide by."""

    workload: str
    n: int
    repeat: int
    rows: tuple[Row, ...]
    baseline: int

    def ratio(self, row: Row) -> float | None:
        base = self.rows[self.baseline].median_per_op(self.n)
        mine = row.median_per_op(self.n)
        return None if base is None or mine is None else mine / base

    def to_json(self) -> dict[str, Any]:
        return {
            "workload": self.workload,
            "n": self.n,
            "repeat": self.repeat,
            "baseline": self.rows[self.baseline].label,
            "clock": "elapsed_ns answered by each adapter (ADP-018.3)",
            "results": [
                {
                    "impl": row.label,
                    "implementation": row.implementation,
                    "kind": row.kind,
                    "samples_ns": row.samples_ns,
                    "median_ns_per_op": row.median_per_op(self.n),
                    "ratio": self.ratio(row),
                    "failure": None
                    if row.failure is None
                    else {
                        "requirement": row.failure.requirement,
                        "message": row.failure.message,
                        "not_claimed": row.failure.not_claimed,
                    },
                }
                for row in self.rows
            ],
        }


_CHECKS: dict[tuple[str, int], str] = {}
_MODULES: dict[str, bytes] = {}


def actor_modules(workload: str) -> dict[str, bytes]:
    """The ``modules`` of a runtime workload: the Wasm builds of its test actors (ADP-018.8)."""
    from ..data._paths import wasm_dir

    for name in RUNTIME_WORKLOADS[workload]:
        if name not in _MODULES:
            actors = wasm_dir() / "actors"
            _MODULES[name] = (actors / f"{name}.wasm").read_bytes()
    return {name: _MODULES[name] for name in RUNTIME_WORKLOADS[workload]}


def expected_check(workload: str, n: int) -> str:
    """The reference's ``check`` for ``workload`` and ``n`` (ADP-018.5), computed once."""
    if (workload, n) not in _CHECKS:
        from gritwit.adapter._perf import run_workload

        if workload not in RUNTIME_WORKLOADS:
            _CHECKS[workload, n] = run_workload(workload, n)[1].hex()
        else:
            with tempfile.TemporaryDirectory(prefix="gritwit-perf-") as path:
                _, check = run_workload(
                    workload, n, modules=actor_modules(workload), path=Path(path)
                )
            _CHECKS[workload, n] = check.hex()
    return _CHECKS[workload, n]


def _perf_run(impl: Implementation, workload: str, n: int) -> Any:
    """Send ``perf-run``, with the modules and a new directory of a runtime workload (ADP-018.8)."""
    if workload not in RUNTIME_WORKLOADS:
        return impl.call("perf-run", workload=workload, n=n)
    modules = {name: module.hex() for name, module in actor_modules(workload).items()}
    if not workload.endswith("-durable"):
        return impl.call("perf-run", workload=workload, n=n, modules=modules)
    path = tempfile.mkdtemp(prefix="gritwit-perf-")
    try:
        return impl.call("perf-run", workload=workload, n=n, path=path, modules=modules)
    finally:
        shutil.rmtree(path, ignore_errors=True)


def measure(impl: Implementation, workload: str, n: int) -> int:
    """One ``perf-run``: its ``elapsed_ns``, or :class:`PerfFailure` naming the rule broken."""
    if "perf" not in impl.profiles:
        raise PerfFailure("ADP-018.1", "does not claim the profile perf: not claimed")
    runtime = workload in RUNTIME_WORKLOADS
    missing = [p for p in RUNTIME_PROFILES if p not in impl.profiles] if runtime else []
    if missing:
        raise PerfFailure(
            "ADP-018.8", f"does not claim {' and '.join(missing)}: not claimed", not_claimed=True
        )
    if runtime:
        try:
            actor_modules(workload)
        except FileNotFoundError as exc:  # an installed judge without a checkout's wasm/
            raise PerfFailure("ADP-018.8", f"no Wasm test actors to send: {exc}") from None
    from ..harness._implementation import MissingCommand

    work = "ADP-018.6" if runtime else "ADP-018.2"
    try:
        response = _perf_run(impl, workload, n)
    except MissingCommand:  # the harness's own check of a claimed profile (ADP-006)
        raise PerfFailure(
            "ADP-018.1", "claims perf but answers perf-run with unsupported-command"
        ) from None
    if not response.ok:
        raise PerfFailure(work, f"perf-run failed: {response.error}")
    elapsed, check = response.result["elapsed_ns"], response.result["check"]
    if elapsed <= 0:
        raise PerfFailure("ADP-018.3", f"elapsed_ns is {elapsed}, not a positive time")
    expected = expected_check(workload, n)
    if check != expected:
        raise PerfFailure(
            work, f"check {check} is not the reference's {expected}: the work differs"
        )
    return int(elapsed)


def _describe(impl: Implementation) -> dict[str, Any]:
    from ..harness._transport import AdapterBroken

    try:
        info = impl.info()
    except AdapterBroken as exc:
        raise PerfFailure(exc.requirement or "ADP-005.1", f"no handshake: {exc.reason}") from None
    who = info.get("implementation", {})
    return {k: who.get(k) for k in ("name", "version", "language")}


def run_tables(
    specs: Sequence[str],
    workloads: Sequence[str],
    n: int | None,
    repeat: int,
    *,
    timeout: float,
    scale: float = 1.0,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Table]:
    """Start every implementation, run the workloads interleaved, stop them (ADP-018.5).

    Each ``perf-run`` may take ``timeout`` × ``scale`` seconds, longer while the adapter
    makes progress: the answer limit of ADP-012 with the benchmark's base (ADP-018.5).
    """
    from ..harness._implementation import make_implementation

    impls = [make_implementation(spec, timeout=timeout, scale=scale) for spec in specs]
    try:
        return [
            _table(impls, workload, n or DEFAULT_N[workload], repeat, progress)
            for workload in workloads
        ]
    finally:
        for impl in impls:
            impl.close()


def _table(
    impls: list[Implementation],
    workload: str,
    n: int,
    repeat: int,
    progress: Callable[[str], None],
) -> Table:
    from ..harness._transport import AdapterBroken

    rows: list[Row] = []
    for impl in impls:
        row = Row(impl.label, {}, "stdio" if impl.can_kill else "in-process")
        try:
            row.implementation = _describe(impl)
        except PerfFailure as exc:
            row.failure = exc
        rows.append(row)
    for rep in range(repeat):
        shift = rep % len(impls)
        for index in [*range(shift, len(impls)), *range(shift)]:
            row = rows[index]
            if row.failure is not None:
                continue
            try:
                row.samples_ns.append(measure(impls[index], workload, n))
            except PerfFailure as exc:
                row.failure = exc
            except AdapterBroken as exc:
                row.failure = PerfFailure(exc.requirement or "ADP-012", exc.reason)
                impls[index].reset()
            progress(f"{workload} {rep + 1}/{repeat} {row.label}")
    names = [row.implementation.get("name") for row in rows]
    baseline = names.index(REFERENCE_NAME) if REFERENCE_NAME in names else 0
    return Table(workload, n, repeat, tuple(rows), baseline)


def _thousands(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def render(table: Table) -> str:
    """The table of one workload, as text: implementation, median ns per op, ratio."""
    base = _label(table.rows[table.baseline])
    lines = [
        f"workload {table.workload}: n={table.n}, {table.repeat} repetition(s) each, "
        f"median ns per operation; ratio to {base}",
    ]
    labels = [_label(row) for row in table.rows]
    width = max(len("implementation"), *map(len, labels))
    lines.append(f"  {'implementation':<{width}}  {'ns/op':>12}  {'ratio':>6}")
    for row, label in zip(table.rows, labels, strict=True):
        median, ratio = row.median_per_op(table.n), table.ratio(row)
        if row.failure is not None and row.failure.not_claimed:
            lines.append(f"  {label:<{width}}  {'-':>12}  {'-':>6}  {row.failure}")
        elif row.failure is not None or median is None:
            reason = row.failure or "no sample"
            lines.append(f"  {label:<{width}}  {'FAIL':>12}  {'-':>6}  {reason}")
        else:
            shown = "-" if ratio is None else f"{ratio:.2f}"
            lines.append(f"  {label:<{width}}  {_thousands(median):>12}  {shown:>6}")
    return "\n".join(lines)


def _label(row: Row) -> str:
    name = row.implementation.get("name")
    where = row.kind if row.kind == "in-process" else f"{row.kind}: {row.label}"
    return f"{name or '?'} ({where})"


def run_perf(args: argparse.Namespace) -> int:
    """The ``gritwit perf`` handler: print one table per workload, write ``--json``."""
    specs = args.impl or [f"{shlex.quote(sys.executable)} -m gritwit adapter"]
    workloads = args.workload or list(WORKLOADS)
    scale = args.timeout_scale
    if scale is None:
        from ..harness._calibrate import calibrate

        scale = calibrate().scale
    tables = run_tables(specs, workloads, args.n, args.repeat, timeout=args.timeout, scale=scale)
    print("\n\n".join(render(table) for table in tables))
    if args.json:
        report = {"format": FORMAT, "tables": [table.to_json() for table in tables]}
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    failed = any(
        row.failure is not None and not row.failure.not_claimed
        for table in tables
        for row in table.rows
    )
    return EXIT_FAILED if failed else EXIT_OK


def _command(text: str) -> str:
    try:
        argv = shlex.split(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"cannot split {text!r} into words: {exc}") from None
    if not argv:
        raise argparse.ArgumentTypeError("empty command: give the command that starts an adapter")
    return text


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not from {low} to {high}")
        return value

    return parse


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds > 0")
    return value


def _scale(text: str) -> float:
    from ..harness._limits import check_scale

    try:
        return check_scale(float(text), "the scale")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a finite number more than 0 (ADP-012.2)"
        ) from None


def add_perf_parser(subparsers: Any) -> None:
    """Register ``gritwit perf`` (called from :mod:`gritwit_conformance.cli`)."""
    help_text = "time implementations through their adapters, side by side (ADP-018)"
    parser = subparsers.add_parser(
        "perf",
        help=help_text,
        description=f"{help_text}. Each adapter that claims the profile perf runs each "
        "workload inside its own process and answers the time; the harness checks the "
        "work against the reference and prints the median ns per operation and the ratio "
        "to the reference.",
        epilog="exit status: 0 every implementation gave a figure for every workload it "
        "claims (a runtime workload needs the profiles runtime and wasm as well, ADP-018.8); "
        "1 one failed or does not claim perf; 2 bad arguments",
    )
    parser.add_argument(
        "--impl",
        action="append",
        default=[],
        type=_command,
        help="command line that starts an adapter, or 'reference' for the in-process "
        "reference (repeatable; default: the reference over stdio, python -m gritwit adapter)",
    )
    parser.add_argument(
        "--workload",
        action="append",
        default=[],
        choices=WORKLOADS,
        help="only this workload (repeatable; default: all)",
    )
    parser.add_argument(
        "--n",
        type=_bounded(1, 1_000_000),
        default=None,
        help="operations per perf-run (default per workload: "
        + ", ".join(f"{w} {n}" for w, n in DEFAULT_N.items())
        + ")",
    )
    parser.add_argument(
        "--repeat",
        type=_bounded(1, 1000),
        default=5,
        help="perf-runs per implementation and workload, interleaved (default: %(default)s)",
    )
    parser.add_argument("--json", default=None, help="also write the results to this JSON file")
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=600.0,
        help="seconds one perf-run may take, before the scale (default: %(default)g); "
        "longer while the adapter makes progress (ADP-012)",
    )
    parser.add_argument(
        "--timeout-scale",
        type=_scale,
        default=None,
        metavar="S",
        help="multiply the limit by S (ADP-012.2; default: calibrated from this machine's "
        "speed and load, between 1 and 10)",
    )
    parser.set_defaults(handler=run_perf)
