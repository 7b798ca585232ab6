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

pytestmark = pytest.mark.profile("runtime")

OUTSIDE = g.ObjectId(bytes(32))


def _object(impl: Implementation, runtime: str, oid: str | g.ObjectId) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    data = impl.call("rt-object", runtime=runtime, id=text).expect_ok()["bytes"]
    return g.decode_object(bytes.fromhex(data))


@pytest.mark.req("RUN-004.4", "RUN-004.6", "RUN-015.2")
def test_a_failed_actor_sends_error_receipts_to_actor_senders_only(
    impl: Implementation, tmp_path: Path
) -> None:
    (tmp_path / "rt").mkdir()
    runtime = str(impl.call("rt-open", path=str(tmp_path / "rt")).expect_ok()["runtime"])
    requester = str(
        impl.call("rt-genesis", runtime=runtime, actor="requester").expect_ok()["actor"]
    )
    impl.call("rt-run", runtime=runtime, max_steps=20).expect_ok()
    # The failing actor's id is the id of its core (WIT-002, ADP-014's wit-genesis core):
    # the requester's question waits for it before the actor exists.
    wit = g.Blob(data=b"failing", headers={"runtime": "test-actor"})
    failing = g.object_id(g.Tree(entries={"wit": g.object_id(wit)})).hex()
    ask = {"tree": {"to": {"blob": failing.encode().hex()}, "question": {"blob": "3f"}}}
    impl.call("rt-send", runtime=runtime, to=requester, mt="ask", content=ask).expect_ok()
    impl.call("rt-run", runtime=runtime, max_steps=20).expect_ok()
    created = impl.call("rt-genesis", runtime=runtime, actor="failing").expect_ok()["actor"]
    assert created == failing
    for _ in range(3):  # the failure policy, the marker, then the requester reads its receipt
        impl.call("rt-run", runtime=runtime, max_steps=50).expect_ok()
    marker = impl.call("rt-ref", runtime=runtime, name=f"names/failed/{failing}").expect_ok()[
        "target"
    ]
    assert marker is not None, "the failing actor must be marked failed (RUN-004)"
    record = _object(impl, runtime, marker)
    assert isinstance(record, g.Blob) and json.loads(record.data)["attempts"] == 5
    head = impl.call("rt-head", runtime=runtime, actor=requester).expect_ok()["step"]
    step = _object(impl, runtime, head)
    assert isinstance(step, g.Step) and step.inbox is not None
    inbox = _object(impl, runtime, step.inbox)
    assert isinstance(inbox, g.Mailbox)
    receipt_id = inbox.entries.get(OUTSIDE)
    assert receipt_id is not None, "the requester read nothing from the outside"
    receipt = _object(impl, runtime, receipt_id)
    assert isinstance(receipt, g.Message)
    assert receipt.headers.get("mt") == "error", receipt
    assert receipt.content.hex() == marker, "the receipt's content is the failure blob"
    # the receipt is the one message the outside sent to the requester after its ask
    previous = receipt.previous
    assert previous is not None
    ask_message = _object(impl, runtime, previous)
    assert isinstance(ask_message, g.Message) and ask_message.headers.get("mt") == "ask"


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
    runtime = str(opened.expect_ok()["runtime"])
    counter = str(impl.call("rt-genesis", runtime=runtime, actor="counter").expect_ok()["actor"])
    bad = str(impl.call("rt-genesis", runtime=runtime, actor=actor).expect_ok()["actor"])
    run = impl.call("rt-run", runtime=runtime, max_steps=20).expect_ok()
    tried = [attempt for attempt in run["attempts"] if attempt[0] == bad]
    assert tried == [[bad, error]] * 5, f"RUN-004.3: 5 attempts, then the mark: {run}"
    assert run["failures"] == [[bad, error]], run
    assert [a for a, _ in run["steps"]] == [counter], "no step of a failed transition"
    again = impl.call("rt-run", runtime=runtime, max_steps=20).expect_ok()
    assert again["attempts"] == [] and again["failures"] == [], f"RUN-004.5: {again}"
    assert impl.call("rt-head", runtime=runtime, actor=bad).expect_ok()["step"] is None


def _from_outside(impl: Implementation, runtime: str, actor: str) -> list[g.Message]:
    """The messages the outside sent ``actor`` that its head has read, oldest first."""
    head = impl.call("rt-head", runtime=runtime, actor=actor).expect_ok()["step"]
    step = _object(impl, runtime, head)
    assert isinstance(step, g.Step) and step.inbox is not None
    inbox = _object(impl, runtime, step.inbox)
    assert isinstance(inbox, g.Mailbox)
    chain: list[g.Message] = []
    oid = inbox.entries.get(OUTSIDE)
    while oid is not None:
        message = _object(impl, runtime, oid)
        assert isinstance(message, g.Message)
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
    runtime = str(impl.call("rt-open", path=str(path)).expect_ok()["runtime"])
    requesters = {
        tag: str(
            impl.call(
                "rt-genesis",
                runtime=runtime,
                actor="requester",
                state={"tag": tag.encode().hex()},
            ).expect_ok()["actor"]
        )
        for tag in ("a", "b")
    }
    assert requesters["a"] != requesters["b"]
    wit = g.Blob(data=b"failing", headers={"runtime": "test-actor"})
    failing = g.object_id(g.Tree(entries={"wit": g.object_id(wit)})).hex()
    order = ("a", "b") if first == "a" else ("b", "a")
    for n in range(2):
        for tag in order:
            question = f"{tag}{n}".encode().hex()
            ask = {"tree": {"to": {"blob": failing.encode().hex()}, "question": {"blob": question}}}
            impl.call(
                "rt-send", runtime=runtime, to=requesters[tag], mt="ask", content=ask
            ).expect_ok()
    impl.call("rt-run", runtime=runtime, max_steps=50).expect_ok()
    if restart:
        impl.call("rt-close", runtime=runtime).expect_ok()
        runtime = str(impl.call("rt-open", path=str(path)).expect_ok()["runtime"])
    assert impl.call("rt-genesis", runtime=runtime, actor="failing").expect_ok()["actor"] == failing
    for _ in range(3):  # the failure policy, the marker, then the requesters read receipts
        impl.call("rt-run", runtime=runtime, max_steps=50).expect_ok()
    marker = impl.call("rt-ref", runtime=runtime, name=f"names/failed/{failing}").expect_ok()[
        "target"
    ]
    assert marker is not None, "the failing actor must be marked failed (RUN-004.4)"
    for tag, requester in requesters.items():
        read = _from_outside(impl, runtime, requester)
        kinds = [m.headers.get("mt") for m in read if m.headers.get("mt") != "genesis"]
        assert kinds == ["ask", "ask", "error"], (
            f"RUN-004.6: requester {tag} had two messages pending for the failed actor and "
            f"must get one error receipt, after its asks; it read from the outside {kinds}"
        )
        receipt = read[-1]
        assert receipt.content.hex() == marker, "the receipt's content is the failure blob"
