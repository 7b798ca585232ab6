"""A batch the server aborts at its ``COMMIT`` is store-busy, and a group commit's
fallback builds its members again (DUR-007.2, DUR-007.3, RUN-017.4).

At ``SERIALIZABLE`` the server may abort a transaction with ``40001`` at its
``COMMIT`` itself.  A batch's body is its caller's (a runtime's group commit that lost
whole, RUN-017.2), so the store cannot run it again: it must say ``store-busy``, with
nothing kept, and not let the server's error through as an internal one.  The runtime's
group commit then loses its members and builds them again.

The abort is the server's own: a deferred constraint trigger on ``refs`` raises
``40001`` when the transaction commits, once (a sequence, which no rollback undoes,
counts its firings).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from core_numbers import head_count
from test_runtime import _say

import gritwit as g
from gritwit import StoreBusy
from gritwit.runtime import Runtime, _group
from gritwit.store import BatchAborted, Store
from gritwit.wit import test_actor_core

_FAULT = (
    "CREATE SEQUENCE fault_fired",
    "CREATE FUNCTION fault_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN IF nextval('fault_fired') = 1 THEN"
    " RAISE EXCEPTION 'injected at COMMIT' USING ERRCODE = '40001'; END IF;"
    " RETURN NULL; END $$",
    "CREATE CONSTRAINT TRIGGER fault_at_commit AFTER INSERT OR UPDATE ON refs"
    " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION fault_at_commit()",
)


@pytest.fixture
def store(pg_database: str) -> Iterator[Store]:
    from gritwit.store import create_schema

    opened = Store.open(create_schema(pg_database))
    try:
        yield opened
    finally:
        opened.close()


def _arm(store: Store) -> None:
    """The next transaction that writes ``refs`` is aborted with ``40001`` at its COMMIT."""
    with store.backend._connection() as conn:  # type: ignore[attr-defined]
        for statement in _FAULT:
            conn.execute(statement)
        conn.commit()


def _fired(store: Store) -> int:
    """The trigger's firings so far (the first raised ``40001``)."""
    with store.backend._connection() as conn:  # type: ignore[attr-defined]
        row = conn.execute("SELECT last_value, is_called FROM fault_fired").fetchone()
        conn.commit()
    assert row is not None
    return int(row[0]) if row[1] else 0


@pytest.mark.req("DUR-007.2", "DUR-007.3")
def test_a_batch_aborted_at_its_commit_is_store_busy_and_keeps_nothing(store: Store) -> None:
    blob = store.put_object(g.Blob(data=b"batched"))
    other = g.Blob(data=b"batched too")
    _arm(store)
    with pytest.raises(BatchAborted, match=r"DUR-007\.3") as raised, store.batch() as batch:
        batch.put_encoded([(g.encode_object(other), g.object_id(other))])
        batch.cas_ref("names/batched", None, blob)
    assert isinstance(raised.value, StoreBusy), (
        "DUR-007.3: a batch the server aborted is store-busy, not an internal error"
    )
    assert _fired(store) == 1, "DUR-007.2: the abort came at the batch's COMMIT"
    assert store.get_ref("names/batched") is None and not store.has(g.object_id(other)), (
        "DUR-007.3: nothing of the aborted batch was kept"
    )
    with store.batch() as batch:  # the caller may run it again as a new write
        batch.cas_ref("names/batched", None, blob)
    assert store.get_ref("names/batched") == blob, (
        "DUR-007.3: the same write run again as a new one is made"
    )


@pytest.mark.req("DUR-007.2", "DUR-007.3", "RUN-017.4", "RUN-017.2")
def test_a_group_whose_batch_the_server_aborted_is_built_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group of two counters' steps goes to the batch (its whole write made as lost,
    RUN-017.2); the server aborts the batch at its COMMIT; the run builds both again and
    adopts them, each message counted once."""
    runtime = Runtime(store)
    counters = []
    for i in range(2):
        core, objects = test_actor_core("counter", {"tag": g.Blob(data=b"aborted %d" % i)})
        counters.append(asyncio.run(runtime.genesis(core, objects)))
    asyncio.run(runtime.run_until_quiescent())
    for i, counter in enumerate(counters):
        asyncio.run(_say(runtime, counter, "inc", str(i + 2)))
    runtime.flush()  # the sends stored first: only the group's batch meets the fault
    monkeypatch.setattr(_group, "_commit_whole", lambda *args, **kwargs: False)
    _arm(store)
    report = asyncio.run(runtime.run_until_quiescent())
    assert _fired(store) >= 2, "DUR-007.2: the first batch was aborted, a later one made"
    assert not report.failures and report.steps, (
        "RUN-017.4: the aborted group's members were built again and adopted",
        report,
    )
    assert [head_count(store, c) for c in counters] == [2, 3], (
        "DUR-007.3, RUN-017.4: each message counted once, the abort notwithstanding"
    )
    heads = {c: store.get_ref(f"heads/{c.hex()}") for c in counters}
    assert sorted(report.steps) == sorted(heads.items()), (
        "RUN-017.6, RUN-017.4: the run reports each step it adopted once, the steps of the "
        "aborted batch (never stored) not at all",
        report.steps,
        heads,
    )
