"""Journal notes addressed to a part: a share reads its own parts only (DUR-005.5, RUN-020.7).

A PostgreSQL write that moves a head repeats the swap, as a *note*, in the journal part
of each recipient whose entry the step changed (what its writer says), or in every
part (a writer that says nothing: revert, fork, import, erasure, a writer that is not a
runtime).  A reader of some parts — a runtime of a share ``k/n`` with ``n`` dividing 16
— reads those parts' rows only, and takes each ref's swap of highest origin.  These
tests check the pure rules (which parts a swap notes, which swap a reader keeps, which
parts a share reads) against their arithmetic, and the store's reads against the rows
its writes made: a reader of a share is answered no row of another part but the notes
addressed to it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit._ids import ObjectId
from gritwit.runtime import Share
from gritwit.runtime._notes import share_parts
from gritwit.store import Store, _pg_ahead
from gritwit.store._pg_notes import ALL_PARTS, default_parts, latest, notes_of
from gritwit.store._pg_schema import PARTS, part_of
from gritwit.store._postgres import PostgresBackend

BLOBS = [g.Blob(data=f"note {i}".encode()) for i in range(8)]
IDS = [g.object_id(b) for b in BLOBS]


def _actor_in(part: int, salt: int = 0) -> ObjectId:
    """An actor id whose journal part is ``part`` (its 16th hex digit)."""
    digest = bytearray(g.object_id(g.Blob(data=b"actor %d %d" % (part, salt))).digest)
    digest[7] = (digest[7] & 0xF0) | part
    return ObjectId(bytes(digest))


# --- the pure rules ------------------------------------------------------------------------


@pytest.mark.req("DUR-005.5", "RUN-020.5")
@given(part=st.integers(0, PARTS - 1), salt=st.integers(0, 1000))
def test_an_unsaid_head_or_placement_swap_notes_every_other_part(part: int, salt: int) -> None:
    actor = _actor_in(part, salt)
    for prefix in ("heads/", "names/placement/"):
        name = (prefix + actor.hex()).encode()
        assert default_parts(name) == ALL_PARTS - {part}, (
            "DUR-005.5: an unsaid swap of a head or record notes every part but its own"
        )
    for prefix in ("names/failed/", "names/outside-outbox/"):
        name = (prefix + (actor.hex() if "failed" in prefix else f"{part:x}")).encode()
        assert default_parts(name) == frozenset(), (
            "DUR-005.5: a failed mark or an outside mailbox is in its actors' part: no note"
        )


@pytest.mark.req("DUR-005.5")
@given(
    part=st.integers(0, PARTS - 1),
    said=st.frozensets(st.integers(0, PARTS - 1)),
    same=st.booleans(),
)
def test_a_said_swap_notes_the_parts_said_for_its_target_only(
    part: int, said: frozenset[int], same: bool
) -> None:
    """The parts said are noted, never the ref's own; said for another target, they do
    not apply (the write notes its defaults)."""
    name = "heads/" + _actor_in(part).hex()
    told = {name: (IDS[0] if same else IDS[1], said)}
    notes = notes_of([(name.encode(), IDS[0].digest)], told)
    expected = (said if same else ALL_PARTS) - {part}
    assert {n[2] for n in notes} == expected, "DUR-005.5: the parts noted are those said"
    assert all(n[3] == part and n[0] == name.encode() for n in notes), (
        "DUR-005.5: a note names its ref and the ref's own part"
    )


_ROWS = st.lists(
    st.tuples(st.sampled_from(["heads/a", "heads/b", "heads/c"]), st.integers(0, 7)),
    min_size=1,
    max_size=30,
)


@pytest.mark.req("DUR-005.5", "RUN-020.7")
@given(rows=_ROWS, seed=st.integers(0, 2**16))
def test_a_reader_of_some_parts_keeps_each_refs_swap_of_highest_origin(
    rows: list[tuple[str, int]], seed: int
) -> None:
    """Each ref's swaps, numbered 1, 2, … in its own part, arrive as rows of any part in any
    order (a note's origin, the swap's own row's version): the reader keeps the last."""
    numbered: list[tuple[str, ObjectId | None, int, int, int | None]] = []
    newest: dict[str, ObjectId] = {}
    counts: dict[str, int] = {}
    for name, target in rows:
        counts[name] = counts.get(name, 0) + 1
        own = counts[name]
        newest[name] = IDS[target]
        note = (own + seed) % 2 == 0  # some swaps come as their own row, some as notes
        row = (name, IDS[target], 3, 100 + own if note else own, own if note else None)
        numbered.append(row)
    random.Random(seed).shuffle(numbered)
    kept = latest(numbered)
    assert dict(kept) == newest, "RUN-020.7: each ref at its newest swap, whatever the order"
    assert len(kept) == len(newest), "RUN-020.7: each ref once"


@pytest.mark.req("RUN-021", "RUN-021.6")
@given(n=st.sampled_from([1, 2, 4, 8, 16]), data=st.data())
def test_a_share_of_n_dividing_16_reads_the_parts_of_its_remainder(
    n: int, data: st.DataObject
) -> None:
    k = data.draw(st.integers(0, n - 1))
    share = Share(k=k, n=n)
    expected = frozenset(p for p in range(PARTS) if p % n == k)
    assert share_parts(share, {}) == expected, "RUN-021: a share's parts are p with p % n == k"
    for p in range(PARTS):  # the parts are the share's actors' parts
        assert share.owns(_actor_in(p)) is (p in expected), "RUN-021: share k/n by the digit"
    here = next(p for p in range(PARTS) if p % n == k)
    elsewhere = [p for p in range(PARTS) if p % n != k]
    if elsewhere:  # an actor placed into the share from another share's parts: every part
        placed = {_actor_in(elsewhere[0]): _actor_in(here, 1)}
        assert share_parts(share, placed) is None, "RUN-021.6: placed here from elsewhere"
        placed_out = {_actor_in(here): _actor_in(elsewhere[0], 1)}  # placed away: still own
        assert share_parts(share, placed_out) == expected, "RUN-021.6: placed away"


@pytest.mark.req("RUN-021")
@given(n=st.integers(1, 64).filter(lambda n: 16 % n != 0), data=st.data())
def test_no_share_or_a_share_of_another_n_reads_every_part(n: int, data: st.DataObject) -> None:
    share = Share(k=data.draw(st.integers(0, n - 1)), n=n)
    assert share_parts(share, {}) is None, "RUN-021: n not dividing 16 reads every part"
    assert share_parts(None, {}) is None, "RUN-021: no share reads every part"


# --- the store's reads -----------------------------------------------------------------------


@pytest.fixture
def store(pg_url: str) -> Iterator[Store]:
    opened = Store.open(pg_url)
    try:
        opened.put_objects(BLOBS)
        opened.read_by_parts()  # a reader by parts joined: writers note (DUR-005.5)
        yield opened
    finally:
        opened.close()


def _read(
    store: Store, version: object, parts: frozenset[int] | None
) -> tuple[object, list[tuple[str, ObjectId | None]], int]:
    """The store's answer after ``version`` for ``parts``, and the journal rows it read."""
    before = _pg_ahead.ROWS_READ["rows"]
    now, swaps = store.refs_changed_since(version, parts)  # type: ignore[arg-type]
    assert swaps is not None
    return now, swaps, _pg_ahead.ROWS_READ["rows"] - before


@pytest.mark.req("DUR-005.5", "RUN-020.5", "RUN-020.7", "RUN-021")
@pytest.mark.parametrize("seed", range(4))
def test_a_share_reads_its_parts_rows_and_the_notes_addressed_to_it_only(
    store: Store, seed: int
) -> None:
    """Swaps of heads in every part, each noting parts said at random or (unsaid) every
    other part: a reader of share ``k/4`` reads exactly its parts' swaps and the notes to
    its parts — counted from the writes — and learns each ref it reads at its newest
    target; a reader of every part reads each swap once and no note."""
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    rng = random.Random(seed)
    share = Share(k=rng.randrange(4), n=4)
    mine = frozenset(p for p in range(PARTS) if p % 4 == share.k)
    start, _ = store.refs_changed_since(None)
    actors = [_actor_in(rng.randrange(PARTS), i) for i in range(12)]
    at: dict[str, ObjectId] = {}
    own_rows = every_rows = notes_to_mine = 0
    newest: dict[str, ObjectId] = {}  # each ref the share's reader must learn, at its last
    for turn in range(40):
        actor = rng.choice(actors)
        name, new = "heads/" + actor.hex(), IDS[turn % len(IDS)]
        if at.get(name) == new:
            continue
        said = (
            None if rng.random() < 0.25 else frozenset(rng.sample(range(PARTS), rng.randrange(4)))
        )
        if said is not None:
            backend.note({name: (new, said)})
        backend.cas_ref(name, at.get(name), new)
        at[name] = new
        own = part_of(name.encode())
        noted = (ALL_PARTS if said is None else said) - {own}
        every_rows += 1
        own_rows += own in mine
        notes_to_mine += len(noted & mine)
        if own in mine or noted & mine:
            newest[name] = new
    _, swaps, rows = _read(store, start, mine)
    assert rows == own_rows + notes_to_mine, (
        "DUR-005.5: a share reads its parts' swaps and the notes addressed to them, no other row"
    )
    assert dict(swaps) == newest and len(swaps) == len(newest), (
        "RUN-020.7: the share learns each ref of its parts or noted to them, at its newest"
    )
    _, everything, rows = _read(store, start, None)
    assert rows == every_rows, "RUN-020.5: a reader of every part reads each swap, no note"
    assert len(everything) == every_rows and dict(everything) == at, (
        "RUN-020.5: a reader of every part learns every swap, each ref at its last"
    )


@pytest.mark.req("DUR-005.5", "DUR-005")
def test_a_journal_made_before_notes_gets_their_column_when_opened(pg_url: str) -> None:
    """A store whose journal lacks ``origin`` (made before notes) is given it by the next
    opener, and its journal reads and writes on."""
    import psycopg

    from gritwit.store._store_options import split_options

    Store.open(pg_url).close()
    plain, _ = split_options(pg_url)
    column = (
        "SELECT count(*) FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND table_name = 'ref_journal_parts' AND column_name = 'origin'"
    )
    schema = pg_url.split("search_path%3D")[-1]
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f"SET search_path = {schema}")
        conn.execute("ALTER TABLE ref_journal_parts DROP COLUMN origin")
        assert conn.execute(column).fetchone() == (0,)
    store = Store.open(pg_url)
    try:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"SET search_path = {schema}")
            assert conn.execute(column).fetchone() == (1,), (
                "DUR-005.5: an older journal is given the column of notes when opened"
            )
        store.put_objects(BLOBS)
        store.read_by_parts()
        start, _ = store.refs_changed_since(None)
        name = "heads/" + _actor_in(3).hex()
        store.backend.cas_ref(name, None, IDS[0])
        _, swaps = store.refs_changed_since(start, frozenset({3, 7}))
        assert swaps == [(name, IDS[0])], "DUR-005.5: the journal reads on after the change"
    finally:
        store.close()


@pytest.mark.req("DUR-005.5")
@pytest.mark.parametrize("swaps", [1, 2], ids=["one swap", "a whole write"])
def test_a_noted_write_counts_one_commit_and_journals_each_note_once(
    store: Store, swaps: int
) -> None:
    """A write whose notes go to a part below its swaps' parts counts one commit (in a
    part it journals a swap in) and journals one note per part said, each numbered on
    from that part's version."""
    backend = store.backend
    assert isinstance(backend, PostgresBackend)
    names = ["heads/" + _actor_in(9, i).hex() for i in range(swaps)]
    said = {name: (IDS[i], frozenset({0, 3})) for i, name in enumerate(names)}
    commits = int(backend.settings()["commits"])
    start, _ = store.refs_changed_since(None)
    backend.note(said)
    if swaps == 1:
        backend.cas_ref(names[0], None, IDS[0])
    else:
        assert backend.commit_all([], [(n, None, IDS[i]) for i, n in enumerate(names)])
    assert int(backend.settings()["commits"]) == commits + 1, (
        "DUR-005.5: a noted write is one commit, counted once"
    )
    now, _ = store.refs_changed_since(start)
    assert isinstance(now, tuple) and isinstance(start, tuple)
    grown = [n - s for n, s in zip(now, start, strict=True)]
    assert grown == [swaps if p in (0, 3, 9) else 0 for p in range(PARTS)], (
        "DUR-005.5: each part said gets a note per swap, the swaps' own part a row each"
    )
    with backend._connection() as conn:
        rows = conn.execute(
            "SELECT part, version, name, origin FROM ref_journal_parts WHERE part = ANY(%s)",
            ([0, 3, 9],),
        ).fetchall()
    own = {bytes(name): version for part, version, name, _ in rows if part == 9}
    notes = [(bytes(name), origin) for part, _, name, origin in rows if part != 9]
    assert len(notes) == 2 * swaps and all(own[name] == origin for name, origin in notes), (
        "DUR-005.5: a note's origin is the version its swap got in its ref's own part"
    )


class _Reader:
    """Objects by id, for the pure rule below."""

    def __init__(self, *objects: g.GritObject) -> None:
        self.held = {g.object_id(o): o for o in objects}

    def get_object(self, oid: ObjectId) -> g.GritObject | None:
        return self.held.get(oid)


_MESSAGES = [g.Message(content=IDS[i], headers={"mt": "m"}) for i in range(4)]


@pytest.mark.req("DUR-005.5", "WIT-009.5", "RUN-001.3")
@given(
    before=st.dictionaries(st.integers(0, 15), st.integers(0, 3), min_size=1, max_size=6),
    after=st.dictionaries(st.integers(0, 15), st.integers(0, 3), min_size=1, max_size=6),
)
def test_a_step_notes_the_parts_of_the_recipients_whose_entry_it_changed(
    before: dict[int, int], after: dict[int, int]
) -> None:
    """An outbox of one mailbox, rebuilt whole: the parts of the recipients whose entry
    differs from the last outbox's (added, moved or dropped), computed here from the two
    maps; a chain's new top: the parts of its own entries; an outbox kept: none."""
    from gritwit.runtime._notes import outbox_parts
    from gritwit.wit._assemble import Assembled

    def box(entries: dict[int, int], base: ObjectId | None = None) -> g.Mailbox:
        recipients = {_actor_in(p, 7): g.object_id(_MESSAGES[m]) for p, m in entries.items()}
        return g.Mailbox(entries=recipients, base=base)

    def built(outbox: g.Mailbox | None, outbox_id: ObjectId | None) -> Assembled:
        step = g.Step(actor=_actor_in(1), core=IDS[0], previous=IDS[1], outbox=outbox_id)
        return Assembled(step, g.object_id(step), (), (), None, outbox)

    old, new = box(before), box(after)
    last = g.Step(actor=_actor_in(1), core=IDS[0], outbox=g.object_id(old))
    reader = _Reader(old, new)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert outbox_parts(built(new, g.object_id(new)), last, reader) == changed, (
        "DUR-005.5: a rebuilt outbox notes the parts of the entries it changed"
    )
    top = box(after, base=g.object_id(old))
    assert outbox_parts(built(top, g.object_id(top)), last, reader) == set(after), (
        "WIT-009.5: a chain's top holds the entries its step changed"
    )
    assert outbox_parts(built(None, g.object_id(old)), last, reader) == set(), (
        "DUR-005.5: a step that kept its outbox notes nothing"
    )
    assert outbox_parts(built(None, IDS[2]), last, reader) is None, (
        "DUR-005.5: an outbox its maker did not name: every part"
    )


@pytest.mark.req("RUN-003.1", "DUR-005.5", "RUN-020.7")
@given(
    since=st.lists(st.integers(0, 40), min_size=PARTS, max_size=PARTS),
    now=st.lists(st.integers(0, 40), min_size=PARTS, max_size=PARTS),
    mine=st.frozensets(st.integers(0, PARTS - 1), min_size=1),
)
def test_a_reader_behind_the_kept_window_of_a_part_it_reads_lists_the_refs(
    since: list[int], now: list[int], mine: frozenset[int]
) -> None:
    """The swaps are unknown (the reader lists the refs) exactly when a part it reads is
    older than the kept swaps, or newer than the part now; a part it does not read
    decides nothing."""
    from gritwit.store._pg_follow import journal_answer

    kept = 10
    vector, swaps = journal_answer(since, dict(enumerate(now)), [], PARTS, kept, mine)
    behind = any(not now[p] - kept <= since[p] <= now[p] for p in mine)
    assert vector == tuple(now), "RUN-020.7: the version now is every part's"
    assert (swaps is None) is behind, (
        "RUN-003.1: unknown swaps exactly when a part read is outside the kept window"
    )
