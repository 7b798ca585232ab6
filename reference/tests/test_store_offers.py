"""What a store takes from its backend's offers, on the memory and SQLite stores
(DUR-005.4, RUN-022.1, RUN-020.6, REF-002.2, REF-007.2).

No adapter command reaches these paths apart from a transition's round trips and hints,
so the reference checks them here, through the Python API:

* neither local store is a server's (``remote()`` false: reads are not batched for
  round trips, DUR-005.4), and both tell which objects a write added (RUN-022.1);
* ``get_refs`` answers ``None`` where the backend reads no refs together, and reads
  nothing (REF-007.2 checks the names only where it reads);
* ``wait_for_swaps`` on a store no writer wakes sleeps its timeout and answers
  ``False`` (a poll, RUN-020.6);
* a write of objects and a ``heads/`` swap whose step is another actor's stores the
  objects, reports the fresh ones, and refuses the swap ``invalid-ref-target``
  (REF-002.2), as the two calls in turn do;
* a core walk's read-ahead (SBX-006.15, SBX-006.16) at the edges of its plan, which
  decides only what is read together: the object that brings the bytes to exactly the
  budget is not the last, and one of exactly ``SMALL`` bytes comes with the plan.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

import gritwit as g
from gritwit._errors import InvalidRefTarget
from gritwit.store import Store, _paging, head_ref


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    opened = Store.memory() if request.param == "memory" else Store.open(tmp_path / "s")
    with opened:
        yield opened


@pytest.mark.req("DUR-005.4", "RUN-022.1")
def test_a_local_store_is_no_servers_and_tells_what_a_write_added(store: Store) -> None:
    assert store.remote() is False and store.is_remote is False
    assert store.reports_fresh() is True and store.tells_fresh is True


@pytest.mark.req("REF-007.2", "DUR-005.4")
def test_get_refs_answers_none_where_the_backend_reads_no_refs_together(store: Store) -> None:
    assert not hasattr(store.backend, "get_refs")
    assert store.get_refs(["names/fine", "heads/not-an-id"]) is None


@pytest.mark.req("RUN-020.6")
def test_waiting_for_swaps_on_a_store_no_writer_wakes_sleeps_and_answers_false(
    store: Store,
) -> None:
    started = time.monotonic()
    assert store.wait_for_swaps(0.3) is False
    assert time.monotonic() - started >= 0.3


@pytest.mark.req("REF-002.2", "REF-007.1", "RUN-022.1")
def test_a_head_swap_to_another_actors_step_keeps_the_objects_and_reports_them_fresh(
    store: Store,
) -> None:
    alice, bob = (g.object_id(g.Blob(data=name)) for name in (b"alice", b"bob"))
    leaf = g.Blob(data=b"leaf")
    core = g.Tree(entries={"x": g.object_id(leaf)})
    step = g.Step(actor=bob, core=g.object_id(core))
    store.put_object(leaf)  # held before: not fresh
    encodings = [(g.encode_object(obj), g.object_id(obj)) for obj in (leaf, core, step)]
    fresh: set[g.ObjectId] = set()
    with pytest.raises(InvalidRefTarget) as info:
        store.put_encoded_then_cas(
            encodings, head_ref(alice), None, g.object_id(step), target=step, fresh=fresh
        )
    assert info.value.requirement == "REF-002.2"
    assert fresh == {g.object_id(core), g.object_id(step)}
    assert store.get_object(g.object_id(step)) == step  # objects first (RUN-001)
    assert store.get_ref(head_ref(alice)) is None


def _blob_of_encoded_length(length: int, fill: bytes) -> g.Blob:
    """A blob whose canonical encoding is exactly ``length`` bytes."""
    for size in range(length, -1, -1):
        blob = g.Blob(data=fill * size)
        if len(g.encode_object(blob)) == length:
            return blob
    raise AssertionError(f"no blob encodes to {length} bytes")


@pytest.mark.req("SBX-006.16", "SBX-006.15")
def test_read_ahead_takes_the_object_that_brings_its_bytes_to_the_budget_and_one_more(
    store: Store,
) -> None:
    """The plan stops *after* the object whose bytes pass the budget: one that brings the
    sum to exactly the budget does not pass it, so the next is taken too."""
    first, second, third = (g.Blob(data=bytes([i]) * 40) for i in range(3))
    oids = [store.put_object(blob) for blob in (first, second, third)]
    budget = len(g.encode_object(first))
    got = _paging.read_ahead(store.backend, oids, budget)
    assert list(got) == oids[:2], (budget, list(got))


@pytest.mark.req("SBX-006.15")
def test_read_ahead_takes_an_object_of_exactly_small_bytes_in_the_read_that_plans_it(
    store: Store,
) -> None:
    """An object of at most ``SMALL`` stored bytes comes whole with the plan: no read of
    its own (``read_many`` of one id is the read of a larger object)."""
    exact = _blob_of_encoded_length(_paging.SMALL, b"e")
    other = g.Blob(data=b"o" * 10)
    oids = [store.put_object(exact), store.put_object(other)]
    cls: Any = type(store.backend)
    with mock.patch.object(cls, "read_many", side_effect=AssertionError("a read of its own")):
        got = _paging.read_ahead(store.backend, oids, 1 << 20)
    assert got == {oids[0]: exact, oids[1]: other}


@pytest.mark.req("SBX-006.15")
def test_read_ahead_goes_on_past_an_object_that_is_neither_a_tree_nor_a_bare_blob(
    store: Store,
) -> None:
    """Only a tree ends the read-ahead: a blob with headers (decoded by the plain decoder,
    not by a bare blob's fixed bytes) is followed by the next object."""
    headed = g.Blob(data=b"headed", headers={"runtime": "test-actor"})
    bare = g.Blob(data=b"bare")
    oids = [store.put_object(headed), store.put_object(bare)]
    got = _paging.read_ahead(store.backend, oids, 1 << 20)
    assert got == {oids[0]: headed, oids[1]: bare}
