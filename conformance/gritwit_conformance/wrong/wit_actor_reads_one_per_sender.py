"""Wrong adapter: a test actor reads one pending message per sender per step (WIT-028.2).

The test actors act on, and read, only each sender's oldest pending message in a
transition, leaving the rest for later steps, instead of reading every pending
message: a queue of three messages to echo takes three steps.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from gritwit import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit.wit._model import PendingMessage, TransitionOutput
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-028.2"}),
    "failed",
    "the test actors read only each sender's oldest pending message per step",
    smoke=False,
)

_messages = _actors._Out.messages
_done = _actors._Out.done


def first_only(self: _actors._Out) -> Iterator[tuple[ObjectId, PendingMessage]]:
    for sender, item in _messages(self):
        if item is self.inp.pending[sender][0]:  # the bug: the rest wait for later steps
            yield sender, item


def read_first(self: _actors._Out) -> TransitionOutput:
    return dataclasses.replace(_done(self), read=dict.fromkeys(self.inp.pending, 1))


def install() -> None:
    patch(_actors._Out, "messages", first_only)
    patch(_actors._Out, "done", read_first)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
