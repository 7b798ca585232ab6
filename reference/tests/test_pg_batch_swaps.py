"""A PostgreSQL store's batch: each swap answers as a single one, the swaps made are
journaled, its bound is the store's, and a guarded batch is made while the count of
erasures stands (REF-003.1, REF-004.2, REF-004.3, DUR-005.4, DUR-008.1, DUR-008.2,
RUN-011.3, RUN-017.2, RUN-020.7).

A batch is the runtime's group commit when its one-statement write lost (RUN-017.2):
another writer moved a ref, so only writers racing reach it, and the tests here drive
:meth:`PostgresBackend.batch <gritwit.store.PostgresBackend.batch>` directly.  Its
compare-and-swaps are statements of their own, inside the batch's transaction, one
path each for a ref set, moved, deleted and left unset; the swaps made (and only
those) are journaled when the block ends, so another process catching up from the
journal sees exactly them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

import gritwit as g
from gritwit._error_types import WriteTooLarge
from gritwit.store import CasStatus, ErasedSince, Store
from gritwit.store._postgres import PostgresBackend


@pytest.fixture
def backend(pg_url: str) -> Iterator[PostgresBackend]:
    """A new PostgreSQL store of this test's own, as its backend."""
    opened = PostgresBackend(pg_url)
    try:
        yield opened
    finally:
        opened.close()


def _stored(backend: PostgresBackend, text: bytes) -> g.ObjectId:
    blob = g.Blob(data=text)
    oid = g.object_id(blob)
    backend.insert_many([(oid, g.encode_object(blob))])
    return oid


@pytest.mark.req("REF-003.1", "REF-004.2", "REF-004.3", "RUN-017.2", "DUR-005.4")
def test_a_batchs_swaps_answer_as_single_ones_and_only_those_made_are_journaled(
    backend: PostgresBackend,
) -> None:
    """In one batch: a ref set from absent, one moved, one deleted, one left unset (each
    swapped, REF-004.2); a conflict on a set ref and on an absent one, and a swap after
    the batch's own earlier swap of that ref, each reporting the value the ref holds
    (REF-004.3); a target the store does not hold (REF-003.1).  After it the refs are
    as the swaps made them, and the journal read from before the batch lists the four
    swaps made, each with its new target, and nothing else."""
    a = _stored(backend, b"target a")
    b = _stored(backend, b"target b")
    absent = g.object_id(g.Blob(data=b"never stored"))
    for name in ("names/moved", "names/deleted", "names/kept"):
        assert backend.cas_ref(name, None, a).status is CasStatus.SWAPPED
    version, _ = backend.refs_changed_since(None)

    with backend.batch() as batch:
        answers = [
            batch.cas_ref("names/set", None, a),
            batch.cas_ref("names/moved", a, b),
            batch.cas_ref("names/deleted", a, None),
            batch.cas_ref("names/unset", None, None),
            batch.cas_ref("names/kept", b, a),
            batch.cas_ref("names/nothing", a, b),
            batch.cas_ref("names/missing", None, absent),
            batch.cas_ref("names/moved", a, a),
        ]
    got = [(answer.status, answer.current) for answer in answers]
    assert got == [
        (CasStatus.SWAPPED, a),
        (CasStatus.SWAPPED, b),
        (CasStatus.SWAPPED, None),
        (CasStatus.SWAPPED, None),
        (CasStatus.CONFLICT, a),
        (CasStatus.CONFLICT, None),
        (CasStatus.MISSING_TARGET, None),
        (CasStatus.CONFLICT, b),
    ], "each swap of the batch answers as REF-003.1/REF-004.2/REF-004.3 say"
    names = ("set", "moved", "deleted", "unset", "kept", "nothing", "missing")
    refs = {f"names/{name}": backend.get_ref(f"names/{name}") for name in names}
    assert refs == {
        "names/set": a,
        "names/moved": b,
        "names/deleted": None,
        "names/unset": None,
        "names/kept": a,
        "names/nothing": None,
        "names/missing": None,
    }, "the refs after the batch are as its swaps made them"
    _, swaps = backend.refs_changed_since(version)
    assert swaps is not None, "a version read just before the batch is within the journal"
    assert sorted(swaps, key=lambda swap: swap[0]) == [
        ("names/deleted", None),
        ("names/moved", b),
        ("names/set", a),
        ("names/unset", None),
    ], "the journal lists each swap the batch made, with its new target, and no other"


@pytest.mark.req("DUR-008.1", "DUR-008.2")
def test_a_batch_holds_objects_up_to_the_stores_bound_exactly(backend: PostgresBackend) -> None:
    """With a bound of 64 object bytes, a batch whose objects sum to exactly 64 bytes in
    two inserts is stored (DUR-008.2); one more byte in a batch fails as
    ``write-too-large`` and nothing of it is kept (DUR-008.1)."""
    pieces = [g.encode_object(g.Blob(data=bytes([n]) * 30)) for n in range(3)]
    size = len(pieces[0])
    backend.options = dataclasses.replace(backend.options, max_write_bytes=2 * size)
    first, second, third = (g.object_id(g.decode_object(piece)) for piece in pieces)

    with backend.batch() as batch:
        batch.insert_many([(first, pieces[0])])
        batch.insert_many([(second, pieces[1])])
    assert backend.contains(first) and backend.contains(second)

    tail = g.encode_object(g.Blob(data=b"x"))
    with pytest.raises(WriteTooLarge, match=r"DUR-008\.1"), backend.batch() as batch:
        batch.insert_many([(third, pieces[2])])
        batch.insert_many([(g.object_id(g.decode_object(tail)), tail)])
        batch.insert_many([(first, pieces[0])])
    assert not backend.contains(third), "nothing of the batch past the bound is kept"


@pytest.mark.req("RUN-011.3", "RUN-020.7")
def test_a_batch_guarded_by_the_erasure_count_it_read_is_made(
    two: tuple[Store, Store],
) -> None:
    """A batch guarded by the count of erasures as it stands is made; a batch whose
    writer asked for a journal read but no guard (count ``None``) is made, after an
    erasure elsewhere too (RUN-011.3 refuses only a write whose count moved)."""
    store, other = two
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    target = store.put_object(g.Blob(data=b"guarded target"))
    version, _ = store.refs_changed_since(None)
    count = store.erasures()
    assert count is not None

    backend.follow(version, count)
    with backend.batch() as batch:
        made = batch.cas_ref("names/guarded", None, target)
    assert made.status is CasStatus.SWAPPED
    assert store.get_ref("names/guarded") == target

    victim = other.put_object(g.Blob(data=b"erased elsewhere"))
    other.backend.erase(victim, "withdrawn")
    backend.follow(version, None)
    with backend.batch() as batch:
        made = batch.cas_ref("names/unguarded", None, target)
    assert made.status is CasStatus.SWAPPED
    assert store.get_ref("names/unguarded") == target

    backend.follow(version, count)  # the count moved since: refused, nothing kept
    with pytest.raises(ErasedSince, match=r"RUN-011\.3"), backend.batch() as batch:
        batch.cas_ref("names/stale", None, target)
    assert store.get_ref("names/stale") is None
