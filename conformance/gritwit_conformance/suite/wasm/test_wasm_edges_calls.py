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

from .._check import Clause, call_ok, check_equal, check_type
from .._check_more import check_same
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
    impl: Implementation, wasm: bytes, state: dict[str, str], messages: int, clause: Clause
) -> tuple[list[Any], str, str]:
    """Genesis, then ``messages`` messages one step each: every run's (steps, failures),
    each answer checked to be a value under ``clause``."""
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    genesis = call_ok(impl, clause, "wit-genesis", runtime=runtime, module=wasm.hex(), state=state)
    actor = str(genesis["actor"])
    runs = []
    for index in range(messages + 1):
        if index:
            content = {"tree": {"x": {"blob": "01"}}}
            call_ok(impl, clause, "wit-send", runtime=runtime, to=actor, mt="go", content=content)
        run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
        runs.append((run["steps"], run["failures"]))
    return runs, runtime, actor


def _run(
    impl: Implementation,
    wasm: bytes,
    clause: Clause,
    state: dict[str, str] | None = None,
    messages: int = 0,
) -> tuple[list[Any], str, str]:
    """:func:`_scenario` on ``impl``, checked against the reference's runs under ``clause``."""
    runs, runtime, actor = _scenario(impl, wasm, state or {}, messages, clause)
    oracle = InProcess()
    try:
        expected, _, _ = _scenario(oracle, wasm, state or {}, messages, clause)
    finally:
        oracle.close()
    check_equal(clause, expected, runs, "the runs' [steps, failures], as the reference's")
    return runs, runtime, actor


def _object(
    impl: Implementation, runtime: str, oid: g.ObjectId | str, clause: Clause
) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    raw = call_ok(impl, clause, "wit-object", runtime=runtime, id=text)["bytes"]
    return g.decode_object(bytes.fromhex(raw))


def _core(impl: Implementation, runtime: str, actor: str, clause: Clause) -> g.Tree:
    head = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)["step"]
    step = check_type(
        clause,
        _object(impl, runtime, head, clause),
        g.Step,
        expected="a step",
        what="the actor's head",
    )
    return check_type(
        clause,
        _object(impl, runtime, step.core, clause),
        g.Tree,
        expected="a tree",
        what="the core of the actor's head",
    )


def _rc(impl: Implementation, runtime: str, actor: str, clause: Clause) -> bytes:
    blob = check_type(
        clause,
        _object(impl, runtime, _core(impl, runtime, actor, clause).entries["rc"], clause),
        g.Blob,
        expected="a blob",
        what="the core entry rc",
    )
    return blob.data


@pytest.mark.req("WASM-007.5", "WASM-010.1", "WASM-012.1", "WASM-012.2")
def test_mark_read_send_and_send_object_return_0(impl: Implementation) -> None:
    calls: list[Call] = [
        ("mark_read", [0]),
        ("send", [ALICE, b"", b"hi", 0]),
        ("send_object", [ALICE, b"", LINK, 0]),
    ]
    wasm = _step_module(calls, on_message=True)
    runs, runtime, actor = _run(impl, wasm, "WASM-007.5", {"a": "01"}, 1)
    check_equal("WASM-007.5", [], runs[1][1], "the failures of the message's step")
    check_equal(
        "WASM-007.5",
        b"\x00\x00\x00",
        _rc(impl, runtime, actor, "WASM-007.5"),
        "the return codes of mark_read, send and send_object: each 0 on success",
    )


@pytest.mark.req("WASM-007.5", "WASM-014.4", "WASM-014.6")
def test_answer_returns_0(impl: Implementation) -> None:
    """The query answers, stores what ``answer`` returned, and answers that byte last."""
    lowering = Lowering()
    lines = lowering.calls([("answer", [b"x", b""])])
    lines.append("(drop (call $answer (i32.const 0) (i32.const 1) (i32.const 0) (i32.const 0)))")
    wasm = module(ARITY, lowering, {"step": [], "query": lines})
    runs, runtime, actor = _run(impl, wasm, "WASM-014.4", {"a": "01"})
    check_equal("WASM-014.4", [], runs[0][1], "the failures of the genesis step")
    data = call_ok(impl, "WASM-014.6", "wit-query", runtime=runtime, actor=actor, name="q")["data"]
    check_equal("WASM-007.5", "00", data, "the query's answer: the code the first answer returned")


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
    runs, runtime, actor = _run(impl, _step_module(calls, pages=17), "WASM-018.1", {"a": "01"})
    if extra:
        check_equal(
            "WASM-018.3",
            [[actor, "output-too-large"]],
            runs[0][1],
            f"the failures of a step of 1 MiB + 1 of output and a {call}",
        )
    else:
        check_equal(
            "WASM-018.1", [], runs[0][1], f"the failures of a step of 1 MiB of output and a {call}"
        )
        check_equal(
            "WASM-018.1",
            b"\x00\x00",
            _rc(impl, runtime, actor, "WASM-018.1"),
            f"the return codes of core_set and {call}",
        )


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
    rule = "WASM-010.4" if name == "mark_read" else "WASM-009.7"
    runs, _, actor = _run(impl, module(ARITY, lowering, {"step": lines}), rule, {}, 1)
    expected = [] if index == "count-1" else [[actor, "trap"]]
    check_equal(rule, expected, runs[1][1], f"the failures of {name}({index}), one message visible")


@pytest.mark.req("WASM-011.1", "WASM-011.2")
def test_reads_go_through_trees_of_the_input_core(impl: Implementation) -> None:
    """A later step reads ``t/v/w``, which an earlier step created: through two input trees."""
    calls: list[Call] = [
        ("core_read", [b"t/v/w", 3000, 16]),
        ("core_read", [b"t/v/nope", 3000, 16]),
        ("core_set", [b"t/v/w", b"xyz", b""]),
    ]
    runs, runtime, actor = _run(impl, _step_module(calls), "WASM-011.1", {}, 1)
    check_equal("WASM-011.1", [[], []], [failures for _, failures in runs], "the runs' failures")
    check_equal(
        "WASM-011.2",
        b"\x03\xff\x00",
        _rc(impl, runtime, actor, "WASM-011.2"),
        "the return codes of reading t/v/w (3 bytes), t/v/nope (-1), the set (0)",
    )


@pytest.mark.req("WIT-015", "OBJ-010", "WASM-013.2")
def test_a_step_that_deletes_every_entry_is_invalid(impl: Implementation) -> None:
    lowering = Lowering()
    wasm = module(ARITY, lowering, {"step": lowering.calls([("core_delete", [b"wit"])])})
    runs, _, actor = _run(impl, wasm, "WIT-015")
    check_equal(
        "WIT-015",
        [[actor, "invalid-transition"]],
        runs[0][1],
        "the failures of a step deleting every entry, wit included",
    )


@pytest.mark.req("WIT-007.2", "WIT-001.2", "WASM-013.2")
@pytest.mark.parametrize("messages", [0, 1])
def test_a_step_that_sets_a_wit_without_runtime_is_invalid(
    impl: Implementation, messages: int
) -> None:
    """A step sets ``wit`` to a new blob without headers: the new core's ``wit`` names no
    ``runtime`` (WIT-001.2), so the core is no valid core and the step fails
    ``invalid-transition`` (WIT-007.2), the genesis transition (``messages`` 0) and a
    later one (1, on the message only) alike. The Wit that ran was read in the
    transition, but the new core names another blob, which is checked."""
    lowering = Lowering()
    calls = lowering.calls([("core_set", [b"wit", b"no runtime header", b""])])
    if messages:
        calls = [f"(if (call $msg_count) (then {' '.join(calls)}))"]
    runs, _, actor = _run(impl, module(ARITY, lowering, {"step": calls}), "WIT-007.2", {}, messages)
    check_equal(
        ("WIT-007.2", "WIT-001.2"),
        [[actor, "invalid-transition"]],
        runs[messages][1],
        "the failures of the step that sets wit to a blob without headers",
    )


#: An id no one stores (a blob of this data is never sent nor set).
ABSENT = g.object_id(g.Blob(data=b"stored by no one (a core of 1,024 entries)")).hex().encode()


@pytest.mark.req("WIT-007.3", "WASM-011.4", "WASM-013.2")
@pytest.mark.parametrize("entries", [1020, 1021])
def test_a_link_to_an_absent_object_in_a_large_core_is_invalid(
    impl: Implementation, entries: int
) -> None:
    """A core of ``entries`` state entries and ``wit``; on a message the step links
    ``l`` to an object no one stored (and sets ``rc``), so the new core, of 1,023 or
    1,024 entries, names an absent object and the step fails ``invalid-transition``
    (WIT-007.3), whatever the core's size: a runtime that checks a changed core's few
    entries by themselves and a large one by walking it must not skip the check at the
    size where it switches."""
    state = {f"e{i:04d}": "01" for i in range(entries)}
    wasm = _step_module([("core_link", [b"l", ABSENT])], on_message=True)
    runs, _, actor = _run(impl, wasm, "WIT-007.3", state, 1)
    check_equal(
        ("WIT-007.3", "WASM-013.2"),
        [[], [[actor, "invalid-transition"]]],
        [failures for _, failures in runs],
        f"the failures of the genesis and of the step linking an absent object into a core "
        f"of {entries + 3} entries",
    )


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
        rule = "WASM-023.1"
        runtime = str(call_ok(side, rule, "wit-open")["runtime"])
        genesis = call_ok(side, rule, "wit-genesis", runtime=runtime, module=wasm.hex(), state={})
        actor = str(genesis["actor"])
        first = call_ok(side, rule, "wit-run", runtime=runtime, max_steps=1)
        head = call_ok(side, rule, "wit-head", runtime=runtime, actor=actor)["step"]
        runs: list[Any] = [actor, first["failures"]]
        for _ in range(2):
            content = {"blob": head.encode().hex()}
            call_ok(side, rule, "wit-send", runtime=runtime, to=actor, mt="go", content=content)
            run = call_ok(side, rule, "wit-run", runtime=runtime, max_steps=1)
            runs.append((run["steps"], run["failures"]))
        return runs

    runs = scenario(impl)
    oracle = InProcess()
    try:
        check_equal(
            "WASM-023.1",
            scenario(oracle),
            runs,
            "[actor, genesis failures, then each run's steps and failures], as the reference's",
        )
    finally:
        oracle.close()
    actor = runs[0]
    check_equal("WASM-023.1", [], runs[1], "the failures of the genesis step")
    check_equal(
        "WASM-023.1",
        [],
        runs[2][1],
        "the failures of the step linking image to a present step: a valid link",
    )
    check_equal(
        "WASM-023.1",
        ([], [[actor, "invalid-image"]]),
        runs[3],
        "the next run's [steps, failures]: its core's image is a step",
    )


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
    runs, runtime, actor = _run(impl, bytes(wasmtime.wat2wasm(wat)), "WASM-005.2", {})
    check_equal("WASM-005.2", [], runs[0][1], "the failures of the genesis step")
    core = _core(impl, runtime, actor, "WASM-005.2")
    found = {name: _object(impl, runtime, oid, "WASM-005.2") for name, oid in core.entries.items()}
    check_same(
        "WASM-005.2",
        g.Blob(data=b"started"),
        found["s"],
        "the entry s the start function's core_set wrote",
    )
    check_same(
        "WASM-011.3",
        g.Blob(data=b"\x00"),
        found["rc"],
        "the entry rc: the start function's core_set returned 0",
    )
