"""Two runtimes writing one store: the routing index never pairs a head with an older outbox.

RUN-002.3, RUN-003.1, RUN-003.3, RUN-007.2, WIT-005.

The bug: the conformance test ``test_two_writers_at_once_lose_no_step_and_no_message``
counted 91 after 80 ``inc`` from two adapter processes on one PostgreSQL store.  A
runtime ``a`` catching its routing index up with the refs (at the start of
``run_rounds``, or of a later ``run_until_quiescent`` on a store without a journal of
swaps) read ``names/outside-outbox`` first and listed the heads after, in two reads.
When the other writer ``b`` sent to the actor *and* ran it in between, ``a``'s index
held the outside's outbox from before ``b``'s send but the actor's head from after
``b``'s step, which had read that send.  The head was one the index had seen, so ``a``
did not catch up again; the walk back from the stale outbox entry never met the
head's inbox entry and delivered the whole chain again (WIT-005), under a
compare-and-swap that succeeded.  On PostgreSQL each read is a round trip to the
server, so the window was wide enough for ``b`` to fall into it under load; SQLite
has the same window, only narrower.

The index now lists the heads first, in one read, and reads the outside's ref after
them: every message a listed head read was committed before the listing, so it is on
the outside's chain as read later.

The tests force the interleaving: ``a``'s backend lets ``b`` send and run right after
the first of those two reads, whichever it is, on SQLite and on PostgreSQL.  Where the
store keeps a journal of swaps, a later ``run_until_quiescent`` catches up in one read
of it (one snapshot, so no "between"): ``b`` then sends and runs right after it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from core_numbers import head_count
from test_runtime import _say

import gritwit as g
from gritwit.runtime import Runtime, check_runtime, history
from gritwit.store import Backend, CasResult
from gritwit.wit import OUTSIDE, OUTSIDE_REF, RunReport, mailbox_entries, test_actor_core

HEADS = "heads/"


class _Between:
    """A backend that calls ``hook`` once, right after the first read of the outside's ref
    or of the list of heads made once it is armed: between the two reads of a catch-up;
    or right after a catch-up's read of the journal of swaps, or the one a commit carried
    (PostgreSQL, RUN-020.7), before the runtime applies it."""

    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self.hook: Callable[[], None] | None = None
        #: What the armed read was: ``"outside"``, ``"heads"`` or ``"journal"``.
        self.after: str | None = None

    def _fire(self, what: str) -> None:
        hook, self.hook = self.hook, None
        if hook is not None:
            self.after = what
            hook()

    def get_ref(self, name: str) -> g.ObjectId | None:
        return self._backend.get_ref(name)

    def list_refs(self, prefix: str) -> list[tuple[str, g.ObjectId]]:
        refs = self._backend.list_refs(prefix)
        if prefix == HEADS:
            self._fire("heads")
        elif prefix == OUTSIDE_REF:  # the outside's refs, in one read (RUN-003.4)
            self._fire("outside")
        return refs

    def refs_changed_since(
        self, version: int | None
    ) -> tuple[int, list[tuple[str, g.ObjectId | None]] | None]:
        changes: tuple[int, list[tuple[str, g.ObjectId | None]] | None]
        changes = self._backend.refs_changed_since(version)  # type: ignore[attr-defined]
        if version is not None:  # a catch-up's one read (without a version: a load's)
            self._fire("journal")
        return changes

    def followed(self) -> Any:
        """The journal read a commit carried (RUN-020.7): the other writer acts after it,
        before the runtime catches up with its answer."""
        answer = self._backend.followed()  # type: ignore[attr-defined]
        self._fire("journal read along with the commit")
        return answer

    # --- the rest of the Backend protocol, and its optional methods, as they are ---------

    def insert(self, oid: g.ObjectId, data: bytes) -> None:
        self._backend.insert(oid, data)

    def read(self, oid: g.ObjectId) -> bytes | None:
        return self._backend.read(oid)

    def contains(self, oid: g.ObjectId) -> bool:
        return self._backend.contains(oid)

    def ids(self) -> Iterator[g.ObjectId]:
        return self._backend.ids()

    def erase(self, oid: g.ObjectId, reason: str) -> bool:
        return self._backend.erase(oid, reason)

    def tombstone(self, oid: g.ObjectId) -> str | None:
        return self._backend.tombstone(oid)

    def cas_ref(self, name: str, expected: g.ObjectId | None, new: g.ObjectId | None) -> CasResult:
        return self._backend.cas_ref(name, expected, new)

    def close(self) -> None:
        self._backend.close()

    def __getattr__(self, name: str) -> Any:  # insert_many, batch, insert_many_then_cas …
        return getattr(self._backend, name)


@pytest.fixture(params=["sqlite", "postgres"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """Where the shared store is: a SQLite directory, or a fresh PostgreSQL schema."""
    if request.param == "postgres":
        url: str = request.getfixturevalue("pg_url")
        return url
    return tmp_path


def _run(runtime: Runtime, how: str) -> RunReport:
    if how == "run_rounds":  # the adapter's rt-run (ADP-015): the index is loaded first
        return asyncio.run(runtime.run_rounds(50))
    return asyncio.run(runtime.run_until_quiescent())  # later runs: caught up from the refs


def _reads(store: g.Store, actor: g.ObjectId) -> list[g.ObjectId]:
    """The outside's messages the actor's steps read, in order, each once."""
    read: list[g.ObjectId] = []
    for _, step in history(store, actor):
        entry = mailbox_entries(store, step.inbox).get(OUTSIDE)
        assert entry is not None and entry not in read[:-1], (
            f"a step re-reads {entry}: its inbox went back along the chain (WIT-005)"
        )
        if not read or read[-1] != entry:
            read.append(entry)
    return read


@pytest.mark.parametrize("how", ["run_rounds", "run_until_quiescent"])
@pytest.mark.req("RUN-002.3", "RUN-003.1", "RUN-003.3", "RUN-007.2", "WIT-005", "RUN-020.7")
def test_a_send_and_step_between_the_reads_of_a_catch_up_are_read_once(
    location: str | Path, how: str
) -> None:
    between = _Between(g.Store.open(location).backend)
    store_a, store_b = g.Store(between), g.Store.open(location)
    # two writers of the same store, each send committed as it is acknowledged (RUN-019.1)
    a, b = Runtime(store_a, send_commit="own"), Runtime(store_b, send_commit="own")
    try:
        core, objects = test_actor_core("counter")
        actor = asyncio.run(a.genesis(core, objects))
        _run(a, how)
        first = asyncio.run(_say(a, actor, "inc", "1"))  # pending: the outside's entry a knows

        sent: list[g.ObjectId] = []

        def b_sends_and_runs() -> None:  # in a thread of its own: a's run is under way
            def work() -> None:
                sent.append(asyncio.run(_say(b, actor, "inc", "2")))
                _run(b, how)  # reads inc 1 and inc 2: the head is past a's outside entry

            thread = threading.Thread(target=work)
            thread.start()
            thread.join()

        between.hook = b_sends_and_runs
        report = _run(a, how)
        assert between.after is not None, "a's run made neither read"
        assert report.quiescent and not report.failures
        _run(b, how)
        _run(a, how)
        with g.Store.open(location) as store:
            assert head_count(store, actor) == 1 + 2, (
                f"inc 1 and inc 2 read twice after b ran between a's read of the "
                f"{between.after} and the other (RUN-002.3, RUN-007.2)"
            )
            # a's step read genesis, b's inc 1 and inc 2, and no step read anything again;
            # after a commit's journal read, b came after a's commit: a's step read inc 1
            after_commit = between.after == "journal read along with the commit"
            assert _reads(store, actor)[1:] == ([first] if after_commit else []) + sent
            assert check_runtime(store).ok
    finally:
        store_a.close()
        store_b.close()
