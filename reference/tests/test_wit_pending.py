"""Pending messages by walking chains (WIT-003 … WIT-005, WIT-010)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit.wit import (
    Send,
    TransitionInput,
    TransitionOutput,
    assemble,
    pending,
    routed,
    test_actor_core,
)

A = g.ObjectId(b"\x0a" * 32)
B = g.ObjectId(b"\x0b" * 32)
C = g.ObjectId(b"\x0c" * 32)

# An operation on one sender -> recipient channel: queue or signal a new message,
# or let the recipient read some of what is pending.
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("queue"), st.just(0)),
        st.tuples(st.just("signal"), st.just(0)),
        st.tuples(st.just("read"), st.integers(0, 4)),
    ),
    max_size=40,
)


@pytest.mark.req("WIT-004", "WIT-005")
@given(OPS)
def test_pending_matches_a_queue_model_exactly_once_in_order(
    ops: list[tuple[str, int]],
) -> None:
    store = g.Store.memory()
    outbox: g.ObjectId | None = None  # sender's outbox entry for the recipient
    inbox: g.ObjectId | None = None  # recipient's inbox entry for the sender
    unread: list[g.ObjectId] = []  # the model: a list, cleared by a signal
    sent: list[g.ObjectId] = []
    delivered: list[g.ObjectId] = []
    for number, (op, count) in enumerate(ops):
        if op in ("queue", "signal"):
            content = store.put_object(g.Blob(data=str(number).encode()))
            previous = outbox if op == "queue" else None
            outbox = store.put_object(g.Message(content=content, previous=previous))
            unread = [*unread, outbox] if op == "queue" else [outbox]
            sent.append(outbox)
        found = pending(store, outbox, inbox)
        assert [item.id for item in found] == unread
        if op == "read" and count and found:
            taken = found[: min(count, len(found))]
            delivered.extend(item.id for item in taken)
            inbox = taken[-1].id
            unread = unread[len(taken) :]
    assert len(set(delivered)) == len(delivered)  # each message at most once
    positions = [sent.index(oid) for oid in delivered]
    assert positions == sorted(positions)  # in sending order


@pytest.mark.req("WIT-005")
def test_a_signal_supersedes_unread_messages() -> None:
    store = g.Store.memory()
    contents = [store.put_object(g.Blob(data=bytes([i]))) for i in range(3)]
    first = store.put_object(g.Message(content=contents[0]))
    second = store.put_object(g.Message(content=contents[1], previous=first))
    assert [p.id for p in pending(store, second, None)] == [first, second]
    assert [p.id for p in pending(store, second, first)] == [second]
    assert pending(store, second, second) == []
    signal = store.put_object(g.Message(content=contents[2]))
    assert [p.id for p in pending(store, signal, first)] == [signal]


@pytest.mark.req("WIT-003", "WIT-005")
def test_sender_is_the_mailbox_key_not_a_message_field() -> None:
    # Two senders send identical messages: one object, yet pending per sender.
    store = g.Store.memory()
    content = store.put_object(g.Blob(data=b"hi"))
    message = store.put_object(g.Message(content=content, headers={"mt": "x"}))
    assert set(g.Message.__slots__) == {"content", "previous", "headers"}
    from_a = pending(store, message, None)
    from_b = pending(store, message, None)
    assert from_a == from_b and [p.id for p in from_a] == [message]
    assert from_a[0].mt == "x"


def _step(
    actor: g.ObjectId, last: g.Step | None, sends: tuple[Send, ...], store: g.Store
) -> g.Step:
    core, objects = test_actor_core("echo")
    for obj in objects:
        store.put_object(obj)
    inp = TransitionInput(actor=actor, last_step=last, core=core, pending={}, objects=store)
    built = assemble(inp, TransitionOutput(core=core, sends=sends), store)
    for obj in built.objects:
        store.put_object(obj)
    return built.step


@pytest.mark.req("WIT-010", "WIT-004")
def test_only_changed_outbox_entries_are_routed() -> None:
    store = g.Store.memory()
    blob = store.put_object(g.Blob(data=b"x"))
    first = _step(
        A, None, (Send(recipient=B, content=blob), Send(recipient=C, content=blob)), store
    )
    assert sorted(routed(store, first, None, {})) == [B, C]
    second = _step(A, first, (Send(recipient=B, content=blob, headers={"n": "2"}),), store)
    # C's entry is unchanged: not routed again.  B has read nothing: both pending.
    routes = routed(store, second, first, {})
    assert list(routes) == [B]
    assert [p.message.headers.get("n") for p in routes[B]] == [None, "2"]
    b_read_first = {B: {A: routes[B][0].id}}
    assert [p.message.headers.get("n") for p in routed(store, second, first, b_read_first)[B]] == [
        "2"
    ]
