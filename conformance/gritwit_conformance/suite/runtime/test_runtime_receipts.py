"""Error receipts (RUN-004): when an actor is marked failed, every *actor* that had
messages pending for it gets a message queued from the outside with ``mt: "error"``
and the failure blob as content — and the outside, which sends too, gets none.

A ``requester`` asks a question of a ``failing`` actor; after the failure policy has
run its 5 attempts, the requester's next step must have read exactly one receipt
from the outside, whose content is the blob ``names/failed/<failing>`` names.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, fail, ok_answer

pytestmark = pytest.mark.profile("runtime")

OUTSIDE = g.ObjectId(bytes(32))


def _object(impl: Implementation, runtime: str, oid: str | g.ObjectId) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    data = call_ok(impl, "RUN-004", "rt-object", runtime=runtime, id=text)["bytes"]
    return g.decode_object(bytes.fromhex(data))


@pytest.mark.req("RUN-004.4", "RUN-004.6", "RUN-015.2")
def test_a_failed_actor_sends_error_receipts_to_actor_senders_only(
    impl: Implementation, tmp_path: Path
) -> None:
    (tmp_path / "rt").mkdir()
    runtime = str(call_ok(impl, "RUN-004.4", "rt-open", path=str(tmp_path / "rt"))["runtime"])
    requester = str(
        call_ok(impl, "RUN-004.4", "rt-genesis", runtime=runtime, actor="requester")["actor"]
    )
    call_ok(impl, "RUN-004.4", "rt-run", runtime=runtime, max_steps=20)
    # The failing actor's id is the id of its core (WIT-002, ADP-014's wit-genesis core):
    # the requester's question waits for it before the actor exists.
    wit = g.Blob(data=b"failing", headers={"runtime": "test-actor"})
    failing = g.object_id(g.Tree(entries={"wit": g.object_id(wit)})).hex()
    ask = {"tree": {"to": {"blob": failing.encode().hex()}, "question": {"blob": "3f"}}}
    call_ok(impl, "RUN-004.4", "rt-send", runtime=runtime, to=requester, mt="ask", content=ask)
    call_ok(impl, "RUN-004.4", "rt-run", runtime=runtime, max_steps=20)
    created = call_ok(impl, "RUN-004.4", "rt-genesis", runtime=runtime, actor="failing")["actor"]
    check_equal("RUN-004.4", failing, created)
    for _ in range(3):  # the failure policy, the marker, then the requester reads its receipt
        call_ok(impl, "RUN-004.4", "rt-run", runtime=runtime, max_steps=50)
    marker = call_ok(impl, "RUN-004.4", "rt-ref", runtime=runtime, name=f"names/failed/{failing}")[
        "target"
    ]
    if marker is None:
        fail(
            "RUN-004",
            expected="a value",
            came=marker,
            what="the failing actor must be marked failed",
        )
    record = _object(impl, runtime, marker)
    if not isinstance(record, g.Blob):
        fail("RUN-004.4", expected="a blob", came=record, what="the record")
    check_equal("RUN-004.4", 5, json.loads(record.data)["attempts"], "loads's attempts")
    head = call_ok(impl, "RUN-004.4", "rt-head", runtime=runtime, actor=requester)["step"]
    step = _object(impl, runtime, head)
    if not isinstance(step, g.Step):
        fail("RUN-004.4", expected="a step", came=step, what="the step")
    if step.inbox is None:
        fail("RUN-004.4", expected="a value", came=step.inbox, what="step's inbox")
    inbox = _object(impl, runtime, step.inbox)
    if not isinstance(inbox, g.Mailbox):
        fail("RUN-004.4", expected="a mailbox", came=inbox, what="the inbox")
    receipt_id = inbox.entries.get(OUTSIDE)
    if receipt_id is None:
        fail(
            "RUN-004.4",
            expected="a value",
            came=receipt_id,
            what="the requester read nothing from the outside",
        )
    receipt = _object(impl, runtime, receipt_id)
    if not isinstance(receipt, g.Message):
        fail("RUN-004.4", expected="a message", came=receipt, what="the receipt")
    check_equal("RUN-004.4", "error", receipt.headers.get("mt"), "receipt's headers's mt")
    check_equal(
        "RUN-004.4", marker, receipt.content.hex(), "the receipt's content is the failure blob"
    )
    # the receipt is the one message the outside sent to the requester after its ask
    previous = receipt.previous
    if previous is None:
        fail("RUN-004.4", expected="a value", came=previous, what="the previous")
    ask_message = _object(impl, runtime, previous)
    if not isinstance(ask_message, g.Message):
        fail("RUN-004.4", expected="a message", came=ask_message, what="the ask message")
    check_equal("RUN-004.4", "ask", ask_message.headers.get("mt"), "ask message's headers's mt")


@pytest.mark.req("RUN-004.3", "RUN-004.4", "RUN-004.5", "RUN-004.1", "RUN-004.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(("actor", "error"), [("failing", "failed"), ("slow", "failed")])
def test_an_actor_is_marked_failed_at_its_fifth_failed_attempt_not_before(
    impl: Implementation, tmp_path: Path, actor: str, error: str
) -> None:
    """RUN-004's limit on both sides: four failed attempts leave the actor unmarked, the
    fifth marks it; ``rt-run`` answers every failed attempt of the call (ADP-015). No
    back-off is asked for: ``slow``'s overruns would be retried after seconds (RUN-004.10)."""
    (tmp_path / "rt").mkdir()
    opened = impl.call("rt-open", path=str(tmp_path / "rt"), first_delay=0)
    runtime = str(ok_answer(opened, "RUN-004.3")["runtime"])
    counter = str(
        call_ok(impl, "RUN-004.3", "rt-genesis", runtime=runtime, actor="counter")["actor"]
    )
    bad = str(call_ok(impl, "RUN-004.3", "rt-genesis", runtime=runtime, actor=actor)["actor"])
    run = call_ok(impl, "RUN-004.3", "rt-run", runtime=runtime, max_steps=20)
    tried = [attempt for attempt in run["attempts"] if attempt[0] == bad]
    check_equal("RUN-004.3", [[bad, error]] * 5, tried, f"5 attempts, then the mark: {run}")
    check_equal("RUN-004.3", [[bad, error]], run["failures"], "rt-run's failures")
    check_equal(
        "RUN-004.3", [counter], [a for a, _ in run["steps"]], "no step of a failed transition"
    )
    again = call_ok(impl, "RUN-004.3", "rt-run", runtime=runtime, max_steps=20)
    check_equal("RUN-004.5", [], again["attempts"], "the next rt-run's attempts")
    check_equal("RUN-004.5", [], again["failures"], "the next rt-run's failures")
    value = call_ok(impl, "RUN-004.3", "rt-head", runtime=runtime, actor=bad)["step"]
    check("RUN-004.3", value is None, expected="nothing (null)", came=value)


def _from_outside(impl: Implementation, runtime: str, actor: str) -> list[g.Message]:
    """The messages the outside sent ``actor`` that its head has read, oldest first."""
    head = call_ok(impl, "RUN-003.1", "rt-head", runtime=runtime, actor=actor)["step"]
    step = _object(impl, runtime, head)
    if not isinstance(step, g.Step):
        fail("RUN-003.1", expected="a step", came=step, what="the step")
    if step.inbox is None:
        fail("RUN-003.1", expected="a value", came=step.inbox, what="step's inbox")
    inbox = _object(impl, runtime, step.inbox)
    if not isinstance(inbox, g.Mailbox):
        fail("RUN-003.1", expected="a mailbox", came=inbox, what="the inbox")
    chain: list[g.Message] = []
    oid = inbox.entries.get(OUTSIDE)
    while oid is not None:
        message = _object(impl, runtime, oid)
        if not isinstance(message, g.Message):
            fail("RUN-003.1", expected="a message", came=message, what="the message")
        chain.append(message)
        oid = message.previous
    return chain[::-1]


@pytest.mark.req("RUN-004.6", "RUN-004.2", "RUN-003.1")
@pytest.mark.parametrize("restart", [False, True], ids=["one-run", "across-a-restart"])
@pytest.mark.parametrize("first", ["a", "b"])
@pytest.mark.req("RUN-004.4")
def test_each_sender_gets_one_receipt_however_many_messages_it_had_pending(
    impl: Implementation, tmp_path: Path, first: str, restart: bool
) -> None:
    """RUN-004.6 counts per sender, not per message: two requesters, each with two
    questions pending for the failing actor (sent interleaved, either first), get one
    receipt each; the same when the questions were left pending by an earlier runtime
    on the store (a restart between the sends and the failure, RUN-003)."""
    path = tmp_path / "rt"
    path.mkdir()
    runtime = str(call_ok(impl, "RUN-004.6", "rt-open", path=str(path))["runtime"])
    requesters = {
        tag: str(
            call_ok(
                impl,
                "RUN-004.6",
                "rt-genesis",
                runtime=runtime,
                actor="requester",
                state={"tag": tag.encode().hex()},
            )["actor"]
        )
        for tag in ("a", "b")
    }
    check(
        "RUN-004.6",
        requesters["a"] != requesters["b"],
        expected="two actors for the requesters of two states",
        came=requesters,
    )
    wit = g.Blob(data=b"failing", headers={"runtime": "test-actor"})
    failing = g.object_id(g.Tree(entries={"wit": g.object_id(wit)})).hex()
    order = ("a", "b") if first == "a" else ("b", "a")
    for n in range(2):
        for tag in order:
            question = f"{tag}{n}".encode().hex()
            ask = {"tree": {"to": {"blob": failing.encode().hex()}, "question": {"blob": question}}}
            call_ok(
                impl,
                "RUN-004.6",
                "rt-send",
                runtime=runtime,
                to=requesters[tag],
                mt="ask",
                content=ask,
            )
    call_ok(impl, "RUN-004.6", "rt-run", runtime=runtime, max_steps=50)
    if restart:
        call_ok(impl, "RUN-004.6", "rt-close", runtime=runtime)
        runtime = str(call_ok(impl, "RUN-004.6", "rt-open", path=str(path))["runtime"])
    check_equal(
        "RUN-004.6",
        failing,
        call_ok(impl, "RUN-004.6", "rt-genesis", runtime=runtime, actor="failing")["actor"],
    )
    for _ in range(3):  # the failure policy, the marker, then the requesters read receipts
        call_ok(impl, "RUN-004.6", "rt-run", runtime=runtime, max_steps=50)
    marker = call_ok(impl, "RUN-004.6", "rt-ref", runtime=runtime, name=f"names/failed/{failing}")[
        "target"
    ]
    if marker is None:
        fail(
            "RUN-004.4",
            expected="a value",
            came=marker,
            what="the failing actor must be marked failed",
        )
    for tag, requester in requesters.items():
        read = _from_outside(impl, runtime, requester)
        kinds = [m.headers.get("mt") for m in read if m.headers.get("mt") != "genesis"]
        check_equal(
            "RUN-004.6",
            ["ask", "ask", "error"],
            kinds,
            f"requester {tag} had two messages pending for the failed actor and "
            f"must get one error receipt, after its asks; it read from the outside",
        )
        receipt = read[-1]
        check_equal(
            "RUN-004.6", marker, receipt.content.hex(), "the receipt's content is the failure blob"
        )
