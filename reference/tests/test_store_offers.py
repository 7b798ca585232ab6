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
  (REF-002.2), as the two calls in turn do.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import gritwit as g
from gritwit._errors import InvalidRefTarget
from gritwit.store import Store, head_ref


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
