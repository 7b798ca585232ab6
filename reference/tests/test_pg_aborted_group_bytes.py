"""A group commit the server aborted counts none of its bytes toward the run's
(RUN-023.1, RUN-022.1, DUR-007.3, RUN-017.4).

A batch's write reports the objects the store did not hold as it inserts them (their
*fresh* ids, RUN-022.1), and the run counts what its commits added from them
(RUN-023.1).  When the server aborts the batch at its ``COMMIT`` (DUR-007.3) nothing of
it was kept, so none of those objects was added: the members are built again and their
next commit stores, and counts, the same objects.  A run that met the abort has added
exactly what the same run without it added.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from core_numbers import head_count
from test_pg_batch_abort import _arm, _fired
from test_runtime import _say

import gritwit as g
from gritwit.runtime import Runtime, _group
from gritwit.store import Store, create_schema
from gritwit.wit import test_actor_core


@pytest.fixture
def stores(pg_database: str) -> Iterator[tuple[Store, Store]]:
    """Two new stores of one database: one whose next group batch the server aborts."""
    opened = [Store.open(create_schema(pg_database)) for _ in range(2)]
    try:
        yield opened[0], opened[1]
    finally:
        for store in opened:
            store.close()


def _run_bytes(store: Store, armed: bool) -> int:
    """Two counters, a message each, then a run whose group goes to the batch: the run's
    added bytes."""
    runtime = Runtime(store)
    counters = []
    for i in range(2):
        core, objects = test_actor_core("counter", {"tag": g.Blob(data=b"bytes %d" % i)})
        counters.append(asyncio.run(runtime.genesis(core, objects)))
    asyncio.run(runtime.run_until_quiescent())
    for i, counter in enumerate(counters):
        asyncio.run(_say(runtime, counter, "inc", str(i + 2)))
    runtime.flush()  # the sends stored first: only the group's batch meets the fault
    if armed:
        _arm(store)
    report = asyncio.run(runtime.run_until_quiescent())
    assert not report.failures and report.steps, report
    assert [head_count(store, c) for c in counters] == [2, 3], (
        "DUR-007.3, RUN-017.4: each message counted once"
    )
    return runtime.run_bytes


@pytest.mark.req("RUN-023.1", "RUN-022.1", "DUR-007.3", "RUN-017.4")
def test_a_group_batch_aborted_at_its_commit_adds_no_bytes_to_the_run(
    stores: tuple[Store, Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    plain, armed = stores
    monkeypatch.setattr(_group, "_commit_whole", lambda *args, **kwargs: False)
    want = _run_bytes(plain, armed=False)
    assert want > 0, "the run without the abort added its steps' objects"
    got = _run_bytes(armed, armed=True)
    assert _fired(armed) >= 2, "DUR-007.2: the first batch was aborted, a later one made"
    assert got == want, (
        f"RUN-023.1: the run added {want} bytes without the abort; with it, {got} "
        "(the aborted batch's objects counted although none was kept)"
    )
