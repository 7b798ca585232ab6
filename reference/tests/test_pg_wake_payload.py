"""Wake-ups that carry what moved, without a server (RUN-020.8, RUN-020.9, RUN-020.10).

The payload a writer's wake-up carries (:mod:`gritwit.store._pg_wake`) and how a receiver
chains payloads onto its last read: checked here against a model journal written apart
from the code — each part a list of swaps, a commit a run of rows appended to some parts,
a reader's version how many rows of each part it read.  A chain must answer exactly the
rows a journal read would (nothing missed, nothing twice), or ``None`` at any gap.  The
receiver's gathering (:class:`gritwit.store._pg_gather.Gathered`) is driven by a scripted
listener, so no test waits on a clock.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gritwit as g
from gritwit._ids import ObjectId, compute_id
from gritwit.store import _pg_wake
from gritwit.store._pg_ahead import ReadAhead
from gritwit.store._pg_gather import KEPT, Gathered, Receiving
from gritwit.store._pg_wake import (
    HEADER,
    LIMIT,
    QUIET,
    Segment,
    bodies,
    chain,
    decode,
    outbox_of,
)
from gritwit.store._store_options import StoreOptions, split_options

PARTS = 16


def _id(n: int) -> ObjectId:
    return ObjectId(n.to_bytes(32, "big"))


def _name(n: int) -> str:
    return f"heads/{_id(n).digest.hex()}" if n % 3 else f"names/ref-{n}"


def _payload(segments: list[tuple[int, int, list[tuple[str, ObjectId | None]]]]) -> str:
    """A payload as the server assembles it (``_pg_write_sql.WHOLE_JOURNAL_WAKE``): the
    header, then each part's line and the client's lines of its swaps, written here by
    hand from the form the module's docstring gives."""
    text = HEADER
    for part, before, swaps in segments:
        text += f"\np {part} {before} {before + len(swaps)}"
        for name, new in swaps:
            text += f"\n{name} {'-' if new is None else new.digest.hex()}"
    return text


# --- the payload ----------------------------------------------------------------------------


@pytest.mark.req("RUN-020.8")
def test_a_payload_names_each_swap_in_its_part_with_its_positions() -> None:
    swaps = [("heads/" + "ab" * 32, _id(1)), ("names/x", None)]
    text = _payload([(3, 41, swaps[:1]), (9, 0, swaps[1:])])
    assert decode(text, PARTS) == (
        Segment(part=3, before=41, after=42, swaps=(swaps[0],)),
        Segment(part=9, before=0, after=1, swaps=(swaps[1],)),
    )
    assert decode(HEADER, PARTS) == ()  # a swap not made: nothing moved


@pytest.mark.req("RUN-020.8")
def test_the_lines_of_a_commit_go_to_their_parts_in_order_with_the_outbox_hint() -> None:
    box = _id(99)
    both = bodies(
        [(b"names/a", _id(1), 4), (b"names/b", None, 2), (b"names/c", _id(2), 4)],
        {_id(1).digest: box},
    )
    assert both is not None
    made, tail = both
    assert made == {
        4: f"\nnames/a {_id(1).digest.hex()} {box.digest.hex()}\nnames/c {_id(2).digest.hex()}",
        2: "\nnames/b -",
    }
    assert tail == ""
    text = HEADER + "\np 4 7 9" + made[4] + "\np 2 0 1" + made[2]
    first, second = decode(text, PARTS) or ()
    assert first.outboxes == (box,) and first.swaps[1] == ("names/c", _id(2))
    assert second.swaps == (("names/b", None),)


@pytest.mark.req("RUN-020.8")
def test_a_payload_that_could_reach_the_limit_is_not_made() -> None:
    """Both sides of PostgreSQL's limit: the most a payload may be is ``LIMIT`` bytes
    less one, counting each part's line at its longest (three 20-digit numbers)."""
    line = len(f"\nnames/r {'0' * 64}")  # a swap's line, 73 bytes
    fixed = len(QUIET) + len("\np ") + 3 * 21  # the longer header, a part's longest line
    room = LIMIT - 1 - fixed  # bytes of swap lines the largest payload holds
    fits = room // line

    def of(count: int) -> list[tuple[bytes, ObjectId | None, int]]:
        return [(b"names/r", _id(i), 0) for i in range(count)]

    assert bodies(of(fits), {}) is not None
    assert bodies(of(fits + 1), {}) is None
    both = bodies(of(fits), {})
    assert both is not None
    worst = QUIET + f"\np 0 {10**19} {10**19}" + both[0][0]
    assert len(worst.encode()) < 8000


@pytest.mark.req("RUN-020.8")
def test_the_objects_carried_are_as_many_as_fit_and_read_back_whole() -> None:
    """Objects fill what the swaps leave below the limit, whole or not at all, and come
    back byte for byte on the payload's first segment."""
    small, large = b"\xa2\x64type\x67message" + b"s" * 50, b"\xa2\x64type\x67message" + b"L" * 5000
    swaps = [(b"names/a", _id(1), 3)]
    both = bodies(swaps, {}, [small, large, large, small])
    assert both is not None
    made, tail = both
    assert tail.count("\no ") == 3  # the second large one does not fit; the last small does
    text = HEADER + "\np 3 0 1" + made[3] + tail
    assert len(text.encode()) < 8000
    (segment,) = decode(text, PARTS) or ()
    assert segment.objects == (small, large, small)
    assert bodies(swaps, {}, [b"x" * 8000])[1] == ""  # type: ignore[index]


@pytest.mark.req("RUN-020.9")
@pytest.mark.parametrize(
    "payload",
    [
        "",  # empty: the writer did not say (a batch, too long, gritwit_wake=empty)
        "gw2",  # a later form
        HEADER + "\np 3 4 6\nnames/a -",  # fewer swaps than its versions moved
        HEADER + "\np 3 4 4",  # versions that did not move
        HEADER + "\np 16 0 1\nnames/a -",  # no such part
        HEADER + "\np 3 -1 0\nnames/a -",
        HEADER + "\np 3 01 2\nnames/a -",
        HEADER + "\nq 3 0 1\nnames/a -",
        HEADER + "\np 3 0 1\nnames/a " + "0" * 63,  # a target not 32 bytes
        HEADER + "\np 3 0 1\nnames/a " + "G" * 64,
        HEADER + "\np 3 0 1\nnames/a - " + "0" * 64 + " more",
        HEADER + "\np 3 0 1\nna mes -",
        HEADER + "\np 3 0 1\n/names -",
        HEADER + "\np 3 0 1\nnames/a -\no not*base64",
        HEADER + "\no AAAA\np 3 0 1\nnames/a -",  # objects before a part's lines
    ],
)
def test_a_payload_it_cannot_read_tells_nothing(payload: str) -> None:
    assert decode(payload, PARTS) is None


@pytest.mark.req("RUN-020.8")
def test_the_outbox_of_a_step_is_read_from_its_key() -> None:
    box = bytes(range(32))
    assert outbox_of(b"\xa4\x66outbox\x58\x20" + box + b"tail") == ObjectId(box)
    assert outbox_of(b"\xa4\x66outbox\x58\x20" + box[:31]) is None  # cut short
    assert outbox_of(b"\xa4\x65inbox\x58\x20" + box) is None


# --- chaining onto a read, against a model journal --------------------------------------------


@dataclass
class Journal:
    """A model of the journal: each part's swaps, in order; a commit appends to some."""

    parts: list[list[tuple[str, ObjectId | None]]] = field(
        default_factory=lambda: [[] for _ in range(PARTS)]
    )

    def commit(self, swaps: dict[int, list[tuple[str, ObjectId | None]]]) -> list[Segment]:
        made = []
        for part, rows in sorted(swaps.items()):
            before = len(self.parts[part])
            self.parts[part] += rows
            made.append(
                Segment(part=part, before=before, after=before + len(rows), swaps=tuple(rows))
            )
        return made

    def read(
        self, since: tuple[int, ...], upto: tuple[int, ...]
    ) -> list[tuple[str, ObjectId | None]]:
        """The rows after ``since`` up to ``upto``, part after part, as a journal read."""
        return [row for p in range(PARTS) for row in self.parts[p][since[p] : upto[p]]]


_commits = st.lists(
    st.dictionaries(
        st.integers(0, PARTS - 1),
        st.lists(st.tuples(st.integers(1, 50), st.booleans()), min_size=1, max_size=3),
        min_size=1,
        max_size=3,
    ),
    min_size=1,
    max_size=12,
)


def _rows(spec: dict[int, list[tuple[int, bool]]]) -> dict[int, list[tuple[str, ObjectId | None]]]:
    return {
        p: [(_name(n), None if gone else _id(n)) for n, gone in rows] for p, rows in spec.items()
    }


@settings(max_examples=200, deadline=None)
@given(_commits, st.integers(0, 11), st.randoms(use_true_random=False))
@pytest.mark.req("RUN-020.9")
def test_wake_ups_in_any_order_chain_to_what_a_journal_read_answers(
    commits: list[dict[int, list[tuple[int, bool]]]], read_after: int, shuffle: random.Random
) -> None:
    """A reader that read the journal after some commits and then hears every later
    commit's wake-up, in any order, with repeats and the earlier ones too (its own,
    read already), catches up to exactly what a journal read would answer."""
    journal = Journal()
    heard: list[Segment] = []
    since = tuple([0] * PARTS)
    for i, spec in enumerate(commits):
        heard += journal.commit(_rows(spec))
        if i == min(read_after, len(commits) - 1):
            since = tuple(len(rows) for rows in journal.parts)
    now = tuple(len(rows) for rows in journal.parts)
    heard += heard[: len(heard) // 2]  # some heard twice
    shuffle.shuffle(heard)
    answer = chain(since, heard)
    assert answer == (now, journal.read(since, now))


@settings(max_examples=200, deadline=None)
@given(_commits, st.data())
@pytest.mark.req("RUN-020.9")
def test_a_wake_up_missing_before_one_heard_is_a_gap(
    commits: list[dict[int, list[tuple[int, bool]]]], data: st.DataObject
) -> None:
    """Drop one commit's wake-up: when a later commit of one of its parts was heard, the
    chain answers ``None`` (read the journal); else it answers the rows up to it, which
    is all a journal read would answer of the parts it moved, and nothing after."""
    journal = Journal()
    made = [journal.commit(_rows(spec)) for spec in commits]
    lost = data.draw(st.integers(0, len(made) - 1))
    heard = [s for i, segments in enumerate(made) if i != lost for s in segments]
    answer = chain(tuple([0] * PARTS), heard)
    lost_parts = {s.part for s in made[lost]}
    later = any(s.part in lost_parts for segments in made[lost + 1 :] for s in segments)
    if later:
        assert answer is None
        return
    assert answer is not None
    version, swaps = answer
    upto = tuple(
        min((s.before for s in made[lost] if s.part == p), default=len(journal.parts[p]))
        for p in range(PARTS)
    )
    assert version == upto
    assert swaps == journal.read(tuple([0] * PARTS), upto)


@pytest.mark.req("RUN-020.9")
def test_a_segment_across_the_last_read_is_not_taken() -> None:
    """A segment that starts below the reader's version and ends above it cannot come
    from a commit (a read sees all of a commit or none): read the journal."""
    cut = Segment(part=1, before=2, after=5, swaps=(("names/a", None),) * 3)
    assert chain((0, 3), [cut]) is None
    assert chain((0, 5), [cut]) == ((0, 5), [])  # read already: skipped
    assert chain((0, 2), [cut]) == ((0, 5), [("names/a", None)] * 3)


# --- gathering, with a scripted listener -------------------------------------------------------


class Script:
    """A listener that answers each :meth:`hear` with the next of ``answers``."""

    def __init__(self, *answers: list[str] | None) -> None:
        self.answers = list(answers)
        self.asked: list[float] = []

    def hear(self, timeout: float) -> list[str] | None:
        self.asked.append(timeout)
        return self.answers.pop(0) if self.answers else None


def _one(part: int, before: int, name: str, target: int) -> str:
    return _payload([(part, before, [(name, _id(target))])])


@pytest.mark.req("RUN-020.10", "RUN-020.9")
def test_a_waiter_gathers_what_comes_within_its_window() -> None:
    first, second = _one(0, 0, "names/a", 1), _one(0, 1, "names/b", 2)
    with_window, without = Gathered(PARTS), Gathered(PARTS)
    assert with_window.wait(Script([first], [second], None), 1.0, 1.0)  # type: ignore[arg-type]
    assert without.wait(Script([first], [second], None), 1.0, 0.0)  # type: ignore[arg-type]
    start = tuple([0] * PARTS)
    version, swaps = with_window.take(start) or ((), [])
    assert swaps == [("names/a", _id(1)), ("names/b", _id(2))] and version[0] == 2
    assert without.take(start) == ((1, *start[1:]), [("names/a", _id(1))])
    assert without.take(start) is None  # taken: nothing served twice


@pytest.mark.req("RUN-020.10")
def test_a_wake_up_of_swaps_read_already_wakes_no_one() -> None:
    gathered = Gathered(PARTS)
    gathered.saw(tuple([3] + [0] * (PARTS - 1)))  # a journal read of this process
    own = _one(0, 2, "names/a", 1)  # read already: its commit, read along with it
    script = Script([own], None)
    assert not gathered.wait(script, 0.0, 0.0)  # type: ignore[arg-type]
    fresh = _one(0, 3, "names/b", 2)
    assert gathered.wait(Script([own, fresh]), 0.0, 0.0)  # type: ignore[arg-type]


@pytest.mark.req("RUN-020.10", "RUN-020.9")
def test_a_quiet_wake_up_wakes_no_one_yet_keeps_the_chain_whole() -> None:
    """A quiet payload (``gw1q``: its commit made work for no other runtime) does not end
    a wait, but what it names is kept: the next wake-up chains onto it, no gap."""
    quiet = QUIET + _one(0, 0, "names/a", 1).removeprefix(HEADER)
    assert decode(quiet, PARTS) == (
        Segment(part=0, before=0, after=1, swaps=(("names/a", _id(1)),), quiet=True),
    )
    gathered = Gathered(PARTS)
    assert not gathered.wait(Script([quiet], None), 0.0, 0.0)  # type: ignore[arg-type]
    assert gathered.wait(Script([_one(0, 1, "names/b", 2)]), 1.0, 0.0)  # type: ignore[arg-type]
    assert gathered.take(tuple([0] * PARTS)) == (
        (2, *[0] * (PARTS - 1)),
        [("names/a", _id(1)), ("names/b", _id(2))],
    )


@pytest.mark.req("RUN-020.9")
@pytest.mark.parametrize(
    "bad",
    ["", "garbage", HEADER + "\np 0 0 1\nnames/a nothex"],
    ids=["empty or lost", "unreadable", "unreadable past its part lines"],
)
def test_anything_unreadable_among_the_gathered_means_a_journal_read(bad: str) -> None:
    """An empty payload (also how a lost listening connection is heard) or one that
    cannot be read spoils what was gathered with it: the caller reads the journal."""
    gathered = Gathered(PARTS)
    assert gathered.wait(Script([_one(0, 0, "names/a", 1), bad]), 1.0, 0.0)  # type: ignore[arg-type]
    assert gathered.take(tuple([0] * PARTS)) is None
    assert gathered.wait(Script([_one(0, 1, "names/b", 2)]), 1.0, 0.0)  # type: ignore[arg-type]
    assert gathered.take(tuple([0] * PARTS)) is None  # a gap: names/a's was dropped
    assert gathered.wait(Script([_one(0, 2, "names/c", 3)]), 1.0, 0.0)  # type: ignore[arg-type]
    assert gathered.take(tuple([2] + [0] * (PARTS - 1))) == (
        (3, *[0] * (PARTS - 1)),
        [("names/c", _id(3))],
    )


@pytest.mark.req("RUN-020.9")
def test_past_the_kept_segments_the_next_catch_up_reads_the_journal() -> None:
    def heard(count: int) -> Gathered:
        gathered = Gathered(PARTS)
        payloads = [_one(0, i, "names/a", i + 1) for i in range(count)]
        assert gathered.wait(Script(payloads), 1.0, 0.0)  # type: ignore[arg-type]
        return gathered

    start = tuple([0] * PARTS)
    kept = heard(KEPT).take(start)
    assert kept is not None and kept[0][0] == KEPT
    assert heard(KEPT + 1).take(start) is None


@pytest.mark.req("RUN-020.9")
def test_the_named_objects_are_read_ahead_in_one_read() -> None:
    box = _id(7)
    text = _payload([(0, 0, [("heads/" + "cd" * 32, _id(5))])]) + " " + box.digest.hex()
    gathered = Gathered(PARTS)
    assert gathered.wait(Script([text]), 1.0, 0.0)  # type: ignore[arg-type]
    reads: list[tuple[list[ObjectId], list[bytes]]] = []
    assert gathered.take(tuple([0] * PARTS), lambda ids, objs: reads.append((ids, objs)))
    assert reads == [([_id(5), box], [])]


class _Receiver(Receiving):
    """The receiving methods over a read that records what it was asked."""

    __slots__ = ("_ahead", "asked", "store")

    def __init__(self, store: dict[ObjectId, bytes]) -> None:
        self._ahead = ReadAhead()
        self.store = store
        self.asked: list[list[ObjectId]] = []

    def read_many(self, oids: Iterable[ObjectId]) -> dict[ObjectId, bytes]:
        wanted = list(oids)
        self.asked.append(wanted)
        return {oid: self.store[oid] for oid in wanted if oid in self.store}


@pytest.mark.req("RUN-020.8", "RUN-011.6")
def test_objects_carried_are_kept_and_only_the_rest_read_and_never_a_blob() -> None:
    """What a wake-up carried is served without a read, and only what it did not carry is
    read; a blob among what it carried (which may be erased, RUN-011.6) is not kept."""
    message = g.encode_object(g.Message(content=g.object_id(g.Blob(data=b"5"))))
    blob = g.encode_object(g.Blob(data=b"a blob is never carried"))
    step_id, message_id, blob_id = _id(1), compute_id(message), compute_id(blob)
    receiver = _Receiver({step_id: b"step bytes", blob_id: blob})
    receiver._read_ahead([step_id, message_id, blob_id], [message, blob])
    assert receiver.asked == [[step_id, blob_id]]  # the message came carried
    assert receiver._ahead.take([message_id]) == {message_id: message}
    receiver.asked.clear()
    receiver._read_ahead([message_id], [message])
    assert receiver.asked == []  # all carried: no read at all


# --- the option ---------------------------------------------------------------------------------


@pytest.mark.req("RUN-020.8")
def test_gritwit_wake_is_read_both_ways_and_a_bad_value_refused() -> None:
    assert StoreOptions().wake == "moves"
    assert split_options("postgresql://db/x?gritwit_wake=empty")[1].wake == "empty"
    assert split_options("postgresql://db/x?gritwit_wake=moves")[1].wake == "moves"
    with pytest.raises(ValueError, match=r"RUN-020\.8"):
        split_options("postgresql://db/x?gritwit_wake=full")
    assert _pg_wake.LIMIT == 7999
