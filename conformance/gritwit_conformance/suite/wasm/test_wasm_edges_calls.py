"""Host calls at their edges: return codes, message indexes, output accounting, core reads.

Each module makes a fixed list of host calls (``_calls.py``) and stores their return
codes (one byte each: 0, ``ff`` for -1, ``fe`` for -2) in the core entry ``rc``; a
module whose calls need a visible message makes them only when ``msg_count()`` is not
0 — on the step of a message the test sends, since genesis messages are hidden
(WASM-009). Every scenario also runs on the in-process reference, whose steps and
failures the implementation's must equal.
"""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation, InProcess

from ._calls import Call, Lowering, module

pytestmark = pytest.mark.profile("wasm")

ARITY = {
    "msg_count": 0,
    "msg_sender": 3,
    "msg_header": 5,
    "msg_content": 5,
    "msg_read": 5,
    "msg_entry": 6,
    "mark_read": 1,
    "core_read": 4,
    "core_set": 6,
    "core_link": 4,
    "core_delete": 2,
    "send": 7,
    "send_object": 7,
    "query_name": 2,
    "answer": 4,
}
LINK = g.object_id(g.Blob(data=b"\x01")).hex().encode()
ALICE = g.object_id(g.Blob(data=b"alice")).hex().encode()
MiB = 1024 * 1024


def _step_module(calls: list[Call], *, on_message: bool = False, pages: int = 1) -> bytes:
    """A step making ``calls`` (on a message's step only, if ``on_message``), then rc."""
    lowering = Lowering()
    lines = lowering.calls(calls)
    if on_message:
        lines = [f"(if (call $msg_count) (then {' '.join(lines)}))"]
    lines.append(
        f"(drop (call $core_set (i32.const {lowering.place(b'rc')}) (i32.const 2) "
        f"(i32.const 0) (i32.const {len(calls)}) (i32.const 0) (i32.const 0)))"
    )
    return module(ARITY, lowering, {"step": lines}, pages)


def _scenario(
    impl: Implementation, wasm: bytes, state: dict[str, str], messages: int
) -> tuple[list[Any], str, str]:
    """Genesis, then ``messages`` messages one step each: every run's (steps, failures)."""
    runtime = str(impl.call("wit-open").expect_ok()["runtime"])
    actor = str(
        impl.call("wit-genesis", runtime=runtime, module=wasm.hex(), state=state).expect_ok()[
            "actor"
        ]
    )
    runs = []
    for index in range(messages + 1):
        if index:
            content = {"tree": {"x": {"blob": "01"}}}
            impl.call("wit-send", runtime=runtime, to=actor, mt="go", content=content).expect_ok()
        run = impl.call("wit-run", runtime=runtime, max_steps=1).expect_ok()
        runs.append((run["steps"], run["failures"]))
    return runs, runtime, actor


def _run(
    impl: Implementation, wasm: bytes, state: dict[str, str] | None = None, messages: int = 0
) -> tuple[list[Any], str, str]:
    """:func:`_scenario` on ``impl``, checked against the reference's runs."""
    runs, runtime, actor = _scenario(impl, wasm, state or {}, messages)
    oracle = InProcess()
    try:
        expected, _, _ = _scenario(oracle, wasm, state or {}, messages)
    finally:
        oracle.close()
    assert runs == expected, f"runs {runs}, the reference's {expected}"
    return runs, runtime, actor


def _object(impl: Implementation, runtime: str, oid: g.ObjectId | str) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    raw = impl.call("wit-object", runtime=runtime, id=text).expect_ok()["bytes"]
    return g.decode_object(bytes.fromhex(raw))


def _core(impl: Implementation, runtime: str, actor: str) -> g.Tree:
    step = _object(
        impl, runtime, impl.call("wit-head", runtime=runtime, actor=actor).expect_ok()["step"]
    )
    assert isinstance(step, g.Step)
    core = _object(impl, runtime, step.core)
    assert isinstance(core, g.Tree)
    return core


def _rc(impl: Implementation, runtime: str, actor: str) -> bytes:
    blob = _object(impl, runtime, _core(impl, runtime, actor).entries["rc"])
    assert isinstance(blob, g.Blob)
    return blob.data


@pytest.mark.req("WASM-007.5", "WASM-010.1", "WASM-012.1", "WASM-012.2")
def test_mark_read_send_and_send_object_return_0(impl: Implementation) -> None:
    calls: list[Call] = [
        ("mark_read", [0]),
        ("send", [ALICE, b"", b"hi", 0]),
        ("send_object", [ALICE, b"", LINK, 0]),
    ]
    runs, runtime, actor = _run(impl, _step_module(calls, on_message=True), {"a": "01"}, 1)
    assert runs[1][1] == [], runs
    assert _rc(impl, runtime, actor) == b"\x00\x00\x00", "each returns 0 on success (WASM-007)"


@pytest.mark.req("WASM-007.5", "WASM-014.4", "WASM-014.6")
def test_answer_returns_0(impl: Implementation) -> None:
    """The query answers, stores what ``answer`` returned, and answers that byte last."""
    lowering = Lowering()
    lines = lowering.calls([("answer", [b"x", b""])])
    lines.append("(drop (call $answer (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))")
    wasm = module(ARITY, lowering, {"step": [], "query": lines})
    runs, runtime, actor = _run(impl, wasm, {"a": "01"})
    assert runs[0][1] == [], runs
    data = impl.call("wit-query", runtime=runtime, actor=actor, name="q").expect_ok()["data"]
    assert data == "00", f"answer returned {data}, not 0"


@pytest.mark.req("WASM-018.1", "WASM-018.3", "WASM-016", "WASM-011.4", "WASM-011.5")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("call", ["core_link", "core_delete"])
@pytest.mark.parametrize("extra", [0, 1], ids=["1MiB", "1MiB+1"])
def test_core_link_and_core_delete_add_no_output_bytes(
    impl: Implementation, call: str, extra: int
) -> None:
    """Only data and header blocks are output bytes: a link or delete adds an effect only.

    ``core_set`` of ``big`` from offset 0, then the call, then the 2-byte ``rc``: exactly
    1 MiB passes, one byte more is ``output-too-large``.
    """
    second: Call = ("core_link", [b"l", LINK]) if call == "core_link" else ("core_delete", [b"a"])
    calls: list[Call] = [("core_set", [b"big", 0, MiB - 2 + extra, 0, 0]), second]
    runs, runtime, actor = _run(impl, _step_module(calls, pages=17), {"a": "01"})
    if extra:
        assert runs[0][1] == [[actor, "output-too-large"]], runs
    else:
        assert runs[0][1] == [], f"1 MiB of output with a {call} must pass: {runs}"
        assert _rc(impl, runtime, actor) == b"\x00\x00"


#: function → its arguments after the message index
INDEXED: dict[str, str] = {
    "msg_sender": "(i32.const 2048) (i32.const 64)",
    "msg_header": "(i32.const 0) (i32.const 0) (i32.const 2048) (i32.const 64)",
    "msg_content": "(i32.const 0) (i32.const 0) (i32.const 2048) (i32.const 64)",
    "msg_read": "(i32.const 0) (i32.const 0) (i32.const 2048) (i32.const 64)",
    "msg_entry": "(i32.const 0) (i32.const 0) (i32.const 0) (i32.const 2048) (i32.const 64)",
    "mark_read": "",
}


@pytest.mark.req("WASM-009.7", "WASM-010.4", "WASM-015.1")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("index", ["count-1", "count", "minus-1"])
@pytest.mark.parametrize("name", sorted(INDEXED))
def test_a_message_index_not_below_msg_count_traps(
    impl: Implementation, name: str, index: str
) -> None:
    """One message is visible: index 0 works, 1 (= ``msg_count()``) and 2³²−1 trap."""
    value = {"count-1": "(i32.sub (call $msg_count) (i32.const 1))", "count": "(call $msg_count)"}
    at = value.get(index, "(i32.const -1)")
    step = (
        f"(if (call $msg_count) (then (i32.store8 (i32.const 0) (call ${name} {at} "
        f"{INDEXED[name]}))))"
    )
    lowering = Lowering()
    lines = [
        step,
        f"(drop (call $core_set (i32.const {lowering.place(b'rc')}) (i32.const 2) "
        "(i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))",
    ]
    runs, _, actor = _run(impl, module(ARITY, lowering, {"step": lines}), {}, 1)
    expected = [] if index == "count-1" else [[actor, "trap"]]
    assert runs[1][1] == expected, f"{name}({index}) with one visible message: {runs}"


@pytest.mark.req("WASM-011.1", "WASM-011.2")
def test_reads_go_through_trees_of_the_input_core(impl: Implementation) -> None:
    """A later step reads ``t/v/w``, which an earlier step created: through two input trees."""
    calls: list[Call] = [
        ("core_read", [b"t/v/w", 3000, 16]),
        ("core_read", [b"t/v/nope", 3000, 16]),
        ("core_set", [b"t/v/w", b"xyz", b""]),
    ]
    runs, runtime, actor = _run(impl, _step_module(calls), {}, 1)
    assert [failures for _, failures in runs] == [[], []], runs
    assert _rc(impl, runtime, actor) == b"\x03\xff\x00", _rc(impl, runtime, actor).hex()


@pytest.mark.req("WIT-015", "OBJ-010", "WASM-013.2")
def test_a_step_that_deletes_every_entry_is_invalid(impl: Implementation) -> None:
    lowering = Lowering()
    wasm = module(ARITY, lowering, {"step": lowering.calls([("core_delete", [b"wit"])])})
    runs, _, actor = _run(impl, wasm)
    assert runs[0][1] == [[actor, "invalid-transition"]], runs


@pytest.mark.req("WASM-023.1", "WASM-021")
def test_an_image_entry_that_is_a_step_is_invalid_image(impl: Implementation) -> None:
    """A step links ``image`` to an existing step (present, so the link is valid).

    From then on the core declares an image that is neither the empty blob nor a tree:
    the next step fails → ``invalid-image``.
    """
    step = (
        "(if (call $msg_count) (then (if (i32.eq (call $msg_read (i32.const 0) (i32.const 0) "
        "(i32.const 0) (i32.const 1024) (i32.const 64)) (i32.const 64)) (then (drop (call "
        "$core_link (i32.const 512) (i32.const 5) (i32.const 1024) (i32.const 64))))) "
        "(drop (call $mark_read (i32.const 0)))))"
    )
    imports = " ".join(
        f'(import "gritwit" "{n}" (func ${n} (param{" i32" * ARITY[n]}) (result i32)))'
        for n in ("msg_count", "msg_read", "core_link", "mark_read")
    )
    wat = (
        f'(module {imports} (memory (export "memory") 1) (data (i32.const 512) "image") '
        f'(func (export "step") {step}))'
    )
    wasm = bytes(wasmtime.wat2wasm(wat))

    def scenario(side: Implementation) -> list[Any]:
        runtime = str(side.call("wit-open").expect_ok()["runtime"])
        actor = str(
            side.call("wit-genesis", runtime=runtime, module=wasm.hex(), state={}).expect_ok()[
                "actor"
            ]
        )
        genesis = side.call("wit-run", runtime=runtime, max_steps=1).expect_ok()
        head = side.call("wit-head", runtime=runtime, actor=actor).expect_ok()["step"]
        runs: list[Any] = [actor, genesis["failures"]]
        for _ in range(2):
            content = {"blob": head.encode().hex()}
            side.call("wit-send", runtime=runtime, to=actor, mt="go", content=content).expect_ok()
            run = side.call("wit-run", runtime=runtime, max_steps=1).expect_ok()
            runs.append((run["steps"], run["failures"]))
        return runs

    runs = scenario(impl)
    oracle = InProcess()
    try:
        assert runs == scenario(oracle)
    finally:
        oracle.close()
    actor = runs[0]
    assert runs[1] == [] and runs[2][1] == [], f"linking image to a present step is valid: {runs}"
    assert runs[3] == ([], [[actor, "invalid-image"]]), runs


@pytest.mark.req("WASM-005.2", "WASM-011.3")
def test_host_functions_work_in_the_start_function(impl: Implementation) -> None:
    """The start function runs as part of the call, and the step's host functions work in it.

    It writes ``s`` through ``core_set`` and stores the return code, which ``step``
    then writes as ``rc``: both entries are in the genesis step's core.
    """
    imports = (
        '(import "gritwit" "core_set" (func $core_set (param i32 i32 i32 i32 i32 i32) '
        "(result i32)))"
    )
    wat = (
        f'(module {imports} (memory (export "memory") 1) (data (i32.const 16) "s") '
        '(data (i32.const 32) "started") (data (i32.const 48) "rc") (start $init) '
        "(func $init (i32.store8 (i32.const 0) (call $core_set (i32.const 16) (i32.const 1) "
        "(i32.const 32) (i32.const 7) (i32.const 0) (i32.const 0)))) "
        '(func (export "step") (drop (call $core_set (i32.const 48) (i32.const 2) '
        "(i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))))"
    )
    runs, runtime, actor = _run(impl, bytes(wasmtime.wat2wasm(wat)), {})
    assert runs[0][1] == [], runs
    core = _core(impl, runtime, actor)
    found = {name: _object(impl, runtime, oid) for name, oid in core.entries.items()}
    assert found["s"] == g.Blob(data=b"started") and found["rc"] == g.Blob(data=b"\x00"), found
