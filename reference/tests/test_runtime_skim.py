"""A catch-up skims a moved head that keeps its outbox (RUN-003.1).

:func:`gritwit.runtime._moved.step_outbox` reads a step's actor and outbox from its
canonical bytes by structure; it must agree with the decoder on every valid step
(ENC-014.1, OBJ-015) and refuse anything else.  A routing index catching up with heads
other writers moved, whose steps keep the outbox it holds (OBJ-019, WIT-009.5),
decodes none of them; a head whose outbox changed is routed as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit.runtime import _cache
from gritwit.runtime._cache import ObjectCache
from gritwit.runtime._index import RoutingIndex
from gritwit.runtime._moved import step_outbox
from gritwit.store._refs import HEADS_PREFIX

_ids = st.binary(min_size=32, max_size=32).map(g.ObjectId)
_steps = st.builds(
    g.Step,
    actor=_ids,
    core=_ids,
    previous=st.none() | _ids,
    inbox=st.none() | _ids,
    outbox=st.none() | _ids,
)


@pytest.mark.req("ENC-014.1", "OBJ-015")
@given(_steps)
def test_the_structural_reader_agrees_with_the_decoder(step: g.Step) -> None:
    data = g.encode_object(step)
    outbox = None if step.outbox is None else step.outbox.digest
    assert step_outbox(data) == (step.actor.digest, outbox)


@pytest.mark.req("ENC-014.3", "OBJ-015")
@given(_steps, st.data())
def test_corrupted_bytes_are_refused_or_decode_to_what_it_says(
    step: g.Step, data: st.DataObject
) -> None:
    """Whatever the reader answers for changed bytes, the decoder gives the same step."""
    raw = bytearray(g.encode_object(step))
    change = data.draw(st.sampled_from(["flip", "cut", "grow"]))
    if change == "flip":
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] ^= data.draw(st.integers(1, 255))
    elif change == "cut":
        del raw[data.draw(st.integers(0, len(raw) - 1)) :]
    else:
        raw += data.draw(st.binary(min_size=1, max_size=40))
    found = step_outbox(bytes(raw))
    try:
        decoded = g.decode_object(bytes(raw))
    except g.GritError:
        decoded = None
    if found is None:
        assert not (isinstance(decoded, g.Step) and g.encode_object(decoded) == bytes(raw))
    else:
        assert isinstance(decoded, g.Step), "answered for bytes that are no step"
        box = None if decoded.outbox is None else decoded.outbox.digest
        assert found == (decoded.actor.digest, box)


@pytest.mark.req("ENC-014.3")
@given(st.binary(max_size=300))
def test_bytes_that_are_no_canonical_step_are_refused(raw: bytes) -> None:
    try:
        decoded = g.decode_object(raw)
    except g.GritError:
        decoded = None
    if not isinstance(decoded, g.Step):
        assert step_outbox(raw) is None


@pytest.mark.req("ENC-014.3")
def test_other_objects_and_near_steps_are_refused() -> None:
    one = g.ObjectId(bytes(range(32)))
    blob, mailbox = g.Blob(data=b"x" * 120), g.Mailbox(entries={one: one})
    assert step_outbox(g.encode_object(blob)) is None
    assert step_outbox(g.encode_object(mailbox)) is None
    full = g.encode_object(g.Step(actor=one, core=one, previous=one, inbox=one, outbox=one))
    assert step_outbox(full) == (one.digest, one.digest)
    assert step_outbox(bytes([0xA5]) + full[1:]) is None  # a count that lies
    assert step_outbox(full[:-1]) is None and step_outbox(full + b"\x00") is None


# --- a catch-up over moved heads (RUN-003.1) --------------------------------------------


def _put_step(store: g.Store, actor: g.ObjectId, n: int, outbox: g.ObjectId | None) -> g.ObjectId:
    core = store.put_object(g.Blob(data=b"core %d" % n))
    return store.put_object(g.Step(actor=actor, core=core, outbox=outbox))


def _counting_decodes(monkeypatch: pytest.MonkeyPatch, store: g.Store) -> list[g.ObjectId]:
    """Every object decoded from the store's bytes, by id: the cache's page reads and
    the store's own reads (the seams a catch-up decodes through)."""
    decoded: list[g.ObjectId] = []
    decode, get_object = _cache.decode_object, g.Store.get_object

    def counted(data: bytes) -> g.GritObject:
        decoded.append(g.object_id(decode(data)))
        return decode(data)

    def read(self: g.Store, oid: g.ObjectId) -> g.GritObject:
        decoded.append(oid)
        return get_object(self, oid)

    monkeypatch.setattr(_cache, "decode_object", counted)
    monkeypatch.setattr(g.Store, "get_object", read)
    return decoded


@pytest.fixture(params=["local", "remote"])
def store(request: pytest.FixtureRequest) -> g.Store:
    """A store; "remote" marked as a server's, so the read-ahead path runs (DUR-005.4):
    only there are moved steps skimmed (a local read costs no round trip, and the
    instruction gate's one-runtime workloads would pay for the look)."""
    store = g.Store.memory()
    if request.param == "remote":
        object.__setattr__(store, "is_remote", True)
    return store


def _setup(
    store: g.Store, n: int
) -> tuple[list[g.ObjectId], g.ObjectId, RoutingIndex, ObjectCache, g.ObjectId]:
    """``n`` actors sending one message each to ``recipient``, one outbox each; an
    index caught up with their heads."""
    recipient = g.ObjectId(bytes([7]) * 32)
    actors, outboxes = [], []
    for i in range(n):
        actor = g.ObjectId(bytes([i + 1]) * 32)
        content = store.put_object(g.Blob(data=b"hello %d" % i))
        message = store.put_object(g.Message(content=content))
        outbox = store.put_object(g.Mailbox(entries={recipient: message}))
        store.cas_ref(HEADS_PREFIX + actor.hex(), None, _put_step(store, actor, 0, outbox))
        actors.append(actor)
        outboxes.append(outbox)
    index, cache = RoutingIndex(), ObjectCache(store)
    index.load(store, cache)
    return actors, recipient, index, cache, outboxes[0]


def _move(
    store: g.Store, actor: g.ObjectId, n: int, outbox: g.ObjectId | None
) -> tuple[str, g.ObjectId]:
    name = HEADS_PREFIX + actor.hex()
    target = _put_step(store, actor, n, outbox)
    store.cas_ref(name, store.get_ref(name), target)
    return name, target


@pytest.mark.req("RUN-003.1", "OBJ-019", "WIT-009.5")
def test_moved_heads_that_keep_their_outbox_are_not_decoded(
    store: g.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    actors, recipient, index, cache, _ = _setup(store, 12)
    held = {a: index.known_heads([a])[a] for a in actors}
    before = index.pending_for(cache, recipient, {})
    swaps = []
    for n, actor in enumerate(actors, 1):  # each moves once, its outbox kept
        step = cache.get_object(held[actor])
        assert isinstance(step, g.Step)
        swaps.append(_move(store, actor, n, step.outbox))
    outboxes = {step.outbox for step in map(cache.get_object, held.values())}  # type: ignore[union-attr]
    decoded = _counting_decodes(monkeypatch, store)
    touched = index.refresh(store, cache, swaps)
    moved = {target for _, target in swaps}
    if store.is_remote:  # read ahead and skimmed; a local store's are read as they come
        assert not moved & set(decoded), "a moved step keeping its outbox was decoded"
    assert not outboxes & set(decoded), "an outbox the index holds was read again"
    assert touched == set(actors)  # each actor marked, as the full path marks it
    assert index.known_heads(actors) == {a: t for a, (_, t) in zip(actors, swaps, strict=True)}
    assert index.pending_for(cache, recipient, {}) == before


@pytest.mark.req("RUN-003.1", "RUN-021.1")
def test_the_runtimes_own_actors_are_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    """An actor the runtime runs (``ours``) keeps the full path: its step is read."""
    store = g.Store.memory()
    object.__setattr__(store, "is_remote", True)  # where steps are skimmed
    actors, _, index, cache, _ = _setup(store, 4)
    swaps = []
    for n, actor in enumerate(actors, 1):
        step = cache.get_object(index.known_heads([actor])[actor])  # type: ignore[arg-type]
        assert isinstance(step, g.Step)
        swaps.append(_move(store, actor, n, step.outbox))
    decoded = _counting_decodes(monkeypatch, store)
    ours: Callable[[object], set[g.ObjectId]] = lambda _actors: {actors[0]}  # noqa: E731
    index.refresh(store, cache, swaps, ours)
    assert swaps[0][1] in decoded
    assert not {t for _, t in swaps[1:]} & set(decoded)


@pytest.mark.req("RUN-003.1", "WIT-005")
def test_a_moved_head_whose_outbox_changed_is_routed(
    store: g.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    actors, recipient, index, cache, _ = _setup(store, 3)
    other = g.ObjectId(bytes([9]) * 32)
    content = store.put_object(g.Blob(data=b"news"))
    message = store.put_object(g.Message(content=content))
    outbox = store.put_object(g.Mailbox(entries={other: message}))
    swaps = [_move(store, actors[1], 1, outbox)]  # sends to ``other`` now
    decoded = _counting_decodes(monkeypatch, store)
    touched = index.refresh(store, cache, swaps)
    assert swaps[0][1] in decoded  # read in full: its outbox is another
    assert {other, recipient, actors[1]} <= touched
    found = index.pending_for(cache, other, {})
    assert [p.id for p in found[actors[1]]] == [message]
    assert actors[1] not in index.pending_for(cache, recipient, {})  # its entry dropped


@pytest.mark.req("RUN-003.1", "RUN-021.1")
def test_only_the_runtimes_own_actors_messages_are_read_ahead(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a server's store the read-ahead skips messages for actors the runtime does
    not run; a walk for one of them still finds its message (read when asked)."""
    store = g.Store.memory()
    object.__setattr__(store, "is_remote", True)
    actors, _, index, cache, _ = _setup(store, 2)
    mine, theirs = g.ObjectId(bytes([10]) * 32), g.ObjectId(bytes([11]) * 32)
    sent = {}
    for recipient in (mine, theirs):
        content = store.put_object(g.Blob(data=recipient.digest))
        sent[recipient] = store.put_object(g.Message(content=content))
    outbox = store.put_object(g.Mailbox(entries=sent))
    swaps = [_move(store, actors[0], 1, outbox)]
    asked: list[g.ObjectId] = []
    each = g.Store.get_objects_each

    def counted(self: g.Store, oids: Iterable[g.ObjectId]) -> Any:
        oids = list(oids)
        asked.extend(oids)
        return each(self, oids)

    monkeypatch.setattr(g.Store, "get_objects_each", counted)
    touched = index.refresh(store, cache, swaps, lambda xs: {x for x in xs if x == mine})
    assert {mine, theirs} <= touched  # both routed: the index holds every entry
    assert sent[mine] in asked and sent[theirs] not in asked
    for recipient in (mine, theirs):
        found = index.pending_for(cache, recipient, {})
        assert [p.id for p in found[actors[0]]] == [sent[recipient]]
