"""The reference's chained outbox (WIT-009.5, WIT-009.6, OBJ-019): built and read.

* hypothesis: over any sequence of steps, each setting some entries (new recipients and
  old ones, some to the value they had), the built chain's map equals a plain dict
  updated step by step (WIT-009.1), the id stays when nothing changed, every merged
  mailbox holds at most 65,536 entries, a map of at most 256 recipients is one mailbox
  without base, and the entries routing looks at (the top's) hold every change;
* both sides of each limit, on chains made by hand: a base of 256 entries merges, 257
  with a top of 128 does not and with 129 does; a union of 65,536 merges, 65,537 not;
* reading follows ``base``: the first level that has the key wins; a base naming no
  mailbox fails ``invalid-object`` and an absent one ``not-found`` (OBJ-019.2);
* through :func:`~gritwit.wit.assemble`: a step stores only the new top, routing looks
  only at its keys, an unchanged outbox keeps its id, and an inbox of 300 senders stays
  one mailbox (WIT-008.4).
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit._codec import encode_with_id
from gritwit._errors import InvalidObject, ObjectNotFound
from gritwit._ids import ObjectId
from gritwit._maps import raw_of
from gritwit._objects import Blob, GritObject, Mailbox, Message, Step
from gritwit.store import Store
from gritwit.wit import (
    MERGE_CAP,
    NO_CHAIN,
    SMALL_BASE,
    Assembled,
    OutboxChain,
    Send,
    TransitionInput,
    TransitionOutput,
    _outbox,
    assemble,
    build_outbox,
    mailbox_entries,
    mailbox_raw,
    pending,
    read_chain,
    routed,
    test_actor_core,
    top_changes,
)
from gritwit_conformance.strategies import mailboxes


class Objects:
    """A dict of objects by id: the reader the builder reads through."""

    def __init__(self) -> None:
        self.by_id: dict[ObjectId, GritObject] = {}

    def put(self, obj: GritObject) -> ObjectId:
        oid = encode_with_id(obj)[1]
        self.by_id[oid] = obj
        return oid

    def get_object(self, oid: ObjectId) -> GritObject:
        try:
            return self.by_id[oid]
        except KeyError:
            raise ObjectNotFound("STO-003", f"{oid} not found") from None

    def has(self, oid: ObjectId) -> bool:
        return oid in self.by_id


def _key(i: int) -> str:
    return hashlib.sha256(b"r%d" % i).hexdigest()


def _value(v: int) -> bytes:
    return hashlib.sha256(b"m%d" % v).digest()


def _level(keys: range | list[int], v: int = 0, base: ObjectId | None = None) -> Mailbox:
    return Mailbox(
        entries={ObjectId.from_hex(_key(i)): ObjectId(_value(v)) for i in keys}, base=base
    )


@given(mailboxes)
@pytest.mark.req("OBJ-013", "OBJ-019", "WIT-009.5")
def test_the_builder_s_mailbox_is_the_constructor_s(box: Mailbox) -> None:
    """What the builder makes through slots, with or without ``base``, is the object the
    validating constructor makes, and encodes as it does."""
    made = _outbox._mailbox(dict(sorted(raw_of(box.entries).items())), box.base)
    assert made == box and encode_with_id(made) == encode_with_id(box)


def _step(objects: Objects, last: ObjectId | None, sets: dict[str, bytes]) -> ObjectId | None:
    """One step: the new outbox's id (stored), as a runtime would keep it (WIT-009.1)."""
    built = build_outbox(read_chain(objects, last), sets)
    return last if built is None else objects.put(built)


_steps = st.lists(
    st.dictionaries(st.integers(0, 700), st.integers(0, 3), max_size=400), max_size=12
)


@given(_steps)
@pytest.mark.req("WIT-009.5", "WIT-009.1", "WIT-009.6", "OBJ-019")
def test_the_chain_s_map_is_the_plain_map_over_any_steps(steps: list[dict[int, int]]) -> None:
    """The chain's map, step after step, against a dict updated with each step's sets."""
    objects = Objects()
    model: dict[str, bytes] = {}
    outbox: ObjectId | None = None
    for sets in steps:
        raw = {_key(i): _value(v) for i, v in sets.items()}
        last_chain = read_chain(objects, outbox)
        changed = {k for k, v in raw.items() if model.get(k) != v}
        new = _step(objects, outbox, raw)
        model.update(raw)
        chain = read_chain(objects, new)
        assert dict(chain.map()) == model
        assert list(chain.map()) == sorted(model)  # canonical order (ENC-010)
        assert dict(mailbox_raw(objects, new)) == model
        if not changed:
            assert new == outbox  # WIT-009.1: nothing changed, the same outbox
            continue
        outbox = new
        top = top_changes(chain, last_chain)
        assert top is not None and changed <= top.keys()  # routing looks only at the top
        assert all(len(level) <= MERGE_CAP for level in chain.levels[:1])
        if len(model) <= SMALL_BASE:
            assert len(chain.levels) == 1  # one mailbox without base, as before chains
        for upper, lower in zip(chain.levels, chain.levels[1:], strict=False):
            # what stopped the merge down: WIT-009.5's conditions, one of them false
            union = len(lower.keys() | upper.keys())
            assert union > MERGE_CAP or (len(lower) > SMALL_BASE and 2 * len(upper) < len(lower))


def _chain_of(objects: Objects, *levels: range) -> ObjectId:
    """A chain stored bottom first: ``levels[0]`` at the bottom."""
    oid: ObjectId | None = None
    for keys in levels:
        oid = objects.put(_level(keys, base=oid))
    assert oid is not None
    return oid


def _built(objects: Objects, last: ObjectId, keys: range) -> Mailbox:
    built = build_outbox(read_chain(objects, last), {_key(i): _value(1) for i in keys})
    assert built is not None
    return built


@pytest.mark.req("WIT-009.5")
def test_a_base_of_256_entries_merges_whatever_the_top() -> None:
    objects = Objects()
    last = _chain_of(objects, range(SMALL_BASE))
    built = _built(objects, last, range(1000, 1001))
    assert built.base is None and len(built.entries) == SMALL_BASE + 1


@pytest.mark.req("WIT-009.5")
def test_a_base_of_257_merges_a_top_of_129_not_one_of_128() -> None:
    objects = Objects()
    last = _chain_of(objects, range(257))
    kept = _built(objects, last, range(1000, 1128))  # 2 * 128 < 257
    assert kept.base == last and len(kept.entries) == 128
    merged = _built(objects, last, range(1000, 1129))  # 2 * 129 >= 257
    assert merged.base is None and len(merged.entries) == 257 + 129
    even = _chain_of(objects, range(258))
    equal = _built(objects, even, range(1000, 1129))  # 2 * 129 = 258: at least half, merged
    assert equal.base is None and len(equal.entries) == 258 + 129


@pytest.mark.req("WIT-009.5")
def test_the_half_rule_counts_own_entries_and_merges_down_the_chain() -> None:
    """Over [400 | 300]: a top of 150 merges into 300 (450), which merges into 400 (850)."""
    objects = Objects()
    last = _chain_of(objects, range(400), range(400, 700))
    built = _built(objects, last, range(1000, 1150))
    assert built.base is None and len(built.entries) == 850
    stays = _built(objects, last, range(1000, 1149))  # 2 * 149 < 300: not even one level
    assert stays.base == last and len(stays.entries) == 149


@pytest.mark.heavy
@pytest.mark.req("WIT-009.6", "WIT-009.5")
def test_a_union_of_65_536_merges_one_of_65_537_does_not() -> None:
    """Base 40,000 entries; tops of 25,536 and 25,537 fresh keys (2·top ≥ base both)."""
    objects = Objects()
    last = _chain_of(objects, range(40_000))
    merged = _built(objects, last, range(100_000, 125_536))
    assert merged.base is None and len(merged.entries) == MERGE_CAP
    kept = _built(objects, last, range(100_000, 125_537))
    assert kept.base == last and len(kept.entries) == 25_537
    # the union counts keys, not entries: a top overlapping the base by one key merges
    overlap = _built(objects, last, range(39_999, 65_536))
    assert overlap.base is None and len(overlap.entries) == MERGE_CAP


@pytest.mark.req("WIT-009.5", "WIT-009.1")
def test_an_entry_set_to_its_value_is_no_change_and_keeps_the_id() -> None:
    objects = Objects()
    last = _chain_of(objects, range(300), range(300, 310))
    assert build_outbox(read_chain(objects, last), {_key(5): _value(0)}) is None
    assert build_outbox(NO_CHAIN, {}) is None
    first = build_outbox(NO_CHAIN, {_key(i): _value(0) for i in range(1000)})
    assert first is not None and first.base is None  # no last outbox: no base, any size


@pytest.mark.req("OBJ-019.1", "OBJ-019.2", "WIT-005")
def test_reading_follows_base_and_names_what_is_wrong() -> None:
    objects = Objects()
    bottom = objects.put(_level(range(3), v=0))
    top = objects.put(_level([1], v=7, base=bottom))
    chain = read_chain(objects, top)
    assert chain == OutboxChain((top, bottom), chain.levels)
    assert chain.get(_key(1)) == _value(7) and chain.get(_key(2)) == _value(0)
    assert chain.get(_key(9)) is None
    blob = objects.put(Blob(data=b"x"))
    with pytest.raises(InvalidObject, match=r"OBJ-019\.2"):
        read_chain(objects, objects.put(_level([1], base=blob)))
    missing = ObjectId(b"\x07" * 32)
    with pytest.raises(ObjectNotFound, match=r"OBJ-019\.2"):  # the rule, not the store's
        read_chain(objects, objects.put(_level([1], base=missing)))


def _messages(objects: Objects, keys: list[int]) -> Mailbox:
    """A level whose entries name stored messages (``pending`` reads them)."""
    content = objects.put(Blob(data=b"x"))
    return Mailbox(
        entries={
            ObjectId.from_hex(_key(i)): objects.put(Message(content=content, headers={"n": str(i)}))
            for i in keys
        }
    )


@pytest.mark.req("WIT-009.5", "WIT-010.1", "WIT-010.2", "OBJ-019.1")
def test_top_changes_only_where_the_chain_stands_on_the_last() -> None:
    """``top_changes`` gives the top's entries only when the chain's levels below its top
    are a tail of the last chain's; else ``None``, and ``routed`` then compares the two
    maps.  Chains: a bottom level B of two, X and Y each a level of one over B, T a
    level of one over X.  T does not stand on Y (they share B, not X): routing after a
    step from Y to T finds X's key and T's, never Y's nor B's."""
    objects = Objects()
    bottom = objects.put(_messages(objects, [0, 1]))
    x, y = (objects.put(_level_over(objects, [k], bottom)) for k in (2, 3))
    t = objects.put(_level_over(objects, [4], x))
    chain, on_y = read_chain(objects, t), read_chain(objects, y)
    assert top_changes(chain, chain) == {}
    assert top_changes(chain, read_chain(objects, x)) == {_key(4): chain.levels[0][_key(4)]}
    assert top_changes(read_chain(objects, x), read_chain(objects, bottom)) is not None
    assert top_changes(read_chain(objects, bottom), NO_CHAIN) == read_chain(objects, bottom).map()
    assert top_changes(chain, on_y) is None  # below T: (X, B); Y's tail: (B,) and (Y, B)
    assert top_changes(chain, read_chain(objects, bottom)) is None  # deeper than the last
    assert top_changes(NO_CHAIN, on_y) is None
    actor, core = ObjectId(b"\x0c" * 32), ObjectId(b"\x0d" * 32)
    last, step = (Step(actor=actor, core=core, outbox=box) for box in (y, t))
    assert sorted(routed(objects, step, last, {})) == sorted(
        ObjectId.from_hex(_key(k)) for k in (2, 4)
    )


def _level_over(objects: Objects, keys: list[int], base: ObjectId) -> Mailbox:
    return Mailbox(entries=_messages(objects, keys).entries, base=base)


# --- through assemble: a transition's step ------------------------------------------------


def _transition(
    store: Store,
    actor: ObjectId,
    last: Step | None,
    sends: tuple[Send, ...] = (),
    senders: dict[ObjectId, ObjectId] | None = None,
) -> Assembled:
    """One transition of an ``echo`` core reading one message from each of ``senders``
    (sender -> message id) and making ``sends``; its objects stored."""
    core, objects = test_actor_core("echo")
    for obj in objects:
        store.put_object(obj)
    waiting = {s: tuple(pending(store, m, None)) for s, m in (senders or {}).items()}
    inp = TransitionInput(actor=actor, last_step=last, core=core, pending=waiting, objects=store)
    out = TransitionOutput(core=core, sends=sends, read={s: 1 for s in waiting})
    built = assemble(inp, out, store)
    for obj in built.objects:
        store.put_object(obj)
    return built


def _ids(count: int, tag: bytes) -> list[ObjectId]:
    return [ObjectId(hashlib.sha256(tag + b"%d" % i).digest()) for i in range(count)]


@pytest.mark.req("WIT-009.5", "WIT-009.1", "WIT-010.1", "WIT-008.4")
def test_a_step_stores_the_top_routes_only_its_keys_and_keeps_an_unchanged_id() -> None:
    """300 recipients, then one more: the second step's outbox is a top of one over the
    first's (WIT-009.5), routing after it finds that one recipient only (WIT-010.1); a
    step sending nothing keeps the outbox's id (WIT-009.1).  Its inbox, read from 300
    senders, then 1, is one mailbox without base each time (WIT-008.4)."""
    store = Store.memory()
    blob = store.put_object(Blob(data=b"x"))
    actor = ObjectId(b"\x0a" * 32)
    many = _ids(300, b"to")
    reading = _ids(300, b"from")
    senders = {s: store.put_object(Message(content=blob)) for s in reading}
    first = _transition(
        store, actor, None, tuple(Send(recipient=r, content=blob) for r in many), senders
    )
    assert first.outbox is not None and first.outbox.base is None  # no last outbox
    new = ObjectId(b"\x0b" * 32)
    one = {reading[0]: store.put_object(Message(content=blob, headers={"mt": "y"}))}
    second = _transition(store, actor, first.step, (Send(recipient=new, content=blob),), one)
    assert second.outbox is not None and second.outbox.base == first.step.outbox
    assert list(second.outbox.entries) == [new]
    assert list(routed(store, second.step, first.step, {})) == [new]
    assert set(mailbox_entries(store, second.step.outbox)) == {*many, new}
    for built in (first, second):  # WIT-008.4: never a chain, past 256 senders too
        inbox = store.get_object(built.step.inbox)  # type: ignore[arg-type]
        assert isinstance(inbox, Mailbox) and inbox.base is None and len(inbox.entries) == 300
    third = _transition(store, actor, second.step)
    assert third.step.outbox == second.step.outbox and third.outbox is None
