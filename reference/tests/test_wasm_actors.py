"""The Wasm builds of the test actors behave as their Python twins (WASM-022, WIT-019 … WIT-027).

Each scenario runs twice: on an executor with the built-in Python actors and on
one whose actors are the modules in ``conformance/wasm/actors`` (same cores —
the ``wit`` blobs name the test actors —, only the code differs).  Step ids,
replies and core state must be identical.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from wasm_support import ACTOR_NAMES, WASM_DIR, load, module, twin_executors, wasm_actors

import gritwit as g
from gritwit.wasm import WasmWits, build
from gritwit.wit import (
    TEST_ACTORS,
    Executor,
    QueryInput,
    mailbox_entries,
    pending,
    test_actor_core,
)
from gritwit_conformance.cli import main

WITS = WasmWits()


def _spawn(ex: Executor, name: str, tag: str = "") -> g.ObjectId:
    core, objects = test_actor_core(name, {"tag": g.Blob(data=tag.encode())} if tag else None)
    return ex.genesis(core, objects)


def _say(ex: Executor, to: g.ObjectId, mt: str, content: g.GritObject) -> None:
    ex.inject(to, g.object_id(content), {"mt": mt}, objects=(content,))


def _blob(text: str) -> g.Blob:
    return g.Blob(data=text.encode())


def _state(ex: Executor, actors: list[g.ObjectId]) -> list[object]:
    """Everything observable: heads, replies to the outside, what is still pending."""
    return [
        (
            ex.head(actor),
            [(r.mt, r.message.content) for r in ex.replies(actor)],
            {s: [p.id for p in items] for s, items in ex.pending_for(actor).items()},
        )
        for actor in actors
    ]


def _twins(scenario: object) -> tuple[list[object], list[object]]:
    results = []
    for ex in twin_executors(WITS):
        actors = scenario(ex)  # type: ignore[operator]
        results.append(_state(ex, actors))
    return results[0], results[1]


@pytest.mark.req("WASM-022.1", "WASM-022.2", "WIT-019.1")
def test_echo_twin() -> None:
    def scenario(ex: Executor) -> list[g.ObjectId]:
        echo = _spawn(ex, "echo")
        for text in ("a", "", "ccc"):
            _say(ex, echo, "ping", _blob(text))
        _say(ex, echo, "tree", g.Tree(entries={"x": g.object_id(_blob("x"))}))
        ex.run_until_quiescent()
        _say(ex, echo, "later", _blob("b"))
        ex.run_until_quiescent()
        return [echo]

    py, wasm = _twins(scenario)
    assert py == wasm
    assert len(py[0][1]) == 5  # type: ignore[arg-type]


_COUNTER_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("inc"), st.integers(0, 10**12).map(str)),
        st.tuples(st.just("inc"), st.sampled_from(["", "x", "-1", "1.5", "٣", "007", "1\n"])),
        st.tuples(st.just("inc"), st.integers(10**18 - 12, 10**18 + 2).map(str)),  # WIT-020.2
        st.tuples(st.just("get"), st.just("")),
        st.tuples(st.sampled_from(["other", "count"]), st.text(max_size=3)),
        st.tuples(st.just("run"), st.just("")),
    ),
    max_size=12,
)


@pytest.mark.req("WASM-022", "WIT-020.1", "WIT-020.2", "WIT-020.3", "WIT-020.4", "WIT-028.6")
@given(
    ops=_COUNTER_OPS,
    counters=st.integers(1, 2),
    initial=st.sampled_from([None, "5", "x", "007", "999999999999999990", "1" * 19]),
)
def test_counter_twin(ops: list[tuple[str, str]], counters: int, initial: str | None) -> None:
    def scenario(ex: Executor) -> list[g.ObjectId]:
        state = None if initial is None else {"count": _blob(initial)}
        actors = []
        for n in range(counters):
            core, objects = test_actor_core("counter", {**(state or {}), "tag": _blob(str(n))})
            actors.append(ex.genesis(core, objects))
        for i, (mt, text) in enumerate(ops):
            if mt == "run":
                ex.run_until_quiescent()
            else:
                _say(ex, actors[i % counters], mt, _blob(text))
        ex.run_until_quiescent()
        return actors

    py, wasm = _twins(scenario)
    assert py == wasm


@pytest.mark.req("WASM-022", "WIT-021.1", "WIT-026.1", "WIT-026.2", "WIT-019.1")
def test_fanout_and_requester_twins() -> None:
    def scenario(ex: Executor) -> list[g.ObjectId]:
        fan, echo, req = _spawn(ex, "fanout"), _spawn(ex, "echo"), _spawn(ex, "requester")
        counters = [_spawn(ex, "counter", str(n)) for n in range(3)]
        ids = {f"c{n}": _blob(c.hex()) for n, c in enumerate(counters)}
        ids["not-a-blob"] = g.Tree(entries={"x": g.object_id(_blob("x"))})
        tree = g.Tree(entries={k: g.object_id(v) for k, v in ids.items()})
        ex.inject(fan, g.object_id(tree), {"mt": "fanout"}, objects=(*ids.values(), tree))
        _say(ex, fan, "fanout", _blob("not a tree"))
        question = _blob("what?")
        ask = g.Tree(
            entries={"to": g.object_id(_blob(echo.hex())), "question": g.object_id(question)}
        )
        ex.inject(req, g.object_id(ask), {"mt": "ask"}, objects=(_blob(echo.hex()), question, ask))
        _say(ex, req, "ask", g.Tree(entries={"to": g.object_id(_blob(echo.hex()))}))
        ex.run_until_quiescent()
        return [fan, echo, req, *counters]

    py, wasm = _twins(scenario)
    assert py == wasm


@pytest.mark.req("WASM-022", "WIT-022.1", "WIT-023.1", "WIT-025.2", "WIT-025.3", "WIT-025.4")
def test_spawner_updater_and_budget_twins() -> None:
    def scenario(ex: Executor) -> list[g.ObjectId]:
        spawner, updater = _spawn(ex, "spawner"), _spawn(ex, "updater")
        core, objects = test_actor_core("counter", {"tag": _blob("spawned")})
        ex.inject(spawner, g.object_id(core), {"mt": "spawn"}, objects=(*objects,))
        _say(ex, updater, "set-code", g.Blob(data=b"\xff"))  # copied unchecked (WIT-023.1)
        _say(ex, updater, "set-code", _blob("echo"))
        bcore, bobjects = test_actor_core("budget", {"budget": _blob("10")})
        budget = ex.genesis(bcore, bobjects)
        for amount in ("10", "10", "", "x", "0", "007", "1" * 19, "3"):
            _say(ex, budget, "spend", _blob(amount))
        ex.run_until_quiescent()
        _say(ex, updater, "hello", _blob("now an echo"))
        ex.run_until_quiescent()
        return [spawner, updater, budget, g.object_id(core)]

    py, wasm = _twins(scenario)
    assert py == wasm
    assert py[3][0] is not None  # the spawned counter exists  # type: ignore[index]


@pytest.mark.req("WASM-022", "WIT-024", "WIT-027", "WASM-021")
def test_failing_and_slow_twins_never_get_a_step() -> None:
    def scenario(ex: Executor) -> list[g.ObjectId]:
        failing, slow = _spawn(ex, "failing"), _spawn(ex, "slow")
        _say(ex, failing, "x", _blob("1"))
        report = ex.run_until_quiescent()
        assert {f.actor for f in report.failures} == {failing, slow}
        return [failing, slow]

    py, wasm = _twins(scenario)
    assert py == wasm
    assert py[0][0] is None and py[0][2]  # no step, messages still pending  # type: ignore[index]


@pytest.mark.req("WASM-022", "WIT-018", "WASM-014", "WIT-020.5", "WIT-025.5", "WIT-026.3")
@pytest.mark.parametrize("name", ACTOR_NAMES)
def test_queries_answer_as_the_python_twin(name: str) -> None:
    store = g.Store.memory()
    core, objects = test_actor_core(name, {"count": _blob("41"), "budget": _blob("7")})
    for obj in objects:
        store.put_object(obj)
    step = g.Step(actor=g.object_id(core), core=g.object_id(core))
    inp = QueryInput(actor=g.object_id(core), step=step, core=core, objects=store)
    wasm = load(WITS, store, module("actors", name))
    py = TEST_ACTORS[name]
    for query in ("wut", "count", "budget", "answer", "nope"):
        try:
            expected: object = py.query(query, inp)
        except g.UnknownQuery:
            expected = g.UnknownQuery
        try:
            got: object = wasm.query(query, inp)
        except g.UnknownQuery:
            got = g.UnknownQuery
        assert got == expected, query
    assert json.loads(wasm.query("wut", inp).data)["name"] == name


@pytest.mark.req("WASM-022.1")
def test_committed_binaries_equal_a_fresh_build() -> None:
    report = build(WASM_DIR, check=True)
    assert report.ok, report.changed
    names = {p.stem for p in report.sources if p.parent.name == "actors"}
    assert names == set(ACTOR_NAMES)


@pytest.mark.req("WASM-022", "WIT-021")
def test_wasm_fanout_skips_a_malformed_actor_id() -> None:
    # The Python fanout fails on a malformed id (InvalidId is not a ValueError); the
    # module follows the actors' rule that bad input is read without effect.
    store = g.Store.memory()
    ex = Executor(store, actors=wasm_actors(WITS, store))
    fan, target = _spawn(ex, "fanout"), _spawn(ex, "echo")
    good, bad = _blob(target.hex()), _blob("zz")
    tree = g.Tree(entries={"bad": g.object_id(bad), "good": g.object_id(good)})
    ex.inject(fan, g.object_id(tree), {"mt": "fanout"}, objects=(good, bad, tree))
    report = ex.run_until_quiescent()
    assert report.failures == ()
    step = ex.head_step(target)
    assert step is not None
    echoed = pending(store, mailbox_entries(store, step.outbox)[fan], None)
    assert [(m.mt, m.message.content) for m in echoed] == [("echo", g.object_id(tree))]


@pytest.mark.req("WASM-022.1")
def test_the_build_command_checks_and_rewrites(tmp_path: Path) -> None:
    source = tmp_path / "echo.wat"
    source.write_text((WASM_DIR / "actors" / "echo.wat").read_text())
    target = tmp_path / "echo.wasm"
    target.write_bytes(b"stale")
    assert main(["wasm", "build", "--check", "--dir", str(tmp_path)]) == 1
    assert target.read_bytes() == b"stale"
    assert main(["wasm", "build", "--dir", str(tmp_path)]) == 0
    assert target.read_bytes() == module("actors", "echo")
    assert main(["wasm", "build", "--check", "--dir", str(tmp_path)]) == 0


def _fan_step(ex: Executor, sent: int, skipped: int) -> tuple[tuple[object, ...], list[str]]:
    """One ``fanout`` step over a tree of ``sent`` ids and ``skipped`` blobs holding no id
    (entry names of 6 bytes): the steps adopted and the failures' classes."""
    core, objects = test_actor_core("fanout")
    fan = ex.genesis(core, objects)
    ex.run_until_quiescent()
    blobs = {f"e{i:05d}": _blob(g.object_id(_blob(f"r{i}")).hex()) for i in range(sent)}
    blobs.update({f"s{i:05d}": _blob("no id") for i in range(skipped)})
    tree = g.Tree(entries={k: g.object_id(v) for k, v in blobs.items()})
    ex.inject(fan, g.object_id(tree), {"mt": "fanout"}, objects=(*blobs.values(), tree))
    report = ex.run_until_quiescent()
    return report.steps, [f.error_class for f in report.failures]


@pytest.mark.slow
@pytest.mark.req("WASM-022.2", "WASM-016", "WASM-018.3", "WASM-019", "WIT-021.1")
@pytest.mark.parametrize(
    ("sent", "skipped", "wasm_fails"),
    [
        (1024, 0, None),
        (1025, 0, "output-too-large"),
        # thousands of host calls a step, tens of seconds on a loaded machine: heavy
        pytest.param(0, 3321, None, marks=pytest.mark.heavy),
        pytest.param(0, 3322, "fuel-exhausted", marks=pytest.mark.heavy),
        pytest.param(1024, 2293, None, marks=pytest.mark.heavy),
        pytest.param(1024, 2294, "fuel-exhausted", marks=pytest.mark.heavy),
    ],
)
def test_the_fanout_build_matches_within_the_wasm_limits_only(
    sent: int, skipped: int, wasm_fails: str | None
) -> None:
    """The figures ``conformance/wasm/README.md`` gives, each limit from both sides: the
    built-in ``fanout`` adopts every one of these steps; the build adopts the same step
    up to the limit and fails with the limit's class past it (WASM-022.2)."""
    py, wasm = twin_executors(WITS)
    py_steps, py_failures = _fan_step(py, sent, skipped)
    wasm_steps, wasm_failures = _fan_step(wasm, sent, skipped)
    assert len(py_steps) == 1 and py_failures == []
    if wasm_fails is None:
        assert wasm_steps == py_steps and wasm_failures == []
    else:
        assert wasm_steps == () and wasm_failures == [wasm_fails]
