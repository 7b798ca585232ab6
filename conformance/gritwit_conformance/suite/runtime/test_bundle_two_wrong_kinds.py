"""A bundle with two ids of the wrong kind is refused naming the one of the lower named
id (OBJ-020.2, OBJ-019.2, RUN-009.2, RUN-009.6).

The counter's second step names a blob as its ``inbox`` (OBJ-020.2's rule: an inbox is a
mailbox) and has an outbox whose ``base`` names another blob (OBJ-019.2's rule). Both
faults give ``invalid-object``; which of them the refusal reports is the one naming the
object first in id order (ID-005), whatever order a walk from the head meets them in
(the inbox first: a step's fields come before its outbox's base). The two blobs are
chosen twice, once with the base's blob the lower id and once with the inbox's, so
that a refusal by walk order, by field order or by the higher id fails one of them.

What the refusal names is read from its hints (ADP-003.2): its ``requirement``, where it
carries one, names the reported id's rule (OBJ-019.2 for the base, an OBJ-020 clause for
the inbox), and its ``message``, where it names one of the two blobs' ids and not the
other, names the lower. An error that carries neither names nothing to judge; its
class and that nothing was imported are still checked (RUN-009.3).
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, error_answer, suite_premise
from ._bundled import ACTOR, CORE, FIRST, WIT
from ._bundled import head_of as _head
from ._bundled import open_runtime as _open

pytestmark = pytest.mark.profile("runtime")

CONTENT = g.Blob(data=b"sent once")
RECIPIENT = g.ObjectId(hashlib.sha256(b"OBJ-020.2 recipient").digest())
SENT = g.Message(content=g.object_id(CONTENT), headers={"n": "1"})


def _blobs(base_lower: bool) -> tuple[g.Blob, g.Blob]:
    """Two blobs, ``(as the base, as the inbox)``, the base's id the lower one iff
    ``base_lower``: the first pair of a fixed sequence that orders so."""
    for i in itertools.count():
        base = g.Blob(data=b"a base that is no mailbox %d" % i)
        inbox = g.Blob(data=b"an inbox that is no mailbox %d" % i)
        if (g.object_id(base).digest < g.object_id(inbox).digest) == base_lower:
            return base, inbox
    raise AssertionError("unreachable")


def _bundle(base: g.Blob, inbox: g.Blob) -> bytes:
    """The counter's second step: its ``inbox`` is ``inbox``, its outbox a mailbox whose
    ``base`` is ``base``; everything the head reaches, once, in id order (RUN-009.1)."""
    top = g.Mailbox(entries={RECIPIENT: g.object_id(SENT)}, base=g.object_id(base))
    head = g.Step(
        actor=ACTOR,
        core=ACTOR,
        previous=g.object_id(FIRST),
        inbox=g.object_id(inbox),
        outbox=g.object_id(top),
    )
    objects: list[g.GritObject] = [head, FIRST, CORE, WIT, CONTENT, SENT, top, base, inbox]
    encoded = {g.object_id(o): g.encode_object(o) for o in objects}
    order = sorted(encoded, key=lambda oid: oid.digest)
    suite_premise(len(order) == len(objects), "each object once")
    return g.encode_value(
        ["gritwit-bundle/1", ACTOR.hex(), g.object_id(head).hex(), [encoded[o] for o in order]]
    )


@pytest.mark.req("OBJ-020.2", "OBJ-019.2", "RUN-009.2", "RUN-009.3", "RUN-009.6")
@pytest.mark.parametrize("lower", ["base", "inbox"])
@pytest.mark.req("CONV-004")
def test_of_two_wrong_kinds_the_refusal_names_the_lower_named_id(
    impl: Implementation, tmp_path: Path, lower: str
) -> None:
    base, inbox = _blobs(base_lower=lower == "base")
    first, other = (base, inbox) if lower == "base" else (inbox, base)
    rule = "OBJ-019.2" if lower == "base" else "OBJ-020"
    runtime = _open(impl, tmp_path / "rt")
    reply = impl.call("rt-import", runtime=runtime, bundle=_bundle(base, inbox).hex())
    error_answer(
        reply,
        ("OBJ-020.2", "OBJ-019.2"),
        "invalid-object",
        "a bundle whose step's inbox is a blob and whose outbox's base is another",
    )
    check_equal("RUN-009.3", None, _head(impl, runtime), "the head after a refused bundle")
    error = reply.error or {}
    hint = error.get("requirement")
    if hint is not None:
        check(
            "OBJ-020.2",
            str(hint).startswith(rule),
            expected=f"the refusal to report the id naming the first object in id order, the "
            f"{lower}'s blob {g.object_id(first).hex()[:16]}…, so its requirement names "
            f"{rule if rule == 'OBJ-019.2' else 'OBJ-020.2'}",
            came=hint,
        )
    message = str(error.get("message") or "")
    names = {blob: g.object_id(blob).hex() in message for blob in (first, other)}
    if names[other] and not names[first]:
        pytest.fail(
            f"OBJ-020.2: the refusal names the {lower}'s blob {g.object_id(first).hex()[:16]}…, "
            f"the first named object in id order, not {g.object_id(other).hex()[:16]}…: "
            f"its message reads {message[:300]!r}"
        )
