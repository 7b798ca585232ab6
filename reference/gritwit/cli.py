"""The ``gritwit`` command line: one subcommand per job.

Each subcommand is registered by one ``_add_<name>`` function listed in
:data:`COMMANDS`; it adds its parser and sets ``handler`` to a function
taking the parsed arguments and returning the exit status.  Adding a command
(``trace``, ``conform`` …) means writing one such function and listing it.

I/O happens here and nowhere in the codec.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ._version import SPEC_VERSION, __version__

__all__ = ["COMMANDS", "build_parser", "main"]

_Subparsers = Any  # argparse's _SubParsersAction is private


def _number(text: str, kind: type[float] | type[int]) -> float:
    try:
        value = kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return value


def _positive_float(text: str) -> float:
    """A number of seconds > 0 (0 would fail every exchange and blame the adapter)."""
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def _positive_int(text: str) -> int:
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {text}")
    return value


def _count(text: str) -> int:
    value = int(_number(text, int))
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def _percent(text: str) -> float:
    value = _number(text, float)
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"must be a percentage from 0 to 100, not {text}")
    return value


def _impl_command(text: str) -> str:
    """``reference`` or a command line that splits into at least a program (ADP-001)."""
    import shlex

    try:
        argv = shlex.split(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"cannot split {text!r} into words: {exc}") from None
    if not argv:
        raise argparse.ArgumentTypeError(
            "empty command: give the command that starts your adapter, or 'reference'"
        )
    return text


def _existing_dir(text: str) -> str:
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is not a directory")
    return text


def _vectors_dir(args: argparse.Namespace) -> Path:
    from .vectors import find_vectors_dir

    return Path(args.dir) if args.dir is not None else find_vectors_dir()


def _vectors_generate(args: argparse.Namespace) -> int:
    from .vectors import GenerationError, checkout_vectors_dir, write_vectors

    directory = Path(args.dir) if args.dir is not None else checkout_vectors_dir()
    if directory is None:  # never rewrite the checkout an installed package came from
        print(
            "gritwit vectors generate: not inside a gritwit checkout; "
            "pass --dir DIR to write the vectors there",
            file=sys.stderr,
        )
        return 2
    try:
        changed, stale = write_vectors(directory)
    except GenerationError as exc:
        print(f"gritwit vectors generate: {exc}", file=sys.stderr)
        return 1
    for relative in changed:
        print(f"wrote {directory / relative}")
    for relative in stale:
        print(f"stale file not written by the generator: {directory / relative}", file=sys.stderr)
    print(f"{directory}: {len(changed)} file(s) written, the rest unchanged")
    return 0


def _vectors_verify(args: argparse.Namespace) -> int:
    from .vectors import verify

    directory = _vectors_dir(args)
    report = verify(directory, against_generator=not args.no_drift)
    print(f"{directory}:")
    print(report.summary())
    return 0 if report.ok else 1


def _add_vectors(subparsers: _Subparsers) -> None:
    parser = subparsers.add_parser(
        "vectors",
        help="generate or verify the golden vectors",
        description="Generate or verify the golden vectors (JSON + JSON Schema).",
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler, help_text in (
        ("generate", _vectors_generate, "write the vector files (checked against the reference)"),
        ("verify", _vectors_verify, "check schema, drift and every vector against the reference"),
    ):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument(
            "--dir",
            default=None,
            type=_existing_dir if name == "verify" else str,
            help="vectors directory (default: vectors/ of the project containing the "
            "working directory)",
        )
        if name == "verify":
            action.add_argument(
                "--no-drift",
                action="store_true",
                help="skip the check that the files equal the generator's output",
            )
        action.set_defaults(handler=handler)


def _project_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / "spec" / "00-conventions.md").is_file():
            return folder
    return None


def _trace(args: argparse.Namespace) -> int:
    from ._trace import trace

    root = Path(args.root) if args.root else _project_root(Path.cwd())
    if root is None:
        print(
            "gritwit trace: run it inside the gritwit repository (no spec/ found)", file=sys.stderr
        )
        return 2
    if args.update and not args.changes:
        print("gritwit trace: --update goes with --changes: gritwit trace --changes --update")
        return 2
    if args.inputs:
        from gritwit_conformance._inputs import check, render

        clauses, problems = check(root)
        print(render(clauses, problems, verbose=args.clauses))
        return 1 if problems or (args.require_inputs and any(c.missing for c in clauses)) else 0
    if args.changes:
        from ._changes import changes_command

        status, lines = changes_command(root, SPEC_VERSION, update=args.update)
        print("\n".join(lines))
        return status
    report = trace(root, require_negative=args.require_negative)
    print(report.render(clauses=args.clauses))
    if args.json:
        import json

        try:
            Path(args.json).write_text(
                json.dumps(report.table(), indent=1) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            print(f"gritwit trace: cannot write {args.json}: {exc.strerror}", file=sys.stderr)
            return 2
    return 0 if report.ok else 1


def _add_trace(subparsers: _Subparsers) -> None:
    help_text = "check that every requirement ID is cited and every citation exists (CONV-005)"
    parser = subparsers.add_parser("trace", help=help_text, description=help_text)
    parser.add_argument(
        "--root", default=None, type=_existing_dir, help="repository root (default: found from cwd)"
    )
    parser.add_argument(
        "--clauses", action="store_true", help="print every clause with its negative checks"
    )
    parser.add_argument(
        "--require-negative",
        action="store_true",
        help="fail on a clause that no mutant, wrong adapter or untestable entry covers",
    )
    parser.add_argument("--json", default=None, metavar="PATH", help="write the clause table")
    parser.add_argument(
        "--inputs",
        action="store_true",
        help="per clause of conformance/inputs.toml (text, names, keys, sizes, counts, orders): "
        "the input classes its tests exercise (inputs markers) and those missing; with "
        "--clauses, the tests per class",
    )
    parser.add_argument(
        "--require-inputs",
        action="store_true",
        help="with --inputs: fail on a clause that misses a class it requires",
    )
    parser.add_argument(
        "--changes",
        action="store_true",
        help="instead: fail on a clause whose text differs from spec/clauses.json without an "
        "entry in spec/CHANGES.md (CONV-003.3)",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="with --changes: record the current clause hashes in spec/clauses.json",
    )
    parser.set_defaults(handler=_trace)


def _adapter(args: argparse.Namespace) -> int:
    from .adapter import ReferenceAdapter, serve

    if args.profiles is None:
        return serve()
    return serve(ReferenceAdapter(profiles=tuple(args.profiles.split(","))))


def _profile_list(text: str) -> str:
    from .adapter import ReferenceAdapter

    names = [p for p in text.split(",") if p]
    unknown = sorted(set(names) - set(ReferenceAdapter.profiles))
    if not names or unknown:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give profiles from {', '.join(ReferenceAdapter.profiles)}, comma-separated"
        )
    return ",".join(names)


def _add_adapter(subparsers: _Subparsers) -> None:
    help_text = "serve the reference over the adapter protocol on stdin/stdout (ADP-001)"
    parser = subparsers.add_parser("adapter", help=help_text, description=help_text)
    parser.add_argument(
        "--profiles",
        type=_profile_list,
        default=None,
        metavar="P,Q",
        help="claim only these profiles and answer the others' commands as an implementation "
        "without them would (unsupported-command; a genesis of a module or program: "
        "bad-request); the check that the suite's profiles are independent (ADP-006)",
    )
    parser.set_defaults(handler=_adapter)


def _conform(args: argparse.Namespace) -> int:
    from gritwit_conformance._conform import run_conform

    out = Path(args.out)
    return run_conform(
        impl=args.impl,
        profiles=args.profile,
        workers=args.n,
        smoke=args.smoke,
        heavy=args.heavy or os.environ.get("GRITWIT_PROFILE") == "deep",
        json_path=out.with_suffix(".json"),
        junit_path=out.with_suffix(".xml"),
        examples=args.examples,
        timeout=args.timeout,
        vectors=Path(args.vectors) if args.vectors else None,
    )


def _conform_profiles() -> tuple[str, ...]:
    try:
        from gritwit_conformance import PROFILES
    except ImportError:  # the suite is not installed: conform will say so
        return ("codec", "store", "wit", "runtime", "wasm", "perf", "sandbox")
    return PROFILES


def _add_conform(subparsers: _Subparsers) -> None:
    help_text = "run the conformance suite against an implementation (default: the reference)"
    profiles = _conform_profiles()
    parser = subparsers.add_parser(
        "conform",
        help=help_text,
        description=f"{help_text}. Profiles: {', '.join(profiles)}; the protocol tests "
        "always run, and profiles the adapter does not claim in hello are reported as "
        "not claimed (ADP-006). Writes OUT.json (gritwit-report/2) and OUT.xml (JUnit).",
        epilog="exit status: 0 all passed; 1 a test failed or errored; 2 bad arguments; "
        "3 the adapter could not start or failed its handshake (no test ran); "
        "130/143 interrupted by SIGINT/SIGTERM (a partial report is written)",
    )
    parser.add_argument(
        "--impl",
        default="reference",
        type=_impl_command,
        help="command line that starts the adapter of the implementation under test, "
        "or 'reference' (default: the in-process reference)",
    )
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        choices=profiles,
        help="only this profile (repeatable; default: every profile)",
    )
    parser.add_argument(
        "-n", type=_count, default=1, help="parallel workers (pytest-xdist; default: 1)"
    )
    parser.add_argument("--smoke", action="store_true", help="a quick subset, for new adapters")
    parser.add_argument(
        "--heavy",
        action="store_true",
        help="also the heavy tests, minutes each (10,000 resident actors …); "
        "GRITWIT_PROFILE=deep implies it",
    )
    parser.add_argument(
        "--out",
        default="conformance-report",
        help="report path without suffix (.json, .xml; default: %(default)s)",
    )
    parser.add_argument(
        "--examples",
        type=_positive_int,
        default=None,
        help="hypothesis examples per property (default: 100)",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=10.0,
        help="seconds the adapter may take per response (default: %(default)g)",
    )
    parser.add_argument(
        "--vectors",
        default=None,
        type=_existing_dir,
        help="golden vectors directory (default: the vectors shipped with the suite)",
    )
    parser.set_defaults(handler=_conform)


def _add_report(subparsers: _Subparsers) -> None:
    from .report import add_report_parser

    add_report_parser(subparsers)


def _open_store(args: argparse.Namespace) -> Any:
    """The durable store at ``args.dir``; None (after saying why) when it is not one.

    A path that holds no store is refused unless ``--create`` asks for one: a
    mistyped path must not silently become a new, empty store.
    """
    import sqlite3

    from .store import Store
    from .store._sqlite import DB_FILENAME

    command = f"gritwit runtime {args.action}"
    folder = Path(args.dir)
    if folder.exists() and not folder.is_dir():
        print(f"{command}: {folder} is not a directory", file=sys.stderr)
        return None
    if not (folder / DB_FILENAME).is_file() and not args.create:
        print(
            f"{command}: {folder} is not a gritwit store (no {DB_FILENAME} in it); "
            "check the path, or pass --create to make a new store there",
            file=sys.stderr,
        )
        return None
    try:
        return Store.open(folder)
    except (sqlite3.Error, OSError) as exc:
        print(f"{command}: cannot open the store in {folder}: {exc}", file=sys.stderr)
        return None


def _runtime(args: argparse.Namespace) -> int:
    from ._errors import GritError
    from ._ids import ObjectId
    from .runtime import check_runtime, heads, history

    actor = None
    if args.action == "history":
        try:
            actor = ObjectId.from_hex(args.actor)
        except (GritError, ValueError) as exc:
            print(f"gritwit runtime history: bad actor id {args.actor!r}: {exc}", file=sys.stderr)
            return 2
    opened = _open_store(args)
    if opened is None:
        return 2
    with opened as store:
        if args.action == "run":
            return _runtime_run(store, args)
        if args.action == "heads":
            for actor, head, failed in heads(store):
                print(actor, head, "failed" if failed else "")
            return 0
        if args.action == "history":
            assert actor is not None
            for step_id, step in history(store, actor):
                print(step_id, step.core)
            return 0
        verified, check = store.verify(), check_runtime(store)
        print(f"{verified.objects} object(s), {check.actors} actor(s), {check.steps} step(s)")
        for problem in check.problems:
            print(problem)
        ok = verified.ok and check.ok
        print("runtime verify: OK" if ok else f"runtime verify: FAILED {verified}")
        return 0 if ok else 1


def _runtime_run(store: Any, args: argparse.Namespace) -> int:
    """``gritwit runtime run``: one bounded run (RUN-018), then what it left undone.

    Prints each actor marked failed, each actor still busy when the run stopped at
    ``--max-steps`` (RUN-018.3), and a summary; exit 0 when quiescent, 3 when the
    bound stopped it (run again to continue).
    """
    import asyncio

    from .runtime import Runtime

    runtime = Runtime(store, time_limit=args.time_limit, max_steps=args.max_steps)
    report = asyncio.run(runtime.run_until_quiescent())
    for failure in report.failures:
        print(f"failed {failure.actor} {failure.error_class}")
    busy = runtime.busy()
    for actor in busy:
        print(f"busy {actor}")
    print(f"{len(report.steps)} step(s) adopted; quiescent: {report.quiescent}")
    if report.quiescent:
        return 0
    print(
        f"gritwit runtime run: stopped at --max-steps {args.max_steps} (RUN-018.1) with "
        f"{len(busy)} actor(s) busy; run again to continue",
        file=sys.stderr,
    )
    return 3


def _add_runtime(subparsers: _Subparsers) -> None:
    help_text = "run actors on a durable store, or inspect it (RUN-001 … RUN-007)"
    parser = subparsers.add_parser("runtime", help=help_text, description=help_text)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, action_help in (
        ("run", "run every actor with pending messages until quiescent"),
        ("heads", "list every actor, its head step, and whether it is marked failed"),
        ("history", "list an actor's steps, first to head (step id, core id)"),
        ("verify", "re-hash every object, check every head and inbox cursor"),
    ):
        action = actions.add_parser(name, help=action_help, description=action_help)
        action.add_argument("dir", help="the durable store directory")
        action.add_argument(
            "--create",
            action="store_true",
            help="create an empty store if DIR holds none (default: refuse such a path)",
        )
        if name == "history":
            action.add_argument("actor", help="the actor's text-form id")
        if name == "run":
            action.add_argument(
                "--time-limit",
                type=_positive_float,
                default=5.0,
                help="seconds per transition (RUN-005; default: %(default)g)",
            )
            action.add_argument(
                "--max-steps",
                type=_positive_int,
                default=10_000,  # MAX_STEPS of gritwit.runtime, not imported here
                help="most steps this run adopts; then it stops, names the actors still "
                "busy and exits 3 (RUN-018; default: %(default)d)",
            )
        action.set_defaults(handler=_runtime)


def _wasm_build(args: argparse.Namespace) -> int:
    from .wasm import build, find_wasm_dir

    try:
        directory = Path(args.dir) if args.dir is not None else find_wasm_dir()
    except FileNotFoundError as exc:
        print(f"gritwit wasm build: {exc}; pass --dir", file=sys.stderr)
        return 2
    report = build(directory, check=args.check)
    for path in report.changed:
        if args.check:
            print(f"not the build of its source (run gritwit wasm build): {path}")
        else:
            print(f"wrote: {path}")
    print(f"{directory}: {len(report.sources)} source(s), {len(report.changed)} changed")
    return 1 if args.check and not report.ok else 0


def _add_wasm(subparsers: _Subparsers) -> None:
    help_text = "build the Wasm test actors from their .wat sources (WASM-022)"
    parser = subparsers.add_parser("wasm", help=help_text, description=help_text)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    action = actions.add_parser("build", help=help_text, description=help_text)
    action.add_argument("--check", action="store_true", help="only compare, fail on a difference")
    action.add_argument(
        "--dir",
        default=None,
        type=_existing_dir,
        help="default: conformance/wasm of the project",
    )
    action.set_defaults(handler=_wasm_build)


def _mutate(args: argparse.Namespace) -> int:
    from gritwit_conformance.mutate import GROUPS, Options
    from gritwit_conformance.mutate import main as mutate_main

    if args.rerun and not Path(args.rerun).is_file():
        print(f"gritwit mutate: --rerun: {args.rerun!r} is not a file", file=sys.stderr)
        return 2
    root = Path(args.root) if args.root else _project_root(Path.cwd())
    if root is None:
        print(
            "gritwit mutate: run it inside the gritwit repository (no spec/ found)",
            file=sys.stderr,
        )
        return 2
    unknown = set(args.group) - set(GROUPS)
    if unknown:
        print(
            f"gritwit mutate: unknown group(s) {sorted(unknown)}; known: {list(GROUPS)}",
            file=sys.stderr,
        )
        return 2
    deep = os.environ.get("GRITWIT_PROFILE") == "deep"
    sample = None if args.all or deep else args.sample
    options = Options(
        groups=tuple(args.group) or tuple(GROUPS),
        modules=tuple(args.module),
        sample=sample,
        seed=args.seed,
        workers=args.workers,
        time_budget=None if deep else args.time_budget,
        timeout=args.timeout,
        examples=args.examples,
        root=root,
        only=tuple(args.mutant),
        against=tuple(_suite_relative(t) for t in args.against),
        previous=Path(args.rerun) if args.rerun else None,
    )
    return mutate_main(
        options,
        out=Path(args.out),
        write_baseline=args.write_baseline,
        check_baseline=args.check_baseline,
        min_score=args.min_score,
        show=args.show,
    )


def _suite_relative(test: str) -> str:
    """``conformance/gritwit_conformance/suite/x.py::t`` → ``suite/x.py::t``."""
    marker = "suite/"
    index = test.find(marker)
    return test[index:] if index > 0 and test[index - 1] == "/" else test


def _add_mutate(subparsers: _Subparsers) -> None:
    help_text = (
        "mutation-test the conformance suite: run mutants of the reference behind the stdio "
        "adapter and report how many the suite catches"
    )
    parser = subparsers.add_parser("mutate", help=help_text, description=help_text)
    add = parser.add_argument
    add(
        "--group",
        action="append",
        default=[],
        help="codec, store, wit, runtime, wasm or sandbox (repeatable; default: all)",
    )
    add(
        "--module",
        action="append",
        default=[],
        help="only this module, e.g. gritwit/_cbor.py (repeatable)",
    )
    add("--mutant", action="append", default=[], help="only this mutant id (repeatable)")
    add(
        "--against",
        action="append",
        default=[],
        metavar="TEST",
        help="run the chosen mutants against this test file or node id instead of the "
        "traced test map, e.g. conformance/gritwit_conformance/suite/codec/test_limits.py "
        "(repeatable)",
    )
    add(
        "--sample",
        type=_positive_int,
        default=None,
        help="a seeded sample of N mutants spread over "
        "the groups (ignored under GRITWIT_PROFILE=deep, which runs them all)",
    )
    add(
        "--rerun",
        default=None,  # checked when the command runs: the guides' commands parse anywhere
        metavar="REPORT.json",
        help="carry over the mutants an earlier report detected and run only the rest "
        "(after adding tests; the report says which results were carried)",
    )
    add("--all", action="store_true", help="every mutant (also the default without --sample)")
    add("--seed", type=int, default=9, help="seed of the sample (default 9)")
    add("--workers", type=_positive_int, default=2, help="mutants run in parallel (default 2)")
    add(
        "--time-budget",
        type=_positive_float,
        default=None,
        help="start no mutant after this many seconds; the report is then marked incomplete",
    )
    add("--timeout", type=_positive_float, default=10.0, help="seconds per adapter response")
    add("--examples", type=_positive_int, default=None, help="hypothesis examples per property")
    add("--out", default="mutation-report.json", help="the JSON report")
    add("--show", type=int, default=20, help="survivors to print")
    add(
        "--write-baseline",
        action="store_true",
        help="rewrite conformance/mutation/{baseline,evidence}.json (complete runs only)",
    )
    add(
        "--check-baseline",
        action="store_true",
        help="fail on a mutant alive that the baseline has detected, or that is new",
    )
    add("--min-score", type=_percent, default=None, help="fail below this total score (percent)")
    add(
        "--root", default=None, type=_existing_dir, help="repository root (default: found from cwd)"
    )
    parser.set_defaults(handler=_mutate)


def _add_sandbox(subparsers: _Subparsers) -> None:
    from .sandbox._cli import add_sandbox_parser

    add_sandbox_parser(subparsers)


def _add_perf(subparsers: _Subparsers) -> None:
    try:
        from gritwit_conformance._perf import add_perf_parser
    except ImportError:  # the suite is not installed: no perf harness
        return
    add_perf_parser(subparsers)


#: One registration function per subcommand.
COMMANDS: tuple[Callable[[_Subparsers], None], ...] = (
    _add_conform,
    _add_perf,
    _add_mutate,
    _add_report,
    _add_vectors,
    _add_trace,
    _add_adapter,
    _add_runtime,
    _add_wasm,
    _add_sandbox,
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="gritwit",
        description="Reference implementation and conformance tools for the Grit/Wit spec.",
    )
    parser.add_argument(
        "--version", action="version", version=f"gritwit {__version__} (spec {SPEC_VERSION})"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``gritwit`` console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
