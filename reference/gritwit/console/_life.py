"""``gritwit actor create|send|query|fork|export|import``: what changes an actor's life.

Each verb takes the opened store and the parsed arguments, prints its result on
standard output and returns the exit status; a refusal is :class:`~._common.Refused`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from .._codec import object_id
from .._errors import GritError
from .._ids import ObjectId
from .._objects import Blob
from .._progress import Progress
from ..cores import BadCore, actor_core, state_blobs
from ..runtime import (
    PLACEMENT_HEADER,
    Runtime,
    bind_name,
    clear_failed,
    export_bundle,
    fork,
    import_bundle,
    revert,
)
from ..store import Store, head_ref
from ..wit import Executor, actor_known
from ._common import EXIT_REFUSED, Refused, actor_arg, answer, print_json, step_arg
from ._data import BadData, parse_data

__all__ = ["create", "do_export", "do_fork", "do_import", "query", "send"]


def _read(path: str, what: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise Refused(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _code(args: argparse.Namespace) -> tuple[str, str | bytes]:
    """The kind and code ``--test``, ``--wasm`` or ``--python`` names (HTTP-004.1)."""
    if args.test is not None:
        return "test", args.test
    if args.wasm is not None:
        data = _read(args.wasm, "the module")
        if not args.wasm.endswith(".wat"):
            return "wasm", data
        try:
            return "wasm", data.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(f"{args.wasm} is not UTF-8 text (a .wat file is WAT)") from None
    try:
        return "python", _read(args.python, "the program").decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(f"{args.python} is not UTF-8 text (SBX-010)") from None


def _state(args: argparse.Namespace) -> dict[str, bytes]:
    try:
        return parse_data(args.data, args.data_json)
    except BadData as exc:
        raise Refused(str(exc)) from None


def create(store: Store, args: argparse.Namespace) -> int:
    """Send the genesis of a new actor (WIT-002, WIT-012); print its id.  An actor with
    the same genesis core is that actor: nothing is sent, and stderr says so.

    ``--placement ACTOR`` (an id, or a name resolved now, RUN-026.4) places it with that
    actor: the genesis carries the header ``placement`` (RUN-021.7); an actor that exists
    keeps the placement it has (RUN-021.9)."""
    kind, code = _code(args)
    placement = None if args.placement is None else actor_arg(store, args.placement)
    try:
        core, objects = actor_core(kind, code, _state(args))
    except BadCore as exc:
        raise Refused(str(exc)) from None
    actor = object_id(core)
    existed = actor_known(store, actor)
    if existed:
        kept = "; its placement is unchanged (RUN-021.9)" if placement is not None else ""
        print(
            f"gritwit actor create: {actor} already exists: identical geneses are one actor "
            f"(WIT-002); give it other state (--data) to make another{kept}",
            file=sys.stderr,
        )
    elif placement is None:
        Executor(store).genesis(core, objects[:-1])
    else:  # RUN-021.7: the header holds the id's text form
        headers = {"mt": "genesis", PLACEMENT_HEADER: placement.hex()}
        Executor(store).inject(actor, actor, headers, objects=(*objects[:-1], core))
    return answer(args, {"actor": actor.hex(), "existed": existed}, actor.hex())


def known_actor(store: Store, text: str) -> ObjectId:
    """``text``'s actor when ``store`` knows it (a head, or a genesis core, WIT-002);
    else :class:`Refused`: a message to it would wait forever."""
    actor = actor_arg(store, text)
    if not actor_known(store, actor):
        raise Refused(
            f"no actor {actor} in this store: no head, no genesis core (WIT-002); make it "
            "first (gritwit actor create)"
        )
    return actor


def send(store: Store, args: argparse.Namespace) -> int:
    """Queue a message from the outside (WIT-004): a blob of CONTENT's UTF-8 (``-``: the
    bytes of standard input), with the header ``mt``; print the message's id."""
    actor = known_actor(store, args.actor)
    data = _read("-", "the content") if args.content == "-" else os.fsencode(args.content)
    content = Blob(data=data)
    headers = {} if args.mt is None else {"mt": args.mt}
    message = Executor(store).inject(actor, object_id(content), headers, objects=(content,))
    return answer(args, {"actor": actor.hex(), "message": message.hex()}, message.hex())


def query(store: Store, args: argparse.Namespace) -> int:
    """Run query NAME against the actor's head (WIT-017) and print the answer: its text
    when it is UTF-8, else its hexadecimal; ``--raw`` its bytes as they are."""
    actor = actor_arg(store, args.actor)
    if store.get_ref(head_ref(actor)) is None:
        raise Refused(
            f"the actor {actor} has no head (HTTP-006.3): nothing to query; a genesis not "
            "yet run needs `gritwit runtime run`"
        )
    answer = Runtime(store).query(actor, args.name)
    if args.raw:
        sys.stdout.buffer.write(answer.data)
        return 0
    try:
        text: str | None = answer.data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if args.json:
        print_json({"text": text, "hex": answer.data.hex(), "headers": dict(answer.headers)})
    elif text is not None:
        print(text, end="" if text.endswith("\n") else "\n")
    else:
        print(answer.data.hex())
    return 0


def do_fork(store: Store, args: argparse.Namespace) -> int:
    """A new actor continuing ACTOR's history at STEP (RUN-008); print its id."""
    actor = actor_arg(store, args.actor)
    step = step_arg(store, actor, args.step)
    try:
        state = state_blobs(_state(args))
    except BadCore as exc:
        raise Refused(str(exc)) from None
    child = fork(store, actor, step, state)
    return answer(
        args, {"actor": child.hex(), "parent": actor.hex(), "step": step.hex()}, child.hex()
    )


def do_revert(store: Store, args: argparse.Namespace) -> int:
    """Move ACTOR back to STEP of its own history (RUN-024): a new head with STEP's core
    and the head's inbox and outbox, so nothing read is read again and nothing sent is
    sent again; print the new head.  A STEP given as a position is counted from the head
    read then, and the revert is made only from that head (RUN-024.10), as it is from
    ``--head`` where given: a step adopted meanwhile makes it ``ref-conflict``."""
    actor = actor_arg(store, args.actor)
    seen = store.get_ref(head_ref(actor))
    step = step_arg(store, actor, args.step)
    expected = step_arg(store, actor, args.head) if args.head else None
    if expected is None and len(args.step) != 64:
        expected = seen
    head = revert(store, actor, step, expected)
    return answer(args, {"actor": actor.hex(), "step": step.hex(), "head": head.hex()}, head.hex())


def do_clear(store: Store, args: argparse.Namespace) -> int:
    """Delete ACTOR's failed mark (RUN-025): its pending messages run again at the next
    run.  Prints ``cleared``, or ``not marked failed`` (exit 0 both: nothing to clear is
    no refusal, RUN-025.1)."""
    actor = actor_arg(store, args.actor)
    cleared = clear_failed(store, actor)
    return answer(
        args,
        {"actor": actor.hex(), "cleared": cleared},
        "cleared" if cleared else "not marked failed",
    )


def do_name(store: Store, args: argparse.Namespace) -> int:
    """Bind NAME to ACTOR by a compare-and-swap from absent (RUN-026.2): an actor that
    arrived in a bundle, or was made by ``create``, gets a name every command then takes
    (RUN-026.4).  A name bound to another actor is refused (``ref-conflict``); bound to
    this one already, nothing changes."""
    actor = actor_arg(store, args.actor)
    bind_name(store, args.name, actor)
    return answer(args, {"name": args.name, "actor": actor.hex()}, f"{args.name} {actor.hex()}")


def do_export(store: Store, args: argparse.Namespace) -> int:
    """Write ACTOR's bundle (RUN-009.1) to FILE (``-``: standard output); whole or not at
    all: it is written beside FILE and renamed onto it.  Progress lines go to stderr, so
    a bundle on standard output is the same bytes with or without them."""
    actor = actor_arg(store, args.actor)
    progress = Progress.of("gritwit actor export", args)
    with progress.ticking():  # a long history is one call: a line a second meanwhile
        progress.note(f"collecting the bundle of {actor.hex()}")
        data = export_bundle(store, actor)
    progress.done(f"{len(data)} byte(s)")
    if args.file == "-":
        sys.stdout.buffer.write(data)
        return 0
    target = Path(args.file)
    part = target.with_name(f".{target.name}.part")
    try:
        part.write_bytes(data)
        part.replace(target)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise Refused(f"cannot write {target}: {exc.strerror or exc}") from None
    print(f"{actor.hex()} {len(data)}")  # the actor, and the bundle's bytes
    return 0


def do_import(store: Store, args: argparse.Namespace) -> int:
    """Import each bundle FILE (RUN-009.2 … RUN-009.4), in order; print ``actor head``
    for each.  A bundle whose head's core a runtime's runs could not mount is refused
    ``too-large`` (SBX-006.18).  Each import is whole or nothing; the first one refused
    stops the command (those before it stay imported)."""
    progress = Progress.of("gritwit actor import", args)
    # the check of `gritwit runtime run`'s runs, at their default limits (SBX-006.18)
    bound = Executor(store).bound_core
    rows: list[dict[str, Any]] = []
    with progress.ticking():  # a line a second, however long one bundle takes
        for number, path in enumerate(args.files, 1):
            progress.note(f"{number - 1} of {len(args.files)} bundle(s) imported")
            data = _read(path, "the bundle")
            try:
                actor, head = import_bundle(store, data, bound=bound)
            except GritError as exc:  # this file refused; those before it stay imported
                raise Refused(f"{path}: {exc}", EXIT_REFUSED) from None
            rows.append({"file": path, "actor": actor.hex(), "head": head.hex()})
            if not args.json:
                print(actor.hex(), head.hex())
    progress.done(f"{len(rows)} bundle(s) imported")
    if args.json:
        print_json(rows)
    return 0
