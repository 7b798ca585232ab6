"""``gritwit sandbox``: run untrusted Python once (SBX-007), or make it an actor (SBX-010).

``run FILE.py`` runs a program once; ``actor FILE.py --store DIR`` sends the genesis
of an actor running it; ``send`` queues a message to an actor from the outside and
``cat`` prints a file of an actor's head core.  Running the actors is
``gritwit runtime run --store DIR``'s job, as for every actor.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import sys
import unicodedata
from pathlib import Path
from typing import Any

from .._errors import GritError
from .._ids import ObjectId
from .._objects import Blob, Tree
from ..runtime import BadActorArg, actor_arg
from ..store import Store, StoreRefused, open_store_for_command
from ..wit import actor_known
from ._mount import read_directory
from ._run import MAX_LIMIT, MEMORY_FLOOR, SandboxLimits, SandboxResult, run_python
from ._stop import Deadline

__all__ = ["add_sandbox_parser", "printable"]

_MB = 1 << 20

#: Begins each line of program output seen beside the host's lines, none of which it begins.
OUTPUT_MARK = "| "


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    if value > MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"must be at most 2**53 - 1 (SBX-006.9): {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"must be a finite number of seconds > 0: {text!r}")
    return value


def _mebibytes(text: str) -> int:
    value = _positive(text)
    if value * _MB > MAX_LIMIT:
        raise argparse.ArgumentTypeError(
            f"must be at most 2**53 - 1 bytes (SBX-006.9): {value} MiB"
        )
    return value


def printable(text: str) -> str:
    """``text`` with every control or format character escaped (``\\x1b``, ``\\n``,
    ``\\u202e``), so that program text printed by the host cannot move the cursor, erase
    a line or retitle the terminal (SBX-016.1)."""
    return "".join(
        char.encode("unicode_escape").decode("ascii")
        if unicodedata.category(char) in _UNPRINTABLE
        else char
        for char in text
    )


#: Control, format, surrogate, private-use and unassigned characters, and line separators.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def add_sandbox_parser(subparsers: Any) -> None:
    """Register ``sandbox run`` on the ``gritwit`` parser."""
    help_text = "run untrusted Python in CPython on WASI (spec chapter 09-sandbox)"
    parser = subparsers.add_parser("sandbox", help=help_text, description=help_text)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    run_help = (
        "run FILE.py once: its standard output on stdout, byte for byte into a pipe or file; "
        "to a terminal, or to the stream stderr goes to (2>&1), escaped and every line behind "
        f"{OUTPUT_MARK.strip()!r}; the host's lines (core, fuel, or the violation) on stderr, "
        "prefixed 'gritwit sandbox:' and with program text escaped (SBX-016); exit status 0, "
        "1 for a violation, 2 for a usage error"
    )
    run = actions.add_parser("run", help=run_help, description=run_help)
    run.add_argument("file", type=Path, metavar="FILE.py")
    defaults = SandboxLimits()
    run.add_argument(
        "--memory",
        type=_mebibytes,
        default=defaults.memory_bytes // _MB,
        help=f"MiB (below about {MEMORY_FLOOR // _MB} the interpreter cannot start: memory-limit)",
    )
    run.add_argument("--fuel", type=_positive, default=defaults.fuel, help="instructions")
    from ..runtime import TIME_LIMIT  # the runtime's default bound (RUN-005.1)

    run.add_argument(
        "--time-limit",
        type=_seconds,
        default=TIME_LIMIT,
        metavar="SECONDS",
        help="wall-clock seconds the run may take once the interpreter starts (default "
        f"{TIME_LIMIT:g}, the runtime's bound); past them it stops: time-limit (SBX-006.10)",
    )
    run.add_argument(
        "--mount",
        default=None,
        metavar="DIR|TREE",
        help="mounted as /core: a directory (copied, never changed) or, with --store, a tree id",
    )
    run.add_argument(
        "--store",
        default=None,
        help="a store, a directory or a postgresql:// URL (DUR-005): the tree to mount is "
        "read from it, the new core put in it",
    )
    run.add_argument("--create", action="store_true", help=_CREATE_HELP)
    run.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout instead: ok, stdout, stderr, core, fuel, sends; "
        "or ok false with class, requirement and message (SBX-016.3)",
    )
    run.set_defaults(handler=_run)
    _add_actor_parsers(actions)


def _run(args: argparse.Namespace) -> int:
    """``sandbox run``: the program's output apart from the host's own lines (SBX-016)."""
    limits = SandboxLimits(fuel=args.fuel, memory_bytes=args.memory * _MB)
    report = _JsonReport() if args.json else _TextReport()
    try:
        store = Store.memory() if args.store is None else _open(args.store, args.create)
    except StoreRefused as exc:
        return report.usage(exc.line)
    try:
        source = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return report.usage(f"cannot read {args.file}: {exc}")
    try:
        core = None
        if args.mount is not None and Path(args.mount).is_dir():
            core = read_directory(store, Path(args.mount), {}, limits.core_bytes)
        elif args.mount is not None and args.store is not None:
            core = ObjectId.from_hex(args.mount)
            store.get_object(core)  # not-found now, rather than inside the run
        elif args.mount is not None:
            return report.usage(f"{args.mount} is not a directory (a tree id needs --store)")
        deadline = Deadline(seconds=args.time_limit)
        result = run_python(source, store=store, core=core, limits=limits, deadline=deadline)
    except GritError as exc:
        return report.violation(exc)
    return report.success(result)


class _TextReport:
    """The program's standard output on stdout (as :func:`_shown` says); every line of the
    host on stderr, prefixed and with program text escaped (SBX-016.1, SBX-016.2)."""

    def usage(self, message: str) -> int:
        print(f"gritwit sandbox: {printable(message)}", file=sys.stderr)
        return 2

    def violation(self, exc: GritError) -> int:
        line = f"gritwit sandbox: violation {exc.error_class}: {printable(str(exc))}"
        print(line, file=sys.stderr)
        return 1

    def success(self, result: SandboxResult) -> int:
        sys.stdout.flush()
        sys.stdout.buffer.write(_shown(result.stdout, _seen_with_the_host_lines()))
        sys.stdout.flush()
        core_text = "none" if result.core is None else result.core.hex()
        print(f"gritwit sandbox: core: {core_text}", file=sys.stderr)
        print(f"gritwit sandbox: fuel: {result.fuel}", file=sys.stderr)
        return 0


def _seen_with_the_host_lines() -> bool:
    """Whether stdout is a terminal, or the file, pipe or terminal stderr is (``2>&1``)."""
    try:
        if os.isatty(sys.stdout.fileno()):
            return True
        out, err = os.fstat(sys.stdout.fileno()), os.fstat(sys.stderr.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        return False
    return (out.st_dev, out.st_ino) == (err.st_dev, err.st_ino)


def _shown(stdout: bytes, seen: bool) -> bytes:
    """The program's output: byte for byte into a pipe or file of its own (SBX-016.2); seen
    beside the host's lines, escaped (line breaks and tabs kept), each line behind
    :data:`OUTPUT_MARK` and the last one ended, so none passes for the host's (SBX-016.4)."""
    if not seen or not stdout:
        return stdout
    lines = stdout.decode("utf-8", "replace").removesuffix("\n").split("\n")
    return "".join(
        OUTPUT_MARK + "\t".join(map(printable, line.split("\t"))) + "\n" for line in lines
    ).encode()


class _JsonReport:
    """One JSON object on stdout, whatever happened (SBX-016.3); ASCII only, so nothing in it
    is a control character."""

    def _emit(self, value: dict[str, Any], status: int) -> int:
        print(json.dumps(value, sort_keys=True, ensure_ascii=True))
        return status

    def usage(self, message: str) -> int:
        return self._emit({"ok": False, "class": "usage", "message": message}, 2)

    def violation(self, exc: GritError) -> int:
        message = {"class": exc.error_class, "requirement": exc.requirement, "message": str(exc)}
        return self._emit({"ok": False, **message}, 1)

    def success(self, result: SandboxResult) -> int:
        sends = [s.described() for s in result.sends]
        value = {
            "ok": True,
            "stdout": result.stdout.decode("utf-8", "replace"),
            "stdout_hex": result.stdout.hex(),
            "stderr": result.stderr.decode("utf-8", "replace"),
            "core": None if result.core is None else result.core.hex(),
            "fuel": result.fuel,
            "sends": sends,
        }
        return self._emit(value, 0)


def _add_actor_parsers(actions: Any) -> None:
    """``sandbox actor``, ``sandbox send`` and ``sandbox cat`` (SBX-010 … SBX-015)."""
    actor_help = (
        "make FILE.py an actor of the store DIR (its genesis message is sent; "
        "`gritwit runtime run --store DIR` runs it); prints the actor's id"
    )
    actor = actions.add_parser("actor", help=actor_help, description=actor_help, epilog=_EXITS)
    actor.add_argument("file", type=Path, metavar="FILE.py")
    actor.add_argument(
        "--store",
        required=True,
        metavar="STORE",
        help="the durable store: a directory or a postgresql:// URL (DUR-005)",
    )
    actor.add_argument("--create", action="store_true", help=_CREATE_HELP)
    actor.add_argument(
        "--mount",
        default=None,
        metavar="DIR|TREE",
        help="the actor's initial state, seen as /core: a directory or a tree id of the store",
    )
    actor.set_defaults(handler=_actor)
    send_help = "queue a message from the outside to an actor (run it with `gritwit runtime run`)"
    send = actions.add_parser("send", help=send_help, description=send_help, epilog=_EXITS)
    send.add_argument("actor", metavar="ACTOR", help="the actor's text-form id")
    send.add_argument("--store", required=True, metavar="STORE", help=_STORE_HELP)
    send.add_argument("--mt", required=True, help="the message type (header mt)")
    send.add_argument("--data", default="", help="the content: a blob of this UTF-8 text")
    send.add_argument(
        "--header", action="append", default=[], metavar="NAME=VALUE", help="another header"
    )
    send.set_defaults(handler=_send)
    cat_help = "print the file PATH of an actor's head core (a blob under /core)"
    cat = actions.add_parser("cat", help=cat_help, description=cat_help, epilog=_EXITS)
    cat.add_argument("actor", metavar="ACTOR", help="the actor's text-form id")
    cat.add_argument("path", metavar="PATH", help="a path under /core, such as count or a/b")
    cat.add_argument("--store", required=True, metavar="STORE", help=_STORE_HELP)
    cat.set_defaults(handler=_cat)


_STORE_HELP = "the durable store: a directory or a postgresql:// URL (DUR-005)"
_CREATE_HELP = (
    "make an empty store if STORE holds none: a directory, or the tables and the schema "
    "a URL names (default: refuse such a path or URL, exit 2)"
)
_EXITS = (
    "exit 0: done; 1: a violation, or the store refused it (its error class); 2: bad "
    "input: a usage error, no store there, an actor that exists nowhere (no head, no "
    "genesis core, WIT-002); 4: the store could not be reached (store-unavailable, "
    "DUR-006.1); 130: interrupted (Ctrl-C); 141: standard output's reader went away"
)


def _fail(message: str, status: int = 2) -> int:
    print(f"gritwit sandbox: {message}", file=sys.stderr)
    return status


def _open(location: str, create: bool | None = None) -> Store:
    """The store ``--store`` names, by the opener every command uses
    (:func:`~gritwit.store.open_store_for_command`): :class:`StoreRefused` else.
    ``create``: the verb's ``--create`` (a verb that writes); ``None`` for a verb
    without one, which never makes a store."""
    return open_store_for_command(location, create=bool(create), offers_create=create is not None)


def _actor(args: argparse.Namespace) -> int:
    from ..wit import Executor
    from ._actor import CODE_ENTRIES, interpreter_id
    from ._wit import wit_blob

    try:
        source = args.file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {args.file}: {exc}")
    try:
        store = _open(args.store, args.create)
    except StoreRefused as exc:
        return _fail(exc.line, exc.status)
    with store:
        try:
            entries: dict[str, ObjectId] = {}
            if args.mount is not None:
                state = _mount_entries(store, args.mount)
                if state is None:
                    return _fail(f"{args.mount} is not a directory nor a tree id of the store")
                entries.update(state)
            clash = CODE_ENTRIES & set(entries)
            if clash:
                return _fail(f"the mount has {', '.join(sorted(clash))}: names kept for code")
            entries["wit"] = store.put_object(wit_blob(source, interpreter_id()))
            actor = Executor(store).genesis(Tree(entries=entries))
        except GritError as exc:
            return _fail(f"{exc.error_class}: {exc}", 1)
    print(actor.hex())
    return 0


def _mount_entries(store: Store, mount: str) -> dict[str, ObjectId] | None:
    """The state entries of ``--mount``: a directory read into ``store``, or a tree of it."""
    if Path(mount).is_dir():
        oid = read_directory(store, Path(mount), {}, SandboxLimits().core_bytes)
        if oid is None:
            return {}  # an empty directory: no state
    else:
        try:
            oid = ObjectId.from_hex(mount)
        except (GritError, ValueError):
            return None
        if not store.has(oid):
            return None
    tree = store.get_object(oid)
    return dict(tree.entries) if isinstance(tree, Tree) else None


def _actor_id(text: str) -> ObjectId | None:
    """The actor ``ACTOR`` names, read as every command reads it (:func:`actor_arg`)."""
    try:
        return actor_arg(None, text)
    except BadActorArg:
        return None


def _send(args: argparse.Namespace) -> int:
    from ..wit import Executor

    actor = _actor_id(args.actor)
    if actor is None:
        return _fail(f"{args.actor!r:.80} is not an actor id (64 hex digits)")
    headers = {"mt": args.mt}
    for item in args.header:
        name, sep, value = item.partition("=")
        if not sep or not name:
            return _fail(f"--header {item!r:.80} is not NAME=VALUE")
        headers[name] = value
    try:
        store = _open(args.store)
    except StoreRefused as exc:
        return _fail(exc.line, exc.status)
    with store:
        if not actor_known(store, actor):
            return _fail(
                f"no actor {actor} in this store: no head, no genesis core (WIT-002); "
                "make it first (gritwit sandbox actor, gritwit actor create)"
            )
        try:
            content = Blob(data=args.data.encode("utf-8"))
            sent = Executor(store).inject(
                actor, store.put_object(content), headers, objects=(content,)
            )
        except GritError as exc:
            return _fail(f"{exc.error_class}: {exc}", 1)
    print(sent.hex())
    return 0


def _cat(args: argparse.Namespace) -> int:
    from ..wit import Executor

    actor = _actor_id(args.actor)
    if actor is None:
        return _fail(f"{args.actor!r:.80} is not an actor id (64 hex digits)")
    try:
        store = _open(args.store)
    except StoreRefused as exc:
        return _fail(exc.line, exc.status)
    with store:
        try:
            node: object = Executor(store).core(actor)
        except LookupError:
            return _fail(
                f"actor {actor} has no step yet (run `gritwit runtime run --store {args.store}`)"
            )
        for name in args.path.strip("/").split("/"):
            entry = node.entries.get(name) if isinstance(node, Tree) else None
            if entry is None:
                return _fail(f"{args.path} is not in the actor's core", 1)
            node = store.get_object(entry)
        if not isinstance(node, Blob):
            return _fail(f"{args.path} is a directory", 1)
        sys.stdout.buffer.write(node.data)
        sys.stdout.flush()
    return 0
