"""The hot path's shortcuts against the validating constructors they stand in for.

Objects this process builds from parts already valid are not validated again:
the encoder takes each map in the canonical order its constructor kept
(ENC-010), :func:`tree_with` and :func:`mailbox_with` build a tree or mailbox from
valid entries, and an id compares and hashes by its digest.  Each must give the
very object, bytes and errors of the plain constructors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit._cbor import encode_value
from gritwit._codec import _to_value, encode_map_with_id
from gritwit._errors import GritError
from gritwit._maps import raw_of
from gritwit._objects import mailbox_with, make_headers, plain_blob, tree_with
from gritwit.runtime import _index
from gritwit.store import Store
from gritwit.wit import Executor, PendingMessage, _assemble, assemble, test_actor_core
from gritwit.wit._executor import _RESERVED, RunReport, _prefixes, run_report
from gritwit.wit._model import Overlay, pending_message, transition_input
from gritwit.wit._outside import build_outside_send, outside_ref
from gritwit.wit._pending import mailbox_entries, mailbox_raw
from gritwit_conformance.strategies import (
    mailboxes,
    messages,
    names,
    object_ids,
    objects,
    plain_mailboxes,
    steps,
    trees,
)


@pytest.mark.req("ENC-010", "ENC-014.1", "ID-001")
@given(objects)
def test_encoding_is_the_sorted_encoding(obj: g.GritObject) -> None:
    """Maps are encoded as built, in order: exactly what a sorting encoder gives."""
    assert g.encode_object(obj) == encode_value(_to_value(obj))


@pytest.mark.req("ID-001", "ID-002.1")
@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_ids_compare_and_hash_by_digest(a: bytes, b: bytes) -> None:
    x, y = g.ObjectId(a), g.ObjectId(b)
    assert (x == y) is (a == b) and (x != y) is (a != b)
    assert (x < y) is (a < b) and (x <= y) is (a <= b) and (x > y) is (a > b)
    assert hash(x) == hash(g.ObjectId(a)) and {x: 1}.get(g.ObjectId(a)) == 1
    assert x != a and a != x and (x == object()) is False


@pytest.mark.req("OBJ-006", "OBJ-009", "OBJ-013")
@given(objects, st.data())
def test_get_is_the_mapping_get(obj: g.GritObject, data: st.DataObject) -> None:
    for mapping in (getattr(obj, "entries", None), getattr(obj, "headers", None)):
        if mapping is None:
            continue
        keys = [*mapping, data.draw(object_ids), data.draw(names)]
        for key in keys:
            assert _got(mapping.get, key) == _got(Mapping.get, mapping, key)
            assert _got(mapping.get, key, "x") == _got(Mapping.get, mapping, key, "x")


def _got(get: Callable[..., object], *args: object) -> tuple[str, object]:
    """What ``get(*args)`` returns, or the type of what it raises."""
    try:
        return "value", get(*args)
    except Exception as error:  # a mailbox key that is no id: TypeError, either way
        return "raised", type(error)


@pytest.mark.req("OBJ-013", "OBJ-014")
def test_get_of_a_mailbox_takes_only_ids() -> None:
    box = g.Mailbox(entries={g.ObjectId(bytes(32)): g.ObjectId(bytes(32))})
    with pytest.raises(TypeError):
        box.entries.get(bytes(32).hex())  # type: ignore[call-overload]
    with pytest.raises(TypeError):
        Mapping.get(box.entries, bytes(32).hex())


def _outcome(build: object) -> tuple[str, object]:
    try:
        obj = build() if callable(build) else build
    except GritError as error:
        return "error", (type(error), error.requirement, str(error))
    return "object", (obj, None if obj is None else g.encode_with_id(obj))


@pytest.mark.req("OBJ-005", "OBJ-009", "OBJ-011.1", "OBJ-011.2", "OBJ-011.3", "ENC-010")
@given(
    trees,
    st.dictionaries(
        st.one_of(names, st.sampled_from(["", ".", "..", "a/b", "wit"])),
        st.one_of(object_ids, object_ids, st.binary(min_size=32, max_size=32)),
        max_size=3,
    ),
    st.booleans(),
)
def test_tree_with_is_the_tree_of_the_entries(
    tree: g.Tree, changes: dict[str, g.ObjectId], replace: bool
) -> None:
    if replace and tree.entries:  # set entries the tree has: the trusted case
        changes = {name: oid for name, oid in zip(tree.entries, changes.values(), strict=False)}
    expected = _outcome(lambda: g.Tree(entries={**tree.entries, **changes}))
    assert _outcome(lambda: tree_with(tree, changes)) == expected


@pytest.mark.req("OBJ-013", "OBJ-014", "ENC-010")
@given(
    st.one_of(st.none(), mailboxes),
    st.dictionaries(object_ids, object_ids, max_size=4),
    st.booleans(),
)
def test_mailbox_with_is_the_mailbox_of_the_entries(
    box: g.Mailbox | None, changes: dict[g.ObjectId, g.ObjectId], replace: bool
) -> None:
    old: Mapping[g.ObjectId, g.ObjectId] = {} if box is None else box.entries
    if replace and old:  # change only entries the mailbox has: no sort needed
        changes = {actor: oid for actor, oid in zip(old, changes.values(), strict=False)}
    merged = {**old, **changes}
    expected = g.Mailbox(entries=merged) if merged else None
    raw_changes = {actor.hex(): oid.digest for actor, oid in changes.items()}
    built = mailbox_with({} if box is None else raw_of(box.entries), raw_changes)
    assert _outcome(built) == _outcome(expected)
    if built is not None:
        assert list(built.entries) == sorted(built.entries)  # canonical: plain id order


@pytest.mark.req("WIT-008.1", "WIT-009.1", "OBJ-014")
@given(plain_mailboxes)  # one mailbox: its map is its entries (a chain's: test_outbox_chain.py)
def test_mailbox_raw_and_entries_are_the_mailbox_s(box: g.Mailbox) -> None:
    store = Store.memory()
    oid = store.put_object(box)
    assert mailbox_raw(store, oid) == raw_of(box.entries)
    assert mailbox_entries(store, oid) == dict(box.entries)
    assert mailbox_raw(store, None) == {} == mailbox_entries(store, None)


@pytest.mark.req("WIT-007.2", "WIT-012.5", "RUN-011.3")
def test_an_unchanged_core_s_erased_wit_still_fails_the_transition() -> None:
    """An unchanged core is not walked again, but its ``wit`` blob is read again: a
    read-over of a duplicate genesis fails ``erased`` once that blob is erased."""
    from gritwit.runtime import erase_blob

    store = Store.memory()
    executor = Executor(store)
    core, objects = test_actor_core("counter")
    actor = executor.genesis(core, objects)
    assert executor.run_until_quiescent().steps
    erase_blob(store, core.entries["wit"], "test")
    executor.inject(actor, actor, {"mt": "genesis"})  # read over, core unchanged (WIT-012.5)
    report = executor.run_until_quiescent()
    assert not report.steps
    assert [f.error_class for f in report.failures] == ["erased"]


@pytest.mark.req("OBJ-012", "OBJ-015", "OBJ-013", "ENC-010", "ID-001")
@given(messages, steps, plain_mailboxes)  # _mailbox_map: one mailbox; a chain's top (base)
# is built by wit._outbox._mailbox, held to the constructor in test_outbox_chain.py
def test_assemble_s_objects_are_the_constructors_and_encode_with_id_s(
    message: g.Message, step: g.Step, box: g.Mailbox
) -> None:
    """What :func:`assemble` makes through slots, with its map beside it, is the object the
    validating constructor makes, and its map encodes to ``encode_with_id``'s pair."""
    made, value = _assemble._message(message.content, message.previous, message.headers)
    assert _outcome(made) == _outcome(
        g.Message(content=message.content, previous=message.previous, headers=message.headers)
    )
    assert encode_map_with_id(value) == g.encode_with_id(message)
    fields = (step.actor, step.core, step.previous, step.inbox, step.outbox)
    made_step, value = _assemble._step(*fields)
    assert _outcome(made_step) == _outcome(step)
    assert encode_map_with_id(value) == g.encode_with_id(step)
    assert encode_map_with_id(_assemble._mailbox_map(box)) == g.encode_with_id(box)


@pytest.mark.req("WIT-003", "WIT-005")
@given(object_ids, messages)
def test_a_pending_message_s_type_is_its_mt_header(oid: g.ObjectId, message: g.Message) -> None:
    """The ``mt`` kept with a pending message, made either way, is the message's header."""
    for item in (PendingMessage(oid, message), pending_message(oid, message)):
        assert item.mt == message.headers.get("mt")
        assert item == PendingMessage(oid, message) and repr(item) == repr(
            PendingMessage(oid, message)
        )


@pytest.mark.req("RUN-001.4", "WIT-010.1", "OBJ-014")
@given(st.one_of(st.none(), mailboxes), object_ids, st.data())
def test_the_index_s_raw_look_up_is_the_mailbox_s_get(
    box: g.Mailbox | None, other: g.ObjectId, data: st.DataObject
) -> None:
    """The routing index looks an actor up in a mailbox's raw map: as ``entries.get``."""
    entries: Mapping[g.ObjectId, g.ObjectId] = {} if box is None else box.entries
    for actor in (*entries, other):
        assert _index._get(entries, actor) == entries.get(actor)
        assert _index._get(dict(entries), actor) == entries.get(actor)


@pytest.mark.req("WIT-007.1", "WIT-008.1", "WIT-009.1", "ID-001")
@given(st.lists(st.sampled_from(["ping", "echo", "inc", "get", "genesis"]), min_size=1, max_size=6))
def test_assembled_steps_carry_their_own_mailboxes_and_encodings(kinds: list[str]) -> None:
    """Each object :func:`assemble` returns encodes to the pair beside it, and the
    mailboxes it hands the runtime are the step's inbox and outbox."""
    store = Store.memory()
    executor = Executor(store)
    echo_core, echo_objects = test_actor_core("echo")
    counter_core, counter_objects = test_actor_core("counter")
    echo = executor.genesis(echo_core, echo_objects)
    counter = executor.genesis(counter_core, counter_objects)
    executor.run_until_quiescent()
    one = store.put_object(g.Blob(data=b"1"))
    for kind in kinds:
        target = echo if kind in ("ping", "echo") else counter
        executor.inject(target, one, {"mt": kind})  # a genesis is read over (WIT-012.5)
        for actor in (echo, counter):
            last_id = executor.head(actor)
            last = executor.head_step(actor)
            found = executor.pending_for(actor)
            if not found:
                continue
            built = executor.build(actor, last, found, last_id=last_id)
            assert built is not None
            assert built.encodings == tuple(map(g.encode_with_id, built.objects))
            assert built.encodings[-1] == g.encode_with_id(built.step)
            for box, oid in ((built.inbox, built.step.inbox), (built.outbox, built.step.outbox)):
                assert (None if box is None else g.object_id(box)) == oid
            if last is not None and all(i[0].mt not in _RESERVED for i in found.values()):
                # the Wit's transition: with its wit blob read, as without (wit_read)
                visible = _prefixes(found, _RESERVED)
                inp = transition_input(actor, last, executor.core(actor), visible, Overlay(store))
                out = executor._wit(inp.core)(inp)
                plain = _result(functools.partial(assemble, inp, out, store))
                assert _result(functools.partial(assemble, inp, out, store, wit_read=True)) == plain
            executor.run_until_quiescent()


def _result(call: Callable[[], object]) -> tuple[str, object]:
    """What ``call()`` returns, or the class, requirement and text of the error it raises."""
    try:
        return "value", call()
    except GritError as error:
        return "error", (type(error), error.requirement, str(error))


@pytest.mark.req("OBJ-006", "OBJ-017.1", "ENC-010")
@given(st.dictionaries(st.text(), st.text(), max_size=4))
def test_headers_made_again_are_the_headers_made_first(raw: dict[str, str]) -> None:
    """:func:`make_headers` remembers the headers it made from text-to-text items: made
    again from equal items they are equal, and invalid items fail as the first time."""
    first, again = (_result(functools.partial(make_headers, dict(raw))) for _ in range(2))
    assert first == again
    plain = _result(lambda: g.Message(content=g.object_id(g.Blob(data=b"")), headers=raw))
    assert first[0] == plain[0]
    if first[0] == "value":
        assert isinstance(plain[1], g.Message)
        assert raw_of(first[1]) == raw_of(plain[1].headers)  # type: ignore[arg-type]


class _Text(str):
    """A ``str`` subclass: equal and hashing as its text, and no header name (OBJ-006)."""


@pytest.mark.req("OBJ-006")
def test_remembered_headers_are_not_given_for_a_str_subclass() -> None:
    """Items equal to remembered ones but not of type ``str`` still fail (OBJ-006)."""
    assert raw_of(make_headers({"mt": "inc"})) == {"mt": "inc"}
    with pytest.raises(GritError):
        make_headers({_Text("mt"): "inc"})
    with pytest.raises(GritError):
        make_headers({"mt": _Text("inc")})


@pytest.mark.req("RUN-006")
@given(st.lists(st.tuples(object_ids, object_ids), max_size=3), st.booleans())
def test_a_run_report_made_through_its_slots_is_the_constructor_s(
    steps: list[tuple[g.ObjectId, g.ObjectId]], quiescent: bool
) -> None:
    """:func:`run_report` makes the very :class:`RunReport` its constructor makes."""
    made = run_report(tuple(steps), (), quiescent)
    assert made == RunReport(tuple(steps), (), quiescent)
    assert repr(made) == repr(RunReport(tuple(steps), (), quiescent))


@pytest.mark.req("WIT-003", "WIT-004", "OBJ-005", "OBJ-012", "ID-001", "RUN-003.4")
@given(st.lists(st.tuples(object_ids, st.sampled_from([None, {}, {"mt": "inc"}]), st.booleans()),
                min_size=1, max_size=4))  # fmt: skip
def test_an_outside_send_s_objects_encode_as_their_constructors(
    sends: list[tuple[g.ObjectId, dict[str, str] | None, bool]],
) -> None:
    """The messages and mailboxes an outside send builds from their parts are the objects,
    bytes and ids the validating constructors and :func:`encode_with_id` give (one mailbox
    per digit of the recipients, RUN-003.4)."""
    store = Store.memory()
    content = store.put_object(g.Blob(data=b"1"))
    built = build_outside_send(store, {}, [(r, content, h, s) for r, h, s in sends], [])
    assert set(built.boxes) == {outside_ref(r) for r, _, _ in sends}
    made: dict[g.ObjectId, g.GritObject] = dict(built.entries.messages)
    for box, mailbox in built.boxes.values():
        made[box] = mailbox  # two equal sends: one id
    assert {oid for _, oid in built.encodings} == set(made)
    for _, mailbox in built.boxes.values():  # its entries through the validating constructor
        assert mailbox == g.Mailbox(entries=dict(mailbox.entries))
    for encoding in built.encodings:
        assert encoding == g.encode_with_id(made[encoding[1]])
    for message in built.entries.messages.values():
        assert message == g.Message(
            content=message.content, previous=message.previous, headers=message.headers
        )
    given = g.Blob(data=b"2")
    as_tuple = tuple(g.object_id(given))  # equal to the id of an object given, not an id
    with pytest.raises(g.InvalidId):
        build_outside_send(store, {}, [(sends[0][0], as_tuple, None, False)], [given])  # type: ignore[list-item]
    recipient = sends[0][0].digest  # an id's bytes, but no ObjectId: no mailbox key
    with pytest.raises(g.InvalidId, match="OBJ-014"):
        build_outside_send(store, {}, [(recipient, content, None, False)], [])  # type: ignore[list-item]


@pytest.mark.req("OBJ-008", "OBJ-007.1", "ID-001")
@given(st.one_of(st.binary(max_size=40), st.text(max_size=4)))
def test_a_plain_blob_is_the_constructor_s(data: bytes) -> None:
    """:func:`plain_blob` gives the blob, id and error of ``Blob(data=data)``."""
    made, plain = _result(lambda: plain_blob(data)), _result(lambda: g.Blob(data=data))
    assert made == plain
    if made[0] == "value":
        assert g.encode_with_id(made[1]) == g.encode_with_id(plain[1])  # type: ignore[arg-type]
