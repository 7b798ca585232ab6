"""What every verb of ``gritwit actor`` shares: its refusals and how it reads an actor.

:func:`actor_arg` reads an ``ACTOR`` argument as every command does
(:func:`gritwit.runtime.actor_arg`).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .._errors import GritError
from .._ids import ObjectId
from ..runtime import BadActorArg
from ..runtime import actor_arg as read_actor_arg
from ..store import EXIT_USAGE, Store

__all__ = ["EXIT_REFUSED", "Refused", "actor_arg", "answer", "print_json"]

#: Exit status when the store or the runtime refused the operation by a rule of the spec
#: (a :class:`~gritwit.GritError`: its class and requirement are printed).
EXIT_REFUSED = 1


class Refused(Exception):
    """A verb's refusal: one line (:attr:`line`) and the exit status (:attr:`status`)."""

    def __init__(self, line: str, status: int = EXIT_USAGE) -> None:
        super().__init__(line)
        self.line = line
        self.status = status


def actor_arg(store: Store, text: str) -> ObjectId:
    """The actor an ``ACTOR`` argument names (:func:`gritwit.runtime.actor_arg`, the one
    reading every command shares), else :class:`Refused`."""
    try:
        return read_actor_arg(store, text)
    except BadActorArg as exc:
        raise Refused(str(exc)) from None


def print_json(value: Any) -> None:
    """One JSON document on standard output, keys sorted (``--json``)."""
    json.dump(value, sys.stdout, sort_keys=True, ensure_ascii=True)
    sys.stdout.write("\n")


def answer(args: argparse.Namespace, record: dict[str, Any], line: str) -> int:
    """Print ``record`` as JSON under ``--json``, else ``line``; the exit status, 0."""
    if args.json:
        print_json(record)
    else:
        print(line)
    return 0


def step_arg(store: Store, actor: ObjectId, text: str) -> ObjectId:
    """The step a ``STEP`` argument names in ``actor``'s history: a text-form id, or a
    position in the history (``0`` the first step, ``-1`` the head, as Python indexes),
    else :class:`Refused`."""
    from ..runtime import history

    if len(text) == 64:
        try:
            return ObjectId.from_hex(text)
        except (GritError, ValueError):
            pass
    else:
        try:
            position = int(text)
        except ValueError:
            position = None
        if position is not None:
            steps = history(store, actor)
            if not -len(steps) <= position < len(steps):
                raise Refused(
                    f"step {position} is outside {actor}'s history of {len(steps)} step(s)"
                )
            return steps[position][0]
    raise Refused(f"{text!r:.80} is neither a step id nor a position in the history (0, -1)")
