"""An imported head's inbox cursors are read from the inbox's map, its base included
(OBJ-019.1, WIT-005, RUN-009.2, RUN-009.5).

Wherever the specification speaks of an inbox cursor it means the entry in the
mailbox's map (OBJ-019.1): the mailbox's own entries over those of its ``base``. The
runtimes build every inbox as one mailbox without base (WIT-008.4), but an import checks
an inbox only for being a mailbox (RUN-009.2), so a history whose head's inbox is a
chain is imported and must be continued as its exporter would (RUN-009.5).

The history here: the ``counter``'s first step, then a head that sent the counter
itself an ``inc`` (its outbox's one entry) and whose inbox has read it, the cursor
standing in the inbox's base under a top that holds another sender's cursor. Nothing is
pending for the counter, so ``rt-run`` adopts nothing; a runtime that reads the top's
own entries alone finds the ``inc`` unread and counts it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal
from ._bundled import ACTOR, CORE, FIRST, WIT
from ._bundled import open_runtime as _open

pytestmark = pytest.mark.profile("runtime")

#: The ``inc`` the head sent its own actor, and read.
AMOUNT = g.Blob(data=b"5")
SELF_INC = g.Message(content=g.object_id(AMOUNT), headers={"mt": "inc"})
#: Another sender's cursor, in the inbox's top: an id no actor has (WIT-009.4).
OTHER = g.ObjectId(hashlib.sha256(b"OBJ-019.1 other sender").digest())
OTHER_MESSAGE = g.Message(content=g.object_id(AMOUNT), headers={"mt": "inc", "n": "1"})
BASE = g.Mailbox(entries={ACTOR: g.object_id(SELF_INC)})
TOP = g.Mailbox(entries={OTHER: g.object_id(OTHER_MESSAGE)}, base=g.object_id(BASE))
#: The head's outbox: its one entry, the ``inc`` to itself — the same mailbox as ``BASE``.
OUTBOX = BASE
HEAD = g.Step(
    actor=ACTOR,
    core=ACTOR,
    previous=g.object_id(FIRST),
    inbox=g.object_id(TOP),
    outbox=g.object_id(OUTBOX),
)


def _bundle() -> bytes:
    objects: list[g.GritObject] = [
        HEAD,
        FIRST,
        CORE,
        WIT,
        AMOUNT,
        SELF_INC,
        OTHER_MESSAGE,
        BASE,
        TOP,
    ]
    encoded = {g.object_id(o): g.encode_object(o) for o in objects}
    order = sorted(encoded, key=lambda oid: oid.digest)
    check_equal("RUN-009.1", len(objects), len(order), "each object of the bundle once")
    return g.encode_value(
        ["gritwit-bundle/1", ACTOR.hex(), g.object_id(HEAD).hex(), [encoded[o] for o in order]]
    )


@pytest.mark.req("OBJ-019.1", "WIT-005", "RUN-009.1", "RUN-009.2", "RUN-009.5", "RUN-009.10")
def test_a_cursor_in_the_inbox_s_base_is_read(impl: Implementation, tmp_path: Path) -> None:
    runtime = _open(impl, tmp_path / "rt")
    try:
        got = call_ok(impl, "RUN-009.2", "rt-import", runtime=runtime, bundle=_bundle().hex())
        check_equal("RUN-009.2", g.object_id(HEAD).hex(), got["head"], "the head rt-import answers")
        run = call_ok(impl, "OBJ-019.1", "rt-run", runtime=runtime, max_steps=10)
        check_equal(
            ("OBJ-019.1", "WIT-005", "RUN-009.5"),
            [],
            run["steps"],
            "the counter's one message, the inc its head sent itself, is read: the inbox's "
            "cursor for the counter stands in the inbox's base, and the map of a mailbox "
            f"with a base includes the base's entries, so nothing is pending: {run}",
        )
        check_equal("RUN-009.5", [], run["attempts"], f"rt-run's attempts: {run}")
        check_equal(
            "RUN-009.2",
            g.object_id(HEAD).hex(),
            call_ok(impl, "RUN-009.2", "rt-head", runtime=runtime, actor=ACTOR.hex())["step"],
            "the counter's head after a run with nothing pending for it",
        )
    finally:
        impl.call("rt-close", runtime=runtime)
