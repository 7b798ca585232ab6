"""A runtime of a share reads every journal part once a catch-up finds an actor placed
into its share from another share's parts (DUR-005.5, RUN-021.6, RUN-021.7).

A runtime of a share ``k/n`` (``n`` dividing 16) reads its share's journal parts only:
notes follow ids, so the senders of an actor whose id is in another share's parts but
whose placement key is in this share are noted in that other share's parts.  Once the
runtime knows such an actor it must read every part.  It learns placement records as it
catches up with the refs: here, the catch-up a transition makes when another writer
moved its actor's head (RUN-003.1, RUN-002.3), made right after a placement record was
written by another runtime.  The parts it reads afterwards are every part.
"""

from __future__ import annotations

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime, Share
from gritwit.runtime._notes import part
from gritwit.store import Store
from gritwit.store._refs import placement_ref


def _id_in(digit: int, salt: bytes) -> g.ObjectId:
    """An id whose journal part (its 16th hex digit) is ``digit``."""
    for i in range(1 << 12):
        oid = g.object_id(g.Blob(data=salt + b" %d" % i))
        if part(oid) == digit:
            return oid
    raise AssertionError("no id in that part")  # pragma: no cover


@pytest.mark.req("DUR-005.5", "RUN-021.6", "RUN-021.7", "RUN-003.1")
def test_a_catch_up_that_finds_an_actor_placed_from_other_parts_reads_every_part() -> None:
    store = Store.memory()
    rt = Runtime(store, share=Share(k=0, n=2))
    run(rt.run_until_quiescent())  # the first run: the refs listed, no record yet
    catch_up = rt._routing
    assert catch_up._parts == frozenset(range(0, 16, 2)), "share 0/2 reads its parts only"
    actor, key = _id_in(1, b"placed actor"), _id_in(2, b"placement key")
    genesis = g.Message(content=actor, headers={"mt": "genesis", "placement": key.hex()})
    store.cas_ref(placement_ref(actor), None, store.put_object(genesis))  # another runtime's
    catch_up._catch_up()  # as a transition whose head another writer moved catches up
    assert catch_up.index.placements.placed == {actor: key}, "the record was caught up with"
    assert catch_up._parts is None, (
        "DUR-005.5: an actor placed into the share from another share's parts is known, "
        f"so every part is read; still reading {sorted(catch_up._parts or ())}"
    )


@pytest.mark.req("RUN-003.1", "RUN-020.5", "DUR-005.4", "RUN-021.7")
def test_a_runtime_reading_every_part_lists_no_ref_again_for_a_placement(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A runtime without a share reads every part already: a placement record it learns
    as it catches up changes nothing it reads, so it catches up from the swaps since, and
    lists no ref again (a listing of every ref costs what the store holds, RUN-020.5)."""
    store = Store.memory()
    rt = Runtime(store)
    run(rt.run_until_quiescent())
    catch_up = rt._routing
    assert catch_up._parts is None, "no share: every part is read"
    actor, key = _id_in(1, b"placed actor"), _id_in(2, b"placement key")
    genesis = g.Message(content=actor, headers={"mt": "genesis", "placement": key.hex()})
    store.cas_ref(placement_ref(actor), None, store.put_object(genesis))
    asked: list[object] = []
    since = Store.refs_changed_since

    def counted(self: Store, version: object, *rest: object) -> object:
        asked.append(version)
        return since(self, version, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "refs_changed_since", counted)
    catch_up._catch_up()
    assert catch_up.index.placements.placed == {actor: key}, "the record was caught up with"
    assert None not in asked, f"RUN-020.5: the refs were listed again ({len(asked)} reads)"


@pytest.mark.req("DUR-005.5", "RUN-021.6", "RUN-021.7", "RUN-003.1")
def test_a_placement_replacing_another_in_one_catch_up_is_read_by_its_key() -> None:
    """A catch-up that finds one record gone and another new, as many records as before,
    still reads what the new one places: an actor placed into share 0/2 from another
    share's parts, known only from that catch-up, makes the runtime read every part."""
    store = Store.memory()
    rt = Runtime(store, share=Share(k=0, n=2))
    run(rt.run_until_quiescent())
    catch_up = rt._routing
    elsewhere, elsewhere_key = _id_in(1, b"placed elsewhere"), _id_in(3, b"key elsewhere")
    first = g.Message(
        content=elsewhere, headers={"mt": "genesis", "placement": elsewhere_key.hex()}
    )
    store.cas_ref(placement_ref(elsewhere), None, store.put_object(first))
    catch_up._catch_up()
    assert catch_up.index.placements.placed == {elsewhere: elsewhere_key}
    assert catch_up._parts == frozenset(range(0, 16, 2)), (
        "an actor placed into share 1/2 changes nothing share 0/2 reads"
    )
    actor, key = _id_in(1, b"placed actor"), _id_in(2, b"placement key")
    second = g.Message(content=actor, headers={"mt": "genesis", "placement": key.hex()})
    record = store.get_ref(placement_ref(elsewhere))
    store.cas_ref(placement_ref(elsewhere), record, None)  # one record gone …
    store.cas_ref(placement_ref(actor), None, store.put_object(second))  # … another new
    catch_up._catch_up()
    assert catch_up.index.placements.placed == {actor: key}, "both swaps were caught up with"
    assert catch_up._parts is None, (
        "DUR-005.5, RUN-021.6: the record that replaced another places an actor into the "
        "share from another share's parts, so every part is read; still reading "
        f"{sorted(catch_up._parts or ())}"
    )
