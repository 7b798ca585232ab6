"""The test actors, run by the reference executor (WIT-018 … WIT-027)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_wit_executor import _say, _spawn

import gritwit as g
from gritwit._schemas import load_schema
from gritwit.wit import TEST_ACTORS, Executor, TransitionTimeout, test_actor_core


def _text(store: g.Store, oid: g.ObjectId) -> str:
    blob = store.get_object(oid)
    assert isinstance(blob, g.Blob)
    return blob.data.decode()


def _replies(ex: Executor, store: g.Store, actor: g.ObjectId) -> list[tuple[str | None, str]]:
    return [(r.mt, _text(store, r.message.content)) for r in ex.replies(actor)]


#: Message types and queries of each actor's rows (WIT-018, WIT-019 … WIT-027).
TABLES = {
    "echo": ({"*"}, {"wut"}),
    "counter": ({"inc", "get"}, {"wut", "count"}),
    "fanout": ({"fanout"}, {"wut"}),
    "spawner": ({"spawn"}, {"wut"}),
    "updater": ({"set-code"}, {"wut"}),
    "failing": (set(), {"wut"}),
    "budget": ({"spend"}, {"wut", "budget"}),
    "requester": ({"ask", "echo"}, {"wut", "answer"}),
    "slow": (set(), {"wut"}),
    "sleepy": ({"nap"}, {"wut"}),
}


@pytest.mark.req("WIT-018", "WIT-028.9")
@pytest.mark.parametrize("name", sorted(TEST_ACTORS))
def test_wut_lists_exactly_the_rows_of_the_table(name: str) -> None:
    document = TEST_ACTORS[name].wut()
    messages, queries = TABLES[name]
    assert {m["mt"] for m in document["messages"]} == messages  # type: ignore[attr-defined]
    assert {q["name"] for q in document["queries"]} == queries  # type: ignore[attr-defined]
    answer = TEST_ACTORS[name].wut_answer("wut")
    assert answer is not None and answer.headers == {"content-type": "application/json"}


def _spec_wut_lines() -> dict[str, bytes]:
    """The ``wut`` documents WIT-018 gives, byte for byte, by actor name."""
    text = (Path(__file__).resolve().parents[2] / "spec" / "06-wit.md").read_text("utf-8")
    block = text.split("**WIT-018**", 1)[1].split("```text\n", 1)[1].split("\n```", 1)[0]
    return {json.loads(line)["name"]: line.encode("ascii") for line in block.splitlines()}


@pytest.mark.req("WIT-018")
def test_wut_answers_are_the_spec_lines_byte_for_byte() -> None:
    lines = _spec_wut_lines()
    assert sorted(lines) == sorted(TEST_ACTORS)
    for name, actor in TEST_ACTORS.items():
        answer = actor.wut_answer("wut")
        assert answer is not None and answer.data == lines[name], name


@pytest.mark.req("WIT-018", "WIT-017")
@pytest.mark.parametrize("name", sorted(TEST_ACTORS))
def test_every_actor_answers_wut_valid_against_the_schema(name: str) -> None:
    schema = load_schema("wut.schema.json")
    store = g.Store.memory()
    ex = Executor(store)
    actor = _spawn(ex, name)
    ex.run_until_quiescent()
    if ex.head(actor) is None:  # failing and slow never get a first step
        assert name in ("failing", "slow")
        return
    document = json.loads(ex.query(actor, "wut").data.decode("utf-8"))
    jsonschema.validate(document, schema)
    assert document["name"] == name
    assert "wut" in [q["name"] for q in document["queries"]]


@pytest.mark.req("WIT-018")
def test_the_schema_rejects_a_document_without_name() -> None:
    schema = load_schema("wut.schema.json")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"description": "", "messages": [], "queries": []}, schema)


@pytest.mark.req("WIT-019.1")
def test_echo_replies_in_order_with_the_same_content() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    echo = _spawn(ex, "echo")
    sent = [_say(ex, echo, "hello", word) for word in ("one", "two", "three")]
    ex.run_until_quiescent()
    replies = ex.replies(echo)
    assert [r.mt for r in replies] == ["echo"] * 3
    contents = [store.get_object(m) for m in sent]
    assert [r.message.content for r in replies] == [
        c.content for c in contents if isinstance(c, g.Message)
    ]


@pytest.mark.req("WIT-020.2", "WIT-020.3", "WIT-020.5", "WIT-017")
def test_counter_counts_and_reports() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    counter = _spawn(ex, "counter")
    _say(ex, counter, "inc")
    _say(ex, counter, "inc", "5")
    _say(ex, counter, "get")
    _say(ex, counter, "inc", "10")
    ex.run_until_quiescent()
    assert _replies(ex, store, counter) == [("count", "6")]
    assert ex.query(counter, "count").data == b"16"
    assert _text(store, ex.core(counter).entries["count"]) == "16"


@pytest.mark.req("WIT-021.1")
def test_fanout_queues_the_content_to_every_listed_actor() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    fan = _spawn(ex, "fanout")
    targets = [_spawn(ex, "counter", {"n": g.Blob(data=bytes([i]))}) for i in range(2)]
    blobs = [g.Blob(data=t.hex().encode()) for t in targets]
    tree = g.Tree(entries={f"t{i}": g.object_id(b) for i, b in enumerate(blobs)})
    ex.inject(fan, g.object_id(tree), {"mt": "fanout"}, objects=(*blobs, tree))
    ex.run_until_quiescent()
    step = ex.head_step(fan)
    assert step is not None and step.outbox is not None
    box = store.get_object(step.outbox)
    assert isinstance(box, g.Mailbox) and set(box.entries) == set(targets)
    for target in targets:
        message = store.get_object(box.entries[target])
        assert isinstance(message, g.Message)
        assert message.headers == {"mt": "fanned"} and message.content == g.object_id(tree)
        assert ex.pending_for(target) == {}  # delivered and read


@pytest.mark.req("WIT-021.1", "WIT-026.1", "WIT-028.6")
@pytest.mark.parametrize("text", ["not an id", "AB" * 32, "ab" * 31, ""])
def test_malformed_actor_ids_are_read_without_effect(text: str) -> None:
    """A listed recipient that is not a text-form id is skipped, not a failed transition."""
    store = g.Store.memory()
    ex = Executor(store)
    fan, req = _spawn(ex, "fanout"), _spawn(ex, "requester")
    bad = g.Blob(data=text.encode())
    tree = g.Tree(entries={"to": g.object_id(bad), "question": g.object_id(bad)})
    ex.inject(fan, g.object_id(tree), {"mt": "fanout"}, objects=(bad, tree))
    ex.inject(req, g.object_id(tree), {"mt": "ask"}, objects=(bad, tree))
    report = ex.run_until_quiescent()
    assert report.failures == ()
    for actor in (fan, req):
        step = ex.head_step(actor)
        assert step is not None and step.outbox is None  # nothing sent
        assert ex.pending_for(actor) == {}  # and the message was read


@pytest.mark.req("WIT-022.1", "WIT-012", "WIT-002")
def test_spawner_creates_the_actor_of_a_core() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    spawner = _spawn(ex, "spawner")
    core, objects = test_actor_core("echo")
    ex.inject(spawner, g.object_id(core), {"mt": "spawn"}, objects=objects)
    ex.run_until_quiescent()
    child = g.object_id(core)
    assert _replies(ex, store, spawner) == [("spawned", child.hex())]
    step = ex.head_step(child)
    assert step is not None and step.actor == child and step.core == child


@pytest.mark.req("WIT-023.1", "WIT-023.2", "WIT-016")
def test_updater_changes_its_own_code_unless_frozen() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    updater = _spawn(ex, "updater")
    frozen = _spawn(ex, "updater", {"frozen": g.Blob(data=b"")})
    assert ex.run_until_quiescent().failures == ()
    for actor in (updater, frozen):
        _say(ex, actor, "set-code", "echo")
    report = ex.run_until_quiescent()
    assert [(f.actor, f.error_class) for f in report.failures] == [(frozen, "frozen-core")]
    assert _text(store, ex.core(updater).entries["wit"]) == "echo"
    assert _text(store, ex.core(frozen).entries["wit"]) == "updater"
    _say(ex, updater, "ping", "now an echo")
    ex.run_until_quiescent()
    assert _replies(ex, store, updater) == [("echo", "now an echo")]


@pytest.mark.req("WIT-024", "WIT-006")
def test_failing_never_adopts_a_step() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    failing = _spawn(ex, "failing")
    before = sorted(store.iter_ids())
    report = ex.run_until_quiescent()
    assert [(f.actor, f.error_class) for f in report.failures] == [(failing, "RuntimeError")]
    assert ex.head(failing) is None and sorted(store.iter_ids()) == before
    assert [p.mt for items in ex.pending_for(failing).values() for p in items] == ["genesis"]


@pytest.mark.req("WIT-025.2", "WIT-025.5")
def test_two_spends_of_the_whole_budget_give_one_grant() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    budget = _spawn(ex, "budget", {"budget": g.Blob(data=b"10")})
    _say(ex, budget, "spend", "10")
    _say(ex, budget, "spend", "10")
    ex.run_until_quiescent()
    assert sorted(mt or "" for mt, _ in _replies(ex, store, budget)) == ["granted", "refused"]
    assert ex.query(budget, "budget").data == b"0"


@pytest.mark.req("WIT-025.2", "WIT-025.5")
@given(st.integers(0, 20), st.lists(st.integers(0, 12), max_size=6))
def test_budget_grants_exactly_what_fits(start: int, amounts: list[int]) -> None:
    store = g.Store.memory()
    ex = Executor(store)
    budget = _spawn(ex, "budget", {"budget": g.Blob(data=str(start).encode())})
    for amount in amounts:
        _say(ex, budget, "spend", str(amount))
    ex.run_until_quiescent()
    left, expected = start, []
    for amount in amounts:
        expected.append(("granted" if amount <= left else "refused", str(amount)))
        left -= amount if amount <= left else 0
    assert _replies(ex, store, budget) == expected
    assert ex.query(budget, "budget").data == str(left).encode()


@pytest.mark.req("WIT-026.1", "WIT-026.2", "WIT-019.1")
def test_requester_asks_an_echo_and_keeps_the_answer() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    echo = _spawn(ex, "echo")
    requester = _spawn(ex, "requester")
    to, question = g.Blob(data=echo.hex().encode()), g.Blob(data=b"why?")
    ask = g.Tree(entries={"to": g.object_id(to), "question": g.object_id(question)})
    ex.inject(requester, g.object_id(ask), {"mt": "ask"}, objects=(to, question, ask))
    ex.run_until_quiescent()
    assert ex.core(requester).entries["answer"] == g.object_id(question)
    assert ex.query(requester, "answer").data == b"why?"


@pytest.mark.req("WIT-027", "WIT-006")
def test_slow_overruns_and_other_actors_keep_running() -> None:
    store = g.Store.memory()
    ex = Executor(store)
    slow = _spawn(ex, "slow")
    counter = _spawn(ex, "counter")
    _say(ex, counter, "inc", "3")
    report = ex.run_until_quiescent()
    assert [f.actor for f in report.failures] == [slow]
    assert isinstance(report.failures[0].error, TransitionTimeout)
    assert ex.head(slow) is None
    assert ex.query(counter, "count").data == b"3"


@pytest.mark.req("WIT-019", "WIT-027")
def test_every_test_actor_names_the_clause_of_its_behaviour() -> None:
    """ACTOR_CLAUSES (used to explain mismatches, ADP-017.2) covers each actor, with its own ID."""
    from pathlib import Path

    from gritwit.wit import ACTOR_CLAUSES

    assert set(ACTOR_CLAUSES) == set(TEST_ACTORS)
    chapter = (Path(__file__).resolve().parents[2] / "spec" / "06-wit.md").read_text("utf-8")
    for name, rid in ACTOR_CLAUSES.items():
        assert f"**{rid}** `{name}`" in chapter, f"{rid} is not the clause of {name}"
