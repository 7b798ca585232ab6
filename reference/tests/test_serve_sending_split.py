"""A commit of several requests' sends that fails for one of them is made again request by
request, so that only that request fails (HTTP-005.2, HTTP-005.7, DUR-008.1).

The service gathers the sends that arrive while a commit is under way into the next one
(RUN-003.4: one commit swaps every mailbox of the outside they touch). A commit the store
refuses for what one request holds (a write past the store's bound, ``write-too-large``,
DUR-008.1) is not the others' fault: each request's sends are then committed on their own,
the others answered with their messages and that one with its error. A batch request
(HTTP-005.7) is one request: its sends stand or fall together. A commit of one request
alone that fails is that request's answer at once.

Driven below the HTTP layer, on :class:`~gritwit.serve._sending.Sender`: which requests
share a commit is the machine's timing when they come over HTTP, and a store refusing a
write for one request's content is what no client can make the reference's stores do on
demand. The runtime here is the real one, its ``send_all`` refusing any commit that holds
the poisoned content, as a store refuses a write too large.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterable, Mapping
from typing import Any

import pytest

import gritwit as g
from gritwit._error_types import ObjectNotFound, WriteTooLarge
from gritwit.runtime import Runtime
from gritwit.serve._content import NewCore
from gritwit.serve._engine_commands import Create, Created, Send, Sent
from gritwit.serve._sending import Sender
from gritwit.store import Store
from gritwit.wit import OUTSIDE_REF

POISONED = g.Blob(data=b"too large for the store")
POISON = g.object_id(POISONED)
RECIPIENT = g.ObjectId(bytes(range(32)))


class _Refusing:
    """The runtime's ``send_all``, refusing any commit that holds ``POISON`` (DUR-008.1);
    ``commits`` lists how many messages each commit asked for."""

    def __init__(self, runtime: Runtime, error: Exception) -> None:
        self.runtime = runtime
        self.error = error
        self.commits: list[int] = []

    async def send_all(
        self,
        messages: Iterable[tuple[g.ObjectId, g.ObjectId, Mapping[str, str] | None, bool]],
        objects: Iterable[g.GritObject] = (),
    ) -> list[g.ObjectId]:
        listed = list(messages)
        self.commits.append(len(listed))
        if any(content == POISON for _, content, _, _ in listed):
            raise self.error
        return await self.runtime.send_all(listed, objects)


_BLOBS = {POISON: POISONED}


def _send(content: g.ObjectId) -> Send:
    """A send of ``content``, its blob sent with it."""
    blob = _BLOBS[content]
    return Send(
        recipient=RECIPIENT, content=content, objects=(blob,), mt="m", signal=False, key=None
    )


def _blob(i: int) -> g.ObjectId:
    blob = g.Blob(data=b"%d" % i)
    _BLOBS[g.object_id(blob)] = blob
    return g.object_id(blob)


def _outcome(future: concurrent.futures.Future[Any]) -> object:
    assert future.done()
    error = future.exception()
    return type(error).__name__ if error is not None else future.result()


TOO_LARGE = WriteTooLarge("DUR-008.1", "the write holds more bytes than the store takes")


def _flush(
    contents: list[list[g.ObjectId]], error: Exception = TOO_LARGE
) -> tuple[list[object], list[int]]:
    """Queue one request per list (a list of two or more: a batch request), flush once,
    ``error`` refusing a commit that holds ``POISON``; how each request was answered,
    and the sizes of the commits asked for."""
    with Store.memory() as store:
        refusing = _Refusing(Runtime(store, send_commit="own"), error)
        sender = Sender(store, refusing)  # type: ignore[arg-type]
        futures: list[concurrent.futures.Future[Any]] = []
        for request in contents:
            future: concurrent.futures.Future[Any] = concurrent.futures.Future()
            if len(request) == 1:
                sender.add_send(_send(request[0]), future)
            else:
                sender.add_batch(tuple(_send(c) for c in request), future)
            futures.append(future)
        asyncio.run(sender.flush())
        return [_outcome(f) for f in futures], refusing.commits


def _sent(outcome: object) -> bool:
    if isinstance(outcome, list):
        return all(_sent(item) for item in outcome)
    return isinstance(outcome, Sent) and not outcome.replayed


@pytest.mark.req("HTTP-005.2", "DUR-008.1")
def test_a_refused_commit_of_three_requests_is_made_again_one_by_one() -> None:
    outcomes, commits = _flush([[_blob(1)], [POISON], [_blob(2)]])
    assert commits == [3, 1, 1, 1], commits  # the three together, then each alone
    assert [_sent(outcomes[0]), outcomes[1], _sent(outcomes[2])] == [
        True,
        "WriteTooLarge",
        True,
    ], outcomes


@pytest.mark.req("HTTP-005.7", "DUR-008.1")
def test_a_batch_request_with_the_refused_send_fails_whole_and_the_others_are_sent() -> None:
    outcomes, commits = _flush([[_blob(1), POISON], [_blob(2)], [_blob(3), _blob(4)]])
    assert commits == [5, 2, 1, 2], commits
    assert [outcomes[0], _sent(outcomes[1]), _sent(outcomes[2])] == [
        "WriteTooLarge",
        True,
        True,
    ], outcomes


@pytest.mark.req("HTTP-005.2", "DUR-008.1")
def test_a_refused_commit_of_one_request_is_its_answer_at_once() -> None:
    outcomes, commits = _flush([[POISON]])
    assert (outcomes, commits) == (["WriteTooLarge"], [1])


@pytest.mark.req("HTTP-005.2", "HTTP-003.1")
def test_a_commit_failing_for_no_reason_the_store_gives_fails_every_request_in_it() -> None:
    """Not a store's refusal of one request's write: nothing says whose fault it is, so
    the commit is not made again, and every request in it is answered with the error."""
    outcomes, commits = _flush([[_blob(1)], [POISON]], RuntimeError("a fault of no request"))
    assert (outcomes, commits) == (["RuntimeError", "RuntimeError"], [2])


@pytest.mark.req("RUN-003.5", "RUN-019.6")
def test_the_outside_entry_of_a_store_of_the_old_layout_is_its_old_refs() -> None:
    """RUN-003.5, RUN-019.6: with no outside mailbox for the recipient, the entry keys
    are settled from is the old single outside ref's; with neither, none."""
    from gritwit.serve._sending import outside_entry
    from gritwit.wit import OUTSIDE_REF

    store = Store.memory()
    actor = store.put_object(g.Blob(data=b"actor"))
    assert outside_entry(store, actor) is None
    sent = store.put_object(g.Message(content=actor, previous=None, headers={"mt": "x"}))
    store.cas_ref(OUTSIDE_REF, None, store.put_object(g.Mailbox(entries={actor: sent})))
    assert outside_entry(store, actor) == sent


@pytest.mark.req("HTTP-005.2", "HTTP-004.2", "DUR-008.1")
def test_a_creation_between_two_sends_is_a_request_of_its_own_when_the_commit_is_refused() -> None:
    """A creation (HTTP-004.2) is one request, as a send is: the commit of a send, a
    creation and the poisoned send, refused, is made again request by request, and only
    the poisoned send fails; the send before the creation and the creation are made."""
    core = g.Tree(entries={"creation": g.object_id(g.Blob(data=b"between the sends"))})
    with Store.memory() as store:
        refusing = _Refusing(Runtime(store, send_commit="own"), TOO_LARGE)
        sender = Sender(store, refusing)  # type: ignore[arg-type]
        first, made, poisoned = (concurrent.futures.Future[Any]() for _ in range(3))
        sender.add_send(_send(_blob(5)), first)
        sender.add_create(Create(NewCore(core, (g.Blob(data=b"between the sends"),), None)), made)
        sender.add_send(_send(POISON), poisoned)
        asyncio.run(sender.flush())
        outcomes = [_outcome(first), _outcome(made), _outcome(poisoned)]
        assert refusing.commits == [3, 1, 1, 1], refusing.commits
        assert _sent(outcomes[0]), outcomes
        assert isinstance(outcomes[1], Created) and outcomes[1].actor == g.object_id(core)
        assert outcomes[2] == "WriteTooLarge", outcomes


@pytest.mark.req("RUN-019.6", "HTTP-005.3")
def test_a_key_looked_for_on_an_outside_chain_holding_no_message_is_not_found() -> None:
    """A keyed send walks the outside's chain to its recipient for the key (HTTP-005.3); an
    entry there naming an object that is no message (a store written around the runtime,
    never by it) fails ``not-found`` naming RUN-019.6, not a fault of the service's own."""
    with Store.memory() as store:
        odd = store.put_object(g.Blob(data=b"no message"))
        store.cas_ref(OUTSIDE_REF, None, store.put_object(g.Mailbox(entries={RECIPIENT: odd})))
        sender = Sender(store, Runtime(store, send_commit="own"))
        keyed = Send(recipient=RECIPIENT, content=odd, objects=(), mt="m", signal=False, key="k-1")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with pytest.raises(ObjectNotFound) as found:
            sender.add_send(keyed, future)
        assert found.value.requirement == "RUN-019.6", found.value
        assert not future.done()
