"""``gritwit actor VERB``: the parser, and each verb's refusals as one line and a status.

Every verb but ``events`` opens ``--store STORE`` (a directory or a ``postgresql://``
URL, DUR-005) with :func:`~gritwit.store.open_store_for_command`, as ``gritwit runtime``
and ``gritwit serve`` do.  Exit statuses: :data:`EPILOG`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, Final

from .._argtypes import positive_float, positive_int
from .._errors import GritError, OutcomeUnknown, StoreUnavailable
from .._progress import add_progress_options
from ..store import (
    EXIT_OUTCOME_UNKNOWN,
    EXIT_STORE_UNAVAILABLE,
    Store,
    open_store_for_command,
    reporting_store_faults,
)
from ._common import EXIT_REFUSED, Refused

__all__ = ["EPILOG", "add_actor_parser"]

EPILOG: Final = (
    "exit statuses: 0 done; 1 the store or the runtime refused it by a rule of the spec "
    "(the line names the error class and the requirement, e.g. ref-conflict, RUN-009.4); "
    "2 bad input: a usage error, no store at that path or URL, a schema the URL names "
    "that does not exist (CREATE SCHEMA it, or --create), an unknown actor or step; "
    f"{EXIT_STORE_UNAVAILABLE} the store could not be reached (store-unavailable, "
    f"DUR-006.1: nothing was written); {EXIT_OUTCOME_UNKNOWN} a write's outcome is unknown "
    "(outcome-unknown, DUR-006.2: read the store to settle it); 130 interrupted (Ctrl-C); "
    "141 standard output's "
    "reader went away (| head)."
)

Verb = Callable[[Store, argparse.Namespace], int]


def _verb(name: str) -> Verb:
    from . import _life, _reads

    verbs: dict[str, Verb] = {
        "create": _life.create,
        "send": _life.send,
        "query": _life.query,
        "fork": _life.do_fork,
        "revert": _life.do_revert,
        "clear": _life.do_clear,
        "name": _life.do_name,
        "export": _life.do_export,
        "import": _life.do_import,
        "list": _reads.show_list,
        "show": _reads.show_actor,
        "history": _reads.show_history,
        "timers": _reads.show_timers,
        "diff": _reads.show_diff,
    }
    return verbs[name]


def _actor(args: argparse.Namespace) -> int:
    """Run the verb; every refusal one line on stderr, with its exit status."""
    command = f"gritwit actor {args.verb}"

    def verb() -> int:
        try:
            if args.verb == "events":
                from ._follow import follow

                return follow(args)
            create = getattr(args, "create", False)
            with open_store_for_command(
                args.store, create=create, offers_create=args.verb in _CREATES
            ) as store:
                return _verb(args.verb)(store, args)
        except Refused as exc:
            print(f"{command}: {exc.line}", file=sys.stderr)
            return exc.status
        except GritError as exc:
            if isinstance(exc, (StoreUnavailable, OutcomeUnknown)):
                raise  # the store's faults: reporting_store_faults's lines and statuses
            line = f"{exc.error_class}: {exc.detail} ({exc.requirement})"
            print(f"{command}: {line}", file=sys.stderr)
            return EXIT_REFUSED

    return reporting_store_faults(command, verb)


#: The verbs that may make a new store (``--create``).
_CREATES: Final = ("create", "import")

_STORE_HELP: Final = "the store: a directory or a postgresql:// URL (DUR-005)"
_ACTOR_HELP: Final = "the actor: its id, or its name (RUN-026.4)"

#: Each verb: its help, with the requirements it serves.
_HELP: Final = {
    "create": "make a new actor from a test actor, a Wasm module or a Python program, with "
    "its first state; prints its id (WIT-002, WIT-012, HTTP-004.1). An identical genesis "
    "is the same actor: stderr says it already exists and nothing is sent",
    "send": "queue a message from the outside to an actor (WIT-004); prints the message's "
    "id. An actor with no head and no genesis core in the store is refused",
    "query": "run a query against an actor's head (WIT-017) and print the answer: text when "
    "it is UTF-8, else hexadecimal; --raw for its bytes",
    "list": "one row per actor with a head, a failed mark (one failed at its genesis too) or "
    "messages waiting for its genesis, in id order: every name, id, code kind, status (ok, "
    "failed, no head), messages pending, last step's time (- when not recorded), failure "
    "reason (RUN-001, RUN-004.4, RUN-026, WIT-005)",
    "show": "one actor as list shows it, a field a line: every name, id, head, code kind, "
    "status, messages pending, last step's time, failure reason (RUN-001, RUN-004.4, RUN-026)",
    "history": "an actor's steps, first to head: step id, time, the messages each read "
    "(sender, id, mt) and sent (recipient, id, mt) (OBJ-015, WIT-004, WIT-005)",
    "timers": "the timers ACTOR set that are pending: id, recipient, mt and the time set for, "
    "in milliseconds since the epoch, soonest first, from the timer party's head (TIM-005.2, "
    "TIM-006.2)",
    "diff": "how the core of STEP_B differs from STEP_A's: entries added, removed, changed, "
    "small text blobs shown (OBJ-015, WIT-016)",
    "events": "follow a running service's lifecycle events (RUN-014, HTTP-008); a store "
    "records none (RUN-014.4)",
    "fork": "a new actor continuing ACTOR's history at STEP (RUN-008); prints its id",
    "revert": "move ACTOR back to STEP of its own history: a new head with STEP's core and "
    "the head's inbox and outbox, so nothing read is read again and nothing sent is sent "
    "again (RUN-024); prints the new head",
    "clear": "delete ACTOR's failed mark, so its pending messages run again (RUN-025); "
    "prints cleared, or not marked failed",
    "name": "bind NAME to ACTOR by a compare-and-swap from absent (RUN-026.2), so every "
    "command takes the name for the actor (RUN-026.4); a name another actor holds is refused",
    "export": "write ACTOR's bundle to FILE (RUN-009.1); prints the actor and the bytes",
    "import": "import bundle FILEs into the store (RUN-009.2 … RUN-009.4); prints each "
    "actor and head",
}


def _add_state(parser: Any) -> None:
    parser.add_argument(
        "--data",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an entry of the first state: a blob of VALUE's bytes (repeatable)",
    )
    parser.add_argument(
        "--data-json",
        action="append",
        default=[],
        metavar="JSON",
        help="entries of the first state from a JSON object: a string member's UTF-8, any "
        "other value's compact JSON text (repeatable; a name given twice is refused)",
    )


def _add_verb(verbs: Any, name: str) -> Any:
    verb = verbs.add_parser(name, help=_HELP[name], description=_HELP[name] + ".", epilog=EPILOG)
    if name != "events":
        verb.add_argument("--store", required=True, metavar="STORE", help=_STORE_HELP)
    if name in _CREATES:
        verb.add_argument(
            "--create", action="store_true", help="make an empty store if STORE holds none"
        )
    if name not in ("export",):
        verb.add_argument("--json", action="store_true", help="print JSON instead of text")
    return verb


def add_actor_parser(subparsers: Any) -> None:
    """Register ``actor VERB``."""
    help_text = (
        "an actor's whole life: create, send, query, list, show, history, diff, events, fork, "
        "revert, clear, name, export, import"
    )
    parser = subparsers.add_parser("actor", help=help_text, description=help_text, epilog=EPILOG)
    verbs = parser.add_subparsers(dest="verb", required=True, metavar="VERB")
    create = _add_verb(verbs, "create")
    code = create.add_mutually_exclusive_group(required=True)
    code.add_argument("--test", metavar="NAME", help="a test actor by name (WIT-018 …)")
    code.add_argument("--wasm", metavar="FILE", help="a Wasm module, .wasm or .wat (WASM-001)")
    code.add_argument("--python", metavar="FILE", help="a Python program (SBX-010)")
    _add_state(create)
    create.add_argument(
        "--placement",
        metavar="ACTOR",
        help="place the new actor with ACTOR, its id or its name, so that a runtime given a "
        "share runs the two in one share: the genesis carries the header placement "
        "(RUN-021.7); an actor that exists keeps its placement",
    )
    send = _add_verb(verbs, "send")
    send.add_argument("actor", metavar="ACTOR", help=_ACTOR_HELP)
    send.add_argument(
        "content", metavar="CONTENT", help="the content: a blob of this text; - reads stdin"
    )
    send.add_argument("--mt", metavar="TYPE", help="the message type, header mt (WIT-003)")
    query = _add_verb(verbs, "query")
    query.add_argument("actor", metavar="ACTOR", help=_ACTOR_HELP)
    query.add_argument("name", metavar="NAME", help="the query's name (WIT-017)")
    query.add_argument("--raw", action="store_true", help="print the answer's bytes as they are")
    listing = _add_verb(verbs, "list")
    listing.add_argument("--failed", action="store_true", help="only actors marked failed")
    listing.add_argument("--pending", action="store_true", help="only actors with messages pending")
    shown = _add_verb(verbs, "show")
    shown.add_argument("actor", metavar="ACTOR", help=_ACTOR_HELP)
    history = _add_verb(verbs, "history")
    history.add_argument("actor", metavar="ACTOR", help=_ACTOR_HELP)
    timers = _add_verb(verbs, "timers")
    timers.add_argument("actor", metavar="ACTOR", help=_ACTOR_HELP)
    diff = _add_verb(verbs, "diff")
    diff.add_argument("actor", metavar="ACTOR", help=_ACTOR_HELP)
    for step in ("step_a", "step_b"):
        diff.add_argument(
            step, metavar=step.upper(), help="a step id, or a position (0 first, -1 head)"
        )
    events = _add_verb(verbs, "events")
    events.add_argument("--service", metavar="URL", help="the service, http://HOST:PORT")
    events.add_argument("--store", help="refused: a store records no events (RUN-014.4)")
    events.add_argument("--count", type=positive_int, help="stop after this many events")
    events.add_argument(
        "--timeout", type=positive_float, help="stop after this many seconds without one"
    )
    fork = _add_verb(verbs, "fork")
    fork.add_argument("actor", metavar="ACTOR", help="the parent: its id or its name (RUN-026.4)")
    fork.add_argument("step", metavar="STEP", help="a step id, or a position (0 first, -1 head)")
    _add_state(fork)
    reverted = _add_verb(verbs, "revert")
    reverted.add_argument("actor", metavar="ACTOR", help=_ACTOR_HELP)
    reverted.add_argument(
        "step", metavar="STEP", help="a step id, or a position (0 first, -1 head, -3 two back)"
    )
    reverted.add_argument(
        "--head",
        metavar="STEP",
        default=None,
        help="revert only if this is still the head (RUN-024.10; a position's head is "
        "checked so without it)",
    )
    cleared = _add_verb(verbs, "clear")
    cleared.add_argument("actor", metavar="ACTOR", help=_ACTOR_HELP)
    named = _add_verb(verbs, "name")
    named.add_argument("name", metavar="NAME", help="the name (RUN-026.1)")
    named.add_argument("actor", metavar="ACTOR", help=_ACTOR_HELP)
    export = _add_verb(verbs, "export")
    export.add_argument("actor", metavar="ACTOR", help=_ACTOR_HELP)
    export.add_argument("file", metavar="FILE", help="where the bundle goes; - for stdout")
    add_progress_options(export)
    imported = _add_verb(verbs, "import")
    imported.add_argument("files", nargs="+", metavar="FILE", help="bundles; - reads stdin")
    add_progress_options(imported)
    parser.set_defaults(handler=_actor)
