"""Property tests over generated objects (ENC-014, ID-004, OBJ-017)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance.strategies import objects


@pytest.mark.req("ENC-014.1", "ENC-014.2", "ID-001", "ID-004", "OBJ-018.1", "OBJ-018.4")
@given(objects)
def test_decode_inverts_encode(obj: g.GritObject) -> None:
    data, oid = g.encode_with_id(obj)
    assert g.decode_object(data) == obj
    assert g.decode_object_plain(data) == obj
    assert g.encode_object(g.decode_object(data)) == data
    assert g.compute_id(data) == oid
    assert g.object_from_json(g.object_to_json(obj)) == obj


@pytest.mark.req("ENC-014.2", "ID-004")
@given(objects, objects)
def test_different_values_never_share_an_encoding(a: g.GritObject, b: g.GritObject) -> None:
    assume(a != b)
    assert g.encode_object(a) != g.encode_object(b)
    assert g.object_id(a) != g.object_id(b)


@pytest.mark.req("ENC-014.1", "ID-004", "OBJ-007.1")
@given(st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=5), st.data())
def test_equal_values_share_an_encoding(headers: dict[str, str], data: st.DataObject) -> None:
    """Insertion order and header/entry permutations never change bytes or ids."""
    shuffled = dict(data.draw(st.permutations(list(headers.items()))))
    a, b = g.Blob(data=b"", headers=headers), g.Blob(data=b"", headers=shuffled)
    assert a == b and g.encode_object(a) == g.encode_object(b)


def _mutation_outcome(original: g.GritObject, oid: g.ObjectId, mutated: bytes) -> None:
    try:
        other = g.decode_object(mutated)
    except g.InputError:
        return
    assert other != original
    assert g.compute_id(mutated) != oid
    assert g.encode_object(other) == mutated


@pytest.mark.req("ENC-014.3", "ID-004", "ENC-016")
@given(objects, st.data())
def test_single_byte_mutations_are_rejected_or_change_the_object(
    obj: g.GritObject, data: st.DataObject
) -> None:
    encoded, oid = g.encode_with_id(obj)
    position = data.draw(st.integers(0, len(encoded) - 1))
    replacement = data.draw(st.integers(0, 255).filter(lambda b: b != encoded[position]))
    mutated = encoded[:position] + bytes([replacement]) + encoded[position + 1 :]
    _mutation_outcome(obj, oid, mutated)


@pytest.mark.req("ENC-014.3", "ID-004")
def test_every_single_byte_mutation_of_a_full_step() -> None:
    """Exhaustive: every position × every other byte value of one step."""
    ids = [g.ObjectId(bytes([i]) * 32) for i in range(5)]
    step = g.Step(actor=ids[0], core=ids[1], previous=ids[2], inbox=ids[3], outbox=ids[4])
    encoded, oid = g.encode_with_id(step)
    accepted = 0
    for position in range(len(encoded)):
        for replacement in range(256):
            if replacement == encoded[position]:
                continue
            mutated = encoded[:position] + bytes([replacement]) + encoded[position + 1 :]
            try:
                g.decode_object(mutated)
                accepted += 1
            except g.InputError:
                pass
            _mutation_outcome(step, oid, mutated)
    assert accepted > 0  # id bytes can change freely: the test does exercise acceptance


@pytest.mark.req("ENC-016", "OBJ-016.1", "OBJ-016.2", "CONV-004")
@given(objects, st.data())
def test_fast_and_plain_decoders_agree(obj: g.GritObject, data: st.DataObject) -> None:
    """The cbor2-based path and the spec-ordered path give the same object or the same error."""
    encoded = g.encode_object(obj)
    edits = data.draw(
        st.lists(st.tuples(st.integers(0, len(encoded)), st.binary(max_size=3)), max_size=3)
    )
    mutated = bytearray(encoded)
    for position, chunk in edits:
        mutated[position : position + data.draw(st.integers(0, 2))] = chunk
    outcomes = []
    for decode in (g.decode_object, g.decode_object_plain):
        try:
            outcomes.append(("ok", decode(bytes(mutated))))
        except g.InputError as exc:
            outcomes.append((exc.error_class, exc.requirement))
    assert outcomes[0] == outcomes[1]


def _fast_outcome(data: bytes) -> g.GritObject | None:
    """What the step template, else the cbor2 fast path, makes of ``data``."""
    from gritwit._codec import _decode_fast, _decode_step

    step = _decode_step(data)
    if step is not None:
        return step
    try:
        return _decode_fast(data)
    except Exception:  # the fast path declines by raising as well as by None
        return None


@pytest.mark.req("ENC-014.2", "ENC-014.3", "OBJ-016.1", "OBJ-016.2")
@given(objects, st.data())
def test_the_fast_path_accepts_only_what_the_plain_path_accepts(
    obj: g.GritObject, data: st.DataObject
) -> None:
    """The fast path takes every canonical object, and of edited bytes only those the
    plain path accepts, as the same object; the rest it leaves to the plain path."""
    encoded = g.encode_object(obj)
    assert _fast_outcome(encoded) == obj
    edits = data.draw(
        st.lists(st.tuples(st.integers(0, len(encoded)), st.binary(max_size=3)), max_size=3)
    )
    mutated = bytearray(encoded)
    for position, chunk in edits:
        mutated[position : position + data.draw(st.integers(0, 2))] = chunk
    fast = _fast_outcome(bytes(mutated))
    if fast is not None:
        assert g.decode_object_plain(bytes(mutated)) == fast
        assert g.encode_object(fast) == bytes(mutated)
