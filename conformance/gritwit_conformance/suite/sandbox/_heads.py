"""What a runtime shows of an actor after a transition, read through the adapter: its head
step's core (``rt-head``, ``rt-object``) and its failed mark (RUN-004.4, ``rt-ref``); shared
by the tests of a core's bounds where it enters (SBX-006.17, SBX-007.7), and what its head
has sent the outside: the answer to a refused update (SBX-006.19)."""

from __future__ import annotations

import json
from typing import Any

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, check_type, fail, ok_answer

__all__ = ["REFUSAL_HEADERS", "failed_mark", "head_core", "refusal_expected", "sent_outside"]

#: The headers of the blob a refused update is answered with (SBX-006.19).
REFUSAL_HEADERS = {"content-type": "application/json"}
#: The outside's id (WIT-003): 32 zero bytes.
OUTSIDE = g.ObjectId(bytes(32))


def head_core(
    impl: Implementation, runtime: str, actor: str, clause: Clause = "ADP-015"
) -> str | None:
    """The core id of ``actor``'s head step, or ``None`` when it has no step.  A refused
    command breaks ``clause``: by default ADP-015, the runtime's commands."""
    step = ok_answer(impl.call("rt-head", runtime=runtime, actor=actor), clause, "rt-head")
    if step.get("step") is None:
        return None
    head = check_type(
        clause,
        _object(impl, runtime, step["step"], clause),
        g.Step,
        expected="a step",
        what=f"the head {step['step']}",
    )
    return head.core.hex()


def failed_mark(impl: Implementation, runtime: str, actor: str, clause: Clause = "ADP-015") -> Any:
    """The failed mark's JSON of ``actor`` (RUN-004.4), or ``None`` when it is unmarked.
    A refused command, or a mark that is no blob, breaks ``clause``."""
    reply = impl.call("rt-ref", runtime=runtime, name=f"names/failed/{actor}")
    target = ok_answer(reply, clause, "rt-ref of the failed mark")
    if target.get("target") is None:
        return None
    blob = check_type(
        clause,
        _object(impl, runtime, target["target"], clause),
        g.Blob,
        expected="a blob",
        what="the failed mark's target",
    )
    return json.loads(blob.data)


def _object(
    impl: Implementation, runtime: str, oid: g.ObjectId | str, clause: Clause = "ADP-015"
) -> Any:
    text = oid if isinstance(oid, str) else oid.hex()
    data = ok_answer(impl.call("rt-object", runtime=runtime, id=text), clause, "rt-object")
    return g.decode_object(bytes.fromhex(data["bytes"]))


def sent_outside(impl: Implementation, runtime: str, actor: str) -> list[tuple[Any, Any]]:
    """Every message ``actor``'s head step has sent the outside (its outbox's entry for the
    outside and the messages before it, WIT-004), oldest first: ``(headers, content)``,
    the content decoded.  Mailboxes are followed through ``base`` (OBJ-019.1)."""
    step = ok_answer(impl.call("rt-head", runtime=runtime, actor=actor), "ADP-015", "rt-head")
    if step["step"] is None:
        return []
    head = _object(impl, runtime, step["step"])
    box, last = head.outbox, None
    while box is not None and last is None:
        mailbox = _object(impl, runtime, box)
        if not isinstance(mailbox, g.Mailbox):
            fail("OBJ-019.1", expected="a mailbox", came=mailbox, what=f"the outbox {box}")
        last, box = mailbox.entries.get(OUTSIDE), mailbox.base
    found: list[tuple[Any, Any]] = []
    while last is not None:
        message = _object(impl, runtime, last)
        if not isinstance(message, g.Message):
            fail("WIT-004", expected="a message", came=message, what=f"the outbox entry {last}")
        found.append((dict(message.headers), _object(impl, runtime, message.content)))
        last = message.previous
    return found[::-1]


def refusal_expected(actor: str, update: str) -> tuple[dict[str, str], g.Blob]:
    """The one message a refused update is answered with (SBX-006.19): ``mt: "error"`` and a
    blob naming the actor, ``too-large`` and the update message, keys sorted, no spaces."""
    data = f'{{"actor":"{actor}","error":"too-large","update":"{update}"}}'.encode()
    return {"mt": "error"}, g.Blob(data=data, headers=REFUSAL_HEADERS)
