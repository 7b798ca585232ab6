"""``gritwit push [WORKSPACE] --store STORE`` and ``gritwit pull ACTOR DIR --store STORE``.

Push sends a workspace's geneses and updates (RUN-026.6) and binds its names (RUN-026.2);
pull writes an actor's current core to a directory.  The store is opened as ``gritwit
runtime`` opens it: a directory or a ``postgresql://`` URL.  Every fault is one line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Final

__all__ = ["add_pull_parser", "add_push_parser"]

#: Exit statuses shared by push and pull (their --help lists them).
EXIT_REFUSED: Final = 1
EXIT_USAGE: Final = 2
#: From this many actors on, push says on standard error what it does before it does it.
LARGE: Final = 100

_STATUSES: Final = (
    "exit 1: a name was taken by another actor meanwhile, a changed actor's core is frozen "
    "(WIT-016: no update sent), or the store refused (the line names the error class); "
    "exit 2: a bad workspace file (the line names the file and the key), a bad argument or "
    "no store; exit 4: the store could not be reached "
    "(store-unavailable, DUR-006.1); exit 5: a write's outcome is unknown (outcome-unknown, "
    "DUR-006.2): push again, which settles it"
)


def _store_argument(parser: argparse.ArgumentParser, create: bool) -> None:
    parser.add_argument(
        "--store",
        required=True,
        metavar="STORE",
        help="the durable store: a directory, or a postgresql:// URL of a database "
        "(DUR-005, the extra gritwit[postgres])",
    )
    if create:
        parser.add_argument(
            "--create",
            action="store_true",
            help="create an empty store if STORE holds none (default: refuse such a path)",
        )


def add_push_parser(subparsers: Any) -> None:
    """Register ``push [WORKSPACE] --store STORE [--create]``."""
    help_text = (
        "send a workspace's actors into a store: a genesis for each new name, an update for "
        "each changed code, nothing for the rest (RUN-026.6)"
    )
    parser = subparsers.add_parser(
        "push",
        help=help_text,
        description=help_text + ". Push only sends: `gritwit runtime run --store STORE` (or a "
        "service, `gritwit serve`) runs the geneses and updates. Data is initial data: an "
        "existing actor's state is never changed by a push. Prints one line per actor: "
        "created, updated, pending (its update not yet run), unchanged, frozen or taken, with "
        "its id; from 100 actors on, what it is about to do on standard error.",
        epilog=_STATUSES,
    )
    parser.add_argument(
        "workspace",
        nargs="?",
        type=Path,
        default=Path("gritwit.toml"),
        metavar="WORKSPACE",
        help="the workspace file, or a directory holding gritwit.toml (default: %(default)s)",
    )
    _store_argument(parser, create=True)
    parser.set_defaults(handler=_push, command_label="gritwit push")


def add_pull_parser(subparsers: Any) -> None:
    """Register ``pull ACTOR DIR --store STORE [--force]``."""
    help_text = "write an actor's current core to a directory, for debugging"
    parser = subparsers.add_parser(
        "pull",
        help=help_text,
        description=help_text + ": a tree is a directory, a blob a file of its data (headers "
        "are not written). Before its first step an actor's core is its genesis core.",
        epilog="exit 1: the store refused (the line names the error class and the clause); "
        "exit 2: bad input: an unknown actor (a name bound to nothing, not-found RUN-026.4, "
        "or an id with no head and no genesis core), a non-empty DIR without --force, a bad "
        "argument or no store; exit 4: the store could not be reached (store-unavailable, "
        "DUR-006.1)",
    )
    parser.add_argument(
        "actor",
        metavar="ACTOR",
        help="a name (RUN-026.1) or an actor's text-form id (64 lowercase hex digits, RUN-026.4)",
    )
    parser.add_argument("dir", type=Path, metavar="DIR", help="the directory to write into")
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty DIR: files of the core's paths are overwritten, others kept",
    )
    _store_argument(parser, create=False)
    parser.set_defaults(handler=_pull, command_label="gritwit pull", create=False)


def _say(command: str, message: str, status: int) -> int:
    print(f"{command}: {message}", file=sys.stderr)
    return status


def _open(args: argparse.Namespace) -> Any:
    """The store ``--store`` names, opened by the one opener every command uses (a
    directory or a ``postgresql://`` URL, DUR-005); :class:`~gritwit.store.StoreRefused`
    when it cannot be."""
    from ..store import open_store_for_command

    return open_store_for_command(args.store, create=args.create)


def _guarded(args: argparse.Namespace, body: Any) -> int:
    """``body(store)`` on the opened store; the store's faults and refusals as one line."""
    from .._errors import GritError, OutcomeUnknown, StoreUnavailable
    from ..store import reporting_store_faults

    command = args.command_label

    def opened() -> int:
        try:
            with _open(args) as store:
                status: int = body(store)
                return status
        except GritError as exc:
            if isinstance(exc, (StoreUnavailable, OutcomeUnknown)):
                raise  # the store's faults: reporting_store_faults's lines and statuses
            line = f"{exc.error_class}: [{exc.requirement}] {exc.detail}"
            return _say(command, line, EXIT_REFUSED)

    return reporting_store_faults(command, opened)


def _push(args: argparse.Namespace) -> int:
    from ._cores import genesis_core
    from ._file import Workspace, WorkspaceError
    from ._push import PushLine, push

    try:  # the whole file is checked, and every core built, before the store is opened
        workspace = Workspace.load(args.workspace)
        large = len(workspace.actors) >= LARGE
        if large:
            _progress(args, f"building the cores of {len(workspace.actors)} actors")
        cores = [genesis_core(workspace, actor) for actor in workspace.actors]
    except WorkspaceError as exc:
        return _say(args.command_label, str(exc), EXIT_USAGE)

    def say(line: PushLine) -> None:
        print(line, flush=True)

    def body(store: Any) -> int:
        progress = (lambda text: _progress(args, text)) if large else (lambda _: None)
        lines = push(store, workspace, say, cores, progress)
        counts = {a: sum(1 for line in lines if line.action == a) for a in _ACTIONS}
        print(", ".join(f"{n} {a}" for a, n in counts.items() if n) + f" of {len(lines)} actor(s)")
        return EXIT_REFUSED if counts["taken"] or counts["frozen"] else 0

    return _guarded(args, body)


def _progress(args: argparse.Namespace, text: str) -> None:
    print(f"{args.command_label}: {text}", file=sys.stderr, flush=True)


_ACTIONS: Final = ("created", "updated", "pending", "unchanged", "frozen", "taken")


def _pull(args: argparse.Namespace) -> int:
    from ..runtime import BadActorArg, actor_arg
    from ..wit import actor_known
    from ._push import pull

    directory: Path = args.dir
    if directory.exists() and not directory.is_dir():
        return _say(args.command_label, f"{directory} is not a directory", EXIT_USAGE)
    if directory.is_dir() and any(directory.iterdir()) and not args.force:
        return _say(
            args.command_label,
            f"{directory} is not empty; pass --force to write into it",
            EXIT_USAGE,
        )

    def body(store: Any) -> int:
        # an unknown actor is bad input, as on every verb (the exit table: 2), read as
        # every command reads ACTOR; a store's own refusal stays 1
        try:
            actor = actor_arg(store, args.actor)
        except BadActorArg as exc:
            return _say(args.command_label, str(exc), EXIT_USAGE)
        if not actor_known(store, actor):
            line = f"no actor {actor} in this store: no head, no genesis core (WIT-002)"
            return _say(args.command_label, line, EXIT_USAGE)
        try:
            written = sum(1 for _ in pull(store, actor, directory))
        except OSError as exc:
            return _say(args.command_label, f"cannot write {directory}: {exc}", EXIT_USAGE)
        print(f"pulled {args.actor} {actor}: {written} file(s) into {directory}")
        return 0

    return _guarded(args, body)
