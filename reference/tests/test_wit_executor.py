"""The reference executor: genesis, updates, routing, determinism, queries (WIT-002 … WIT-017)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit.wit import OUTSIDE, Executor, outside_ref, test_actor_core, wit_blob


def _spawn(ex: Executor, name: str, state: dict[str, g.GritObject] | None = None) -> g.ObjectId:
    core, objects = test_actor_core(name, state)
    return ex.genesis(core, objects)


def _say(ex: Executor, to: g.ObjectId, mt: str, text: str = "") -> g.ObjectId:
    blob = g.Blob(data=text.encode())
    return ex.inject(to, g.object_id(blob), {"mt": mt}, objects=(blob,))


def _update(ex: Executor, to: g.ObjectId, entries: dict[str, g.GritObject]) -> g.ObjectId:
    tree = g.Tree(entries={name: g.object_id(obj) for name, obj in entries.items()})
    return ex.inject(to, g.object_id(tree), {"mt": "update"}, objects=(*entries.values(), tree))


def _blob(store: g.Store, oid: g.ObjectId) -> bytes:
    obj = store.get_object(oid)
    assert isinstance(obj, g.Blob)
    return obj.data


def _steps(store: g.Store, head: g.ObjectId | None) -> list[g.Step]:
    """The chain of steps ending at ``head``, oldest first."""
    chain = []
    while head is not None:
        step = store.get_object(head)
        assert isinstance(step, g.Step)
        chain.append(step)
        head = step.previous
    return chain[::-1]


def _read_types(store: g.Store, steps: list[g.Step]) -> list[list[str | None]]:
    """For each step, the mt of the messages it read from the outside, oldest first."""
    result: list[list[str | None]] = []
    seen: g.ObjectId | None = None
    for step in steps:
        box = store.get_object(step.inbox) if step.inbox else None
        entry = box.entries.get(OUTSIDE) if isinstance(box, g.Mailbox) else None
        read = []
        current = entry
        while current is not None and current != seen:
            message = store.get_object(current)
            assert isinstance(message, g.Message)
            read.append(message.headers.get("mt"))
            current = message.previous
        result.append(read[::-1])
        seen = entry
    return result


@pytest.mark.req("WIT-002", "WIT-013")
def test_actor_id_is_the_genesis_core_and_never_changes() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    core, objects = test_actor_core("echo")
    actor = ex.genesis(core, objects)
    assert actor == g.object_id(core)
    _update(ex, actor, {"extra": g.Blob(data=b"x")})
    ex.run_until_quiescent()
    steps = _steps(store, ex.head(actor))
    assert len(steps) == 2 and {s.actor for s in steps} == {actor}
    assert steps[-1].core != actor
    assert set(ex.core(actor).entries) == {"wit", "extra"}


@pytest.mark.req("WIT-012")
def test_duplicate_genesis_is_read_without_running_the_wit() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    core, objects = test_actor_core("echo")
    actor = ex.genesis(core, objects)
    ex.run_until_quiescent()
    first = ex.head_step(actor)
    ex.genesis(core, objects)
    report = ex.run_until_quiescent()
    second = ex.head_step(actor)
    assert report.failures == () and len(report.steps) == 1
    assert first is not None and second is not None
    assert second.previous == g.object_id(first)
    assert (second.core, second.outbox) == (first.core, first.outbox)  # nothing else changed
    assert second.inbox != first.inbox and ex.pending_for(actor) == {}
    assert ex.replies(actor) == []  # the echo Wit did not run on it


@pytest.mark.req("WIT-012")
def test_genesis_for_another_actor_is_rejected() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    core, objects = test_actor_core("echo")
    wrong = g.ObjectId(b"\x77" * 32)
    for obj in objects:
        store.put_object(obj)
    ex.inject(wrong, g.object_id(core), {"mt": "genesis"})
    report = ex.run_until_quiescent()
    assert [(f.actor, f.error_class) for f in report.failures] == [(wrong, "invalid-genesis")]
    assert store.list_refs("heads/") == []


@pytest.mark.req("WIT-012", "WIT-006")
def test_messages_without_genesis_wait() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    core, objects = test_actor_core("counter")
    actor = g.object_id(core)
    _say(ex, actor, "inc", "2")
    report = ex.run_until_quiescent()
    assert report.steps == () and report.failures == () and report.quiescent
    ex.genesis(core, objects)
    ex.run_until_quiescent()
    assert ex.query(actor, "count").data == b"2"


@pytest.mark.req("WIT-013")
def test_an_update_runs_alone() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    counter = _spawn(ex, "counter")
    _say(ex, counter, "inc")
    _update(ex, counter, {"note": g.Blob(data=b"n")})
    _say(ex, counter, "inc")
    _say(ex, counter, "get")
    ex.run_until_quiescent()
    steps = _steps(store, ex.head(counter))
    assert _read_types(store, steps) == [["genesis", "inc"], ["update"], ["inc", "get"]]
    assert _blob(store, ex.core(counter).entries["note"]) == b"n"
    assert ex.query(counter, "count").data == b"2"


@pytest.mark.req("WIT-014", "WIT-015")
def test_wit_update_can_delete_but_not_drop_wit() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    counter = _spawn(ex, "counter", {"junk": g.Blob(data=b"j")})
    ex.run_until_quiescent()
    keep = {"wit": wit_blob("counter"), "wit_update": wit_blob("replace")}
    _update(ex, counter, keep)
    ex.run_until_quiescent()
    assert set(ex.core(counter).entries) == {"wit"}  # junk and count deleted
    _update(ex, counter, {"other": g.Blob(data=b"o"), "wit_update": wit_blob("replace")})
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == ["invalid-transition"]
    assert report.failures[0].error.requirement == "WIT-015"  # type: ignore[attr-defined]
    assert set(ex.core(counter).entries) == {"wit"}


@pytest.mark.req("WIT-016", "WIT-013")
def test_an_update_cannot_change_a_frozen_wit() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = _spawn(ex, "echo", {"frozen": g.Blob(data=b"")})
    ex.run_until_quiescent()
    head = ex.head(actor)
    _update(ex, actor, {"wit": wit_blob("counter")})
    report = ex.run_until_quiescent()
    assert [f.error_class for f in report.failures] == ["frozen-core"]
    assert ex.head(actor) == head


@pytest.mark.req("WIT-010", "WIT-005")
def test_nothing_is_delivered_twice() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    echo = _spawn(ex, "echo")
    _say(ex, echo, "ping", "1")
    first = ex.run_until_quiescent()
    assert first.quiescent and first.failures == () and len(first.steps) == 1
    # The echo's outbox entries did not change since: a new run routes nothing.
    again = ex.run_until_quiescent()
    assert again.steps == () and again.quiescent
    _say(ex, echo, "ping", "2")
    ex.run_until_quiescent()
    assert [_blob(store, r.message.content) for r in ex.replies(echo)] == [b"1", b"2"]


def _operations(ex: Executor, seed: list[int]) -> list[tuple[g.ObjectId, g.ObjectId]]:
    actors = [_spawn(ex, name) for name in ("echo", "counter", "budget", "requester")]
    for value in seed:
        _say(ex, actors[value % 4], ["inc", "get", "spend", "x"][value % 3], str(value))
    report = ex.run_until_quiescent()
    return sorted((a, h) for a in actors if (h := ex.head(a)) is not None) + list(report.steps)


@pytest.mark.req("WIT-011")
@given(st.lists(st.integers(0, 50), max_size=8))
def test_same_operations_give_the_same_step_ids(seed: list[int]) -> None:
    one = _operations(Executor(g.Store.memory()), seed)
    two = _operations(Executor(g.Store.memory()), seed)
    assert one == two and len(one) >= 4


@pytest.mark.req("WIT-017")
def test_queries_create_nothing_and_repeat() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    counter = _spawn(ex, "counter")
    _say(ex, counter, "inc", "4")
    ex.run_until_quiescent()
    refs = {name: store.get_ref(name) for name in store.list_refs()}
    count = len(list(store.iter_ids()))
    answers = [ex.query(counter, "count"), ex.query(counter, "count"), ex.query(counter, "wut")]
    assert answers[0] == answers[1] and answers[0].data == b"4"
    assert {name: store.get_ref(name) for name in store.list_refs()} == refs
    assert len(list(store.iter_ids())) == count
    assert ex.run_until_quiescent().steps == ()  # nothing was routed
    assert outside_ref(counter) in refs


@pytest.mark.req("WIT-006", "WIT-001")
def test_unknown_runtime_fails_and_stores_nothing() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    odd = g.Blob(data=b"echo", headers={"runtime": "wasm"})
    core = g.Tree(entries={"wit": g.object_id(odd)})
    actor = ex.genesis(core, (odd,))
    before = (sorted(store.iter_ids()), store.list_refs())
    report = ex.run_until_quiescent()
    assert [(f.actor, f.error_class) for f in report.failures] == [(actor, "unknown-wit")]
    assert (sorted(store.iter_ids()), store.list_refs()) == before


@pytest.mark.req("WIT-012")
def test_a_misaddressed_genesis_to_an_existing_actor_is_read_over() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = _spawn(ex, "counter")
    other_core, other_objects = test_actor_core("echo")
    ex.run_until_quiescent()
    before = ex.head(actor)
    ex.inject(
        actor, g.object_id(other_core), {"mt": "genesis"}, objects=(*other_objects, other_core)
    )
    _say(ex, actor, "inc", "3")
    report = ex.run_until_quiescent()
    assert report.failures == ()  # the queue is not blocked behind it
    chain = _steps(store, ex.head(actor))
    assert chain[-3].core == chain[-2].core  # the read-over step changed only the inbox
    assert ex.head(actor) != before and ex.query(actor, "count").data == b"3"
    assert ex.pending_for(actor) == {}


@pytest.mark.req("WIT-017")
def test_an_unknown_query_fails_with_its_class() -> None:
    ex = Executor(g.Store.memory())
    actor = _spawn(ex, "echo")
    ex.run_until_quiescent()
    with pytest.raises(g.UnknownQuery) as info:
        ex.query(actor, "no-such-query")
    assert info.value.error_class == "unknown-query"


@pytest.mark.req("WIT-003")
def test_outside_messages_are_read_under_the_zero_id() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    actor = _spawn(ex, "counter")
    ex.run_until_quiescent()
    step = ex.head_step(actor)
    assert g.ObjectId(bytes(32)) == OUTSIDE
    assert step is not None and step.inbox is not None
    inbox = store.get_object(step.inbox)
    assert isinstance(inbox, g.Mailbox) and list(inbox.entries) == [OUTSIDE]
