"""``gritwit runtime run|heads|history|verify``: run actors on a durable store, or inspect it.

One bounded run (RUN-018), or a read of what a store holds (RUN-001 … RUN-007).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._argtypes import byte_bound, positive_float, positive_int
from .._progress import Progress, add_progress_options
from ._config import MAX_CORE_BYTES, MAX_STEPS
from ._disk import MAX_RUN_BYTES, MAX_STEP_BYTES
from ._share import Share

__all__ = [
    "EXIT_EPILOG",
    "EXIT_OUTCOME_UNKNOWN",
    "EXIT_STORE_UNAVAILABLE",
    "add_runtime_parser",
    "open_store",
]


def open_store(args: argparse.Namespace) -> Any:
    """The durable store ``--store`` (or the older positional ``DIR``) names
    (:func:`~gritwit.store.open_store_for_command`: a directory, or a ``postgresql://``
    URL, DUR-005), ``--create`` making an empty one where the action offers it;
    :class:`~gritwit.store.StoreRefused` (one line, an exit status) when it cannot."""
    from ..store import open_store_for_command, store_location

    offers = args.action in _CREATES
    location = store_location(args.store, args.dir)
    return open_store_for_command(location, create=offers and args.create, offers_create=offers)


#: The actions that may make a new store (``--create``): only ``run`` writes.  A read
#: (``heads``, ``history``, ``verify``) of a store that is not there is refused, never
#: answered from an empty store made for the question.
_CREATES = ("run",)


#: Exit statuses of ``gritwit runtime`` for the store's faults (DUR-006): the store could
#: not be reached (nothing written), or a write's outcome is unknown (settle it by reading).
EXIT_STORE_UNAVAILABLE = 4
EXIT_OUTCOME_UNKNOWN = 5
#: The epilog of every command that opens a store: its exit statuses.
EXIT_EPILOG = (
    "exit 0: done; 2: bad input — a usage error, no store at that path or URL, a "
    "schema the URL names that does not exist, an unknown actor; "
    f"{EXIT_STORE_UNAVAILABLE}: the store could not be reached (store-unavailable, "
    f"DUR-006.1); {EXIT_OUTCOME_UNKNOWN}: a write's outcome is unknown (outcome-unknown, "
    "DUR-006.2: read the store to settle it); 130: interrupted (Ctrl-C); 141: standard "
    "output's reader went away "
    "(| head)"
)


def _runtime(args: argparse.Namespace) -> int:
    """``gritwit runtime ACTION``; a fault of the store is one line and its own exit status."""
    from ..store import reporting_store_faults

    return reporting_store_faults(f"gritwit runtime {args.action}", lambda: _runtime_action(args))


def _runtime_action(args: argparse.Namespace) -> int:
    from . import ActorViews, check_runtime, history
    from ._arg import BadActorArg, actor_arg

    with open_store(args) as store:
        if args.action == "run":
            return _runtime_run(store, args)
        if args.action == "heads":
            # the actor view's list, as every front end shows it: an actor failed at its
            # genesis too, with "-" for its head (RUN-004.4)
            for view in ActorViews(store).views():
                names = ",".join(view.names) or "-"
                print(view.actor, view.head or "-", view.status, names)
            return 0
        if args.action == "history":
            try:
                actor = actor_arg(store, args.actor)
            except BadActorArg as exc:
                print(f"gritwit runtime history: {exc}", file=sys.stderr)
                return 2
            steps = history(store, actor)
            if not steps:
                print(
                    f"gritwit runtime history: the actor {actor} has no step in this store "
                    "(RUN-001: an actor's history starts at its head)",
                    file=sys.stderr,
                )
                return 2
            for step_id, step in steps:
                print(step_id, step.core)
            return 0
        progress = Progress.of("gritwit runtime verify", args)
        with progress.ticking():
            verified = store.verify(lambda n: progress.note(f"{n} object(s) re-hashed"))
            progress.note(f"{verified.objects} object(s) re-hashed; checking the actors")
            check = check_runtime(
                store,
                lambda done, total, n: progress.note(f"{done} of {total} actor(s) verified"),
            )
        progress.done(f"{verified.objects} object(s), {check.actors} actor(s)")
        print(f"{verified.objects} object(s), {check.actors} actor(s), {check.steps} step(s)")
        for problem in check.problems:
            print(problem)
        ok = verified.ok and check.ok
        print("runtime verify: OK" if ok else f"runtime verify: FAILED {verified}")
        return 0 if ok else 1


def _runtime_run(store: Any, args: argparse.Namespace) -> int:
    """``gritwit runtime run``: one bounded run (RUN-018), then what it left undone.

    Prints each actor marked failed (a step past ``--max-step-bytes`` fails
    ``step-too-large``, RUN-022), each actor still busy when the run stopped at
    ``--max-steps`` or ``--max-run-bytes`` (RUN-018.3, RUN-023.2), and a summary with
    the bytes the run's steps added to the store; exit 0 when quiescent, 3 when a
    bound stopped it (run again to continue).  With ``--share`` it runs, and counts,
    only the actors of that share (RUN-021).
    """
    import asyncio

    from . import Runtime

    runtime = Runtime(
        store,
        time_limit=args.time_limit,
        max_steps=args.max_steps,
        share=args.share,
        max_step_bytes=args.max_step_bytes,
        max_run_bytes=args.max_run_bytes,
        max_core_bytes=args.max_core_bytes,
    )
    progress = Progress.of("gritwit runtime run", args)

    # a line a second from the run's own counts, however long a round or a transition
    # holds the event loop
    with progress.ticking(lambda: _run_counts(runtime)):
        report = asyncio.run(runtime.run_until_quiescent())
    progress.done(_run_counts(runtime))
    for failure in report.failures:
        print(f"failed {failure.actor} {failure.error_class}")
    busy = runtime.busy()
    for actor in busy:
        print(f"busy {actor}")
    where = "" if args.share is None else f" in share {args.share}"  # RUN-021.4: its own only
    print(
        f"{len(report.steps)} step(s) adopted{where}, {runtime.run_bytes} byte(s) added to "
        f"the store; quiescent: {report.quiescent}"
    )
    if report.quiescent:
        return 0
    bound = (  # RUN-023.2 when the bytes reached it, else RUN-018.1
        f"--max-run-bytes {args.max_run_bytes} (RUN-023.2)"
        if runtime.run_bytes >= args.max_run_bytes
        else f"--max-steps {args.max_steps} (RUN-018.1)"
    )
    print(
        f"gritwit runtime run: stopped at {bound} with {len(busy)} actor(s) busy; "
        "run again to continue",
        file=sys.stderr,
    )
    return 3


def _run_counts(runtime: Any) -> str:
    return f"{runtime.run_steps} step(s) adopted, {runtime.run_bytes} byte(s) added"


def _share(text: str) -> Share:
    """``--share K/N`` (RUN-021): one line saying what is wrong, else the share."""
    try:
        return Share.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_EPILOGS = {
    "run": EXIT_EPILOG.replace("; 2:", "; 3: a bound stopped the run (run again); 2:"),
    "verify": EXIT_EPILOG.replace("; 2:", "; 1: the store has problems (listed); 2:"),
}


def add_runtime_parser(subparsers: Any) -> None:
    """Register ``runtime run|heads|history|verify --store STORE`` (the positional
    ``DIR`` of older scripts still read)."""
    help_text = "run actors on a durable store, or inspect it (RUN-001 … RUN-007)"
    parser = subparsers.add_parser(
        "runtime",
        help=help_text,
        description=help_text,
        epilog=EXIT_EPILOG,
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, action_help in (
        ("run", "run every actor with pending messages until quiescent"),
        (
            "heads",
            "list every actor with a head or a failed mark: its id, head step (- for none), "
            "status (ok, failed) and names (RUN-001, RUN-004.4, RUN-026)",
        ),
        ("history", "list an actor's steps, first to head (step id, core id)"),
        ("verify", "re-hash every object, check every head and inbox cursor"),
    ):
        action = actions.add_parser(
            name, help=action_help, description=action_help, epilog=_EPILOGS.get(name, EXIT_EPILOG)
        )
        action.add_argument(
            "--store",
            metavar="STORE",
            help="the durable store: a directory, or a postgresql:// URL of a database "
            "(DUR-005, the extra gritwit[postgres])",
        )
        action.add_argument(
            "dir",
            nargs="?",
            metavar="DIR",
            help="deprecated: the store as a positional argument, as older scripts give "
            "it; still read, use --store",
        )
        if name in _CREATES:
            action.add_argument(
                "--create",
                action="store_true",
                help="create an empty store if STORE holds none (default: refuse such a "
                "path or URL)",
            )
        if name == "history":
            action.add_argument("actor", help="the actor: its id, or its name (RUN-026.4)")
        if name in ("run", "verify"):
            add_progress_options(action)
        if name == "run":
            action.add_argument(
                "--time-limit",
                type=positive_float,
                default=5.0,
                help="seconds of work per transition attempt, not counting waits for a CPU "
                "(RUN-005, RUN-005.8; default: %(default)g)",
            )
            action.add_argument(
                "--max-steps",
                type=positive_int,
                default=MAX_STEPS,
                help="most steps this run adopts; then it stops, names the actors still "
                "busy and exits 3 (RUN-018; default: %(default)d)",
            )
            action.add_argument(
                "--max-step-bytes",
                type=byte_bound,
                default=MAX_STEP_BYTES,
                help="most bytes one step may add to the store; a step past it fails "
                "step-too-large, is retried, and its actor is marked failed (RUN-022; "
                "default: %(default)d, 80 MiB)",
            )
            action.add_argument(
                "--max-run-bytes",
                type=byte_bound,
                default=MAX_RUN_BYTES,
                help="once this run's steps added this many bytes to the store it starts "
                "no more transitions, names the actors still busy and exits 3 (RUN-023; "
                "default: %(default)d, 1 GiB)",
            )
            action.add_argument(
                "--max-core-bytes",
                type=byte_bound,
                default=MAX_CORE_BYTES,
                help="the core limit of python-wasi actors: most bytes a core's files may "
                "hold where a run mounts or leaves it, where it enters (a genesis, an "
                "update) and at import (SBX-007.7; default: %(default)d, 64 MiB)",
            )
            action.add_argument(
                "--share",
                type=_share,
                metavar="K/N",
                help="run only the actors of share K of N: those whose id's first 8 bytes, "
                "big-endian, are K modulo N (RUN-021; 0 <= K < N <= 1024); sends to and "
                "queries of every actor still work, and some runtime must run each of the "
                "N shares (default: every actor)",
            )
        action.set_defaults(handler=_runtime)
