"""Which comes first for a big write: validity, then the output count, then encoding.

WASM-018.4: a ``core_set``, ``send`` or ``answer`` is first checked for its own
validity (a write through an entry that is not a tree returns -1 and counts nothing,
WASM-011.6, WASM-018.2), then counted against the 1 MiB output limit
(``output-too-large``), and only then encoded.  A write of the whole 16 MiB memory
therefore never reaches the 16 MiB encoding limit (ENC-013): on a path that can hold
it, it is ``output-too-large``; through a blob, it is -1 and the step goes on.  A host
that encodes first fails such a step with the encoder's error instead.

The boundaries around 1 MiB (the last allowed output and the first refused one) are
checked in ``test_wasm_host_calls.py`` and ``test_wasm_queries.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check_equal, check_type, error_answer, fail
from ._calls import Call, Lowering, module

pytestmark = pytest.mark.profile("wasm")

ARITY = {"send": 7, "core_set": 6, "answer": 4}
#: The whole memory the limits allow (WASM-016): 256 pages of 64 KiB, 16 MiB.
PAGES = 256
WHOLE = PAGES * 65536
MiB = 1024 * 1024
ALICE_ID = g.object_id(g.Blob(data=b"alice")).hex().encode()
#: The rule every test here checks: what a refused command of its set-up breaks.
ORDER = "WASM-018.4"


def _object(impl: Implementation, runtime: str, oid: g.ObjectId) -> g.GritObject:
    data = call_ok(impl, ORDER, "wit-object", runtime=runtime, id=oid.hex())["bytes"]
    return g.decode_object(bytes.fromhex(data))


def _step(impl: Implementation, calls: list[Call]) -> tuple[list[Any], g.Tree | None, str, str]:
    """The genesis step of a module making ``calls`` then storing their return codes as rc.

    The core starts as ``wit`` and the blob ``a``; returns (failures, new core, actor,
    runtime).
    """
    lowering = Lowering()
    body = lowering.calls(calls)
    body.append(
        f"(drop (call $core_set (i32.const {lowering.place(b'rc')}) (i32.const 2) "
        f"(i32.const 0) (i32.const {len(calls)}) (i32.const 0) (i32.const 0)))"
    )
    wasm = module(ARITY, lowering, {"step": body}, PAGES)
    runtime = str(call_ok(impl, ORDER, "wit-open")["runtime"])
    made = call_ok(
        impl, ORDER, "wit-genesis", runtime=runtime, module=wasm.hex(), state={"a": "01"}
    )
    actor = str(made["actor"])
    run = call_ok(impl, ORDER, "wit-run", runtime=runtime, max_steps=1)
    if run["failures"]:
        return run["failures"], None, actor, runtime
    head = call_ok(impl, ORDER, "wit-head", runtime=runtime, actor=actor)["step"]
    step = check_type(
        ORDER,
        _object(impl, runtime, g.ObjectId.from_hex(head)),
        g.Step,
        expected="a step",
        what="the head",
    )
    core = check_type(
        ORDER, _object(impl, runtime, step.core), g.Tree, expected="a tree", what="its core"
    )
    return [], core, actor, runtime


def _data(impl: Implementation, runtime_core: tuple[str, g.Tree], name: str) -> bytes:
    runtime, core = runtime_core
    if name not in core.entries:
        fail(ORDER, expected=f"an entry {name}", came=sorted(core.entries), what="the core's names")
    blob = _object(impl, runtime, core.entries[name])
    return check_type(ORDER, blob, g.Blob, expected="a blob", what=f"the entry {name}").data


@pytest.mark.req("WASM-018.4", "WASM-018.3", "WASM-011.3", "ENC-013.2")
def test_a_core_set_of_the_whole_memory_is_output_too_large(impl: Implementation) -> None:
    """16 MiB on a path that can hold it: counted before encoded, so output-too-large."""
    failures, _, actor, _ = _step(impl, [("core_set", [b"big", 0, WHOLE, 0, 0])])
    check_equal(
        ("WASM-018.4", "WASM-018.3"),
        [[actor, "output-too-large"]],
        failures,
        "the failures of a 16 MiB core_set: counted before it is encoded",
    )


@pytest.mark.req("WASM-018.4", "WASM-018.2", "WASM-011.6")
def test_a_core_set_of_the_whole_memory_through_a_blob_returns_minus_1(
    impl: Implementation,
) -> None:
    """Through ``a`` (a blob) the path cannot hold it: -1, nothing counted, nothing encoded.

    The write after it, 1 MiB less the 2-byte rc, must still fit: the refused call
    counted no output.
    """
    calls: list[Call] = [
        ("core_set", [b"a/x", 0, WHOLE, 0, 0]),
        ("core_set", [b"after", 0, MiB - 2, 0, 0]),  # + the 2-byte rc: 1 MiB
    ]
    failures, core, _, _ = _step(impl, calls)
    if failures or core is None:
        fail(
            ("WASM-018.4", "WASM-011.6"),
            expected="no failure: a write through a blob returns -1 and the step goes on",
            came=failures,
            what="the failures of a 16 MiB core_set through a blob, then 1 MiB",
        )
    check_equal(
        ("WASM-018.4", "WASM-018.2"),
        ["a", "after", "rc", "wit"],
        sorted(core.entries),
        "the core's names: the refused write counted no output, so the 1 MiB after it fits",
    )


@pytest.mark.req("WASM-018.4", "WASM-011.6")
def test_the_return_code_of_a_huge_write_through_a_blob_is_minus_1(
    impl: Implementation,
) -> None:
    """The rc blob holds ff (-1) for the 16 MiB write through ``a`` and 0 for a small one."""
    calls: list[Call] = [
        ("core_set", [b"a/x", 0, WHOLE, 0, 0]),
        ("core_set", [b"small", 0, 3, 0, 0]),
    ]
    failures, core, _, runtime = _step(impl, calls)
    if failures or core is None:
        fail(
            ("WASM-018.4", "WASM-011.6"),
            expected="no failure: a write through a blob returns -1 and the step goes on",
            came=failures,
            what="the failures of a 16 MiB core_set through a blob, then 3 bytes",
        )
    check_equal(
        "WASM-011.6",
        "ff00",
        _data(impl, (runtime, core), "rc").hex(),
        "the return codes: -1 for the write through the blob a, 0 for the small one",
    )
    check_equal(
        "WASM-011.6", "01", _data(impl, (runtime, core), "a").hex(), "the blob a: unchanged"
    )


@pytest.mark.req("WASM-018.4", "WASM-018.3", "WASM-012.1", "ENC-013.2")
def test_a_send_of_the_whole_memory_is_output_too_large(impl: Implementation) -> None:
    """16 MiB of message data to a valid recipient: counted before encoded."""
    failures, _, actor, _ = _step(impl, [("send", [ALICE_ID, b"", 0, WHOLE, 0])])
    check_equal(
        ("WASM-018.4", "WASM-018.3"),
        [[actor, "output-too-large"]],
        failures,
        "the failures of a 16 MiB send: counted before it is encoded",
    )


@pytest.mark.req("WASM-018.4", "WASM-018.2", "WASM-008.1")
def test_a_send_of_the_whole_memory_to_a_malformed_recipient_is_invalid(
    impl: Implementation,
) -> None:
    """Validity comes first: a malformed recipient is -2, whatever the size, and counts nothing."""
    failures, core, _, _ = _step(impl, [("send", [b"not an id", b"", 0, WHOLE, 0])])
    if failures or core is None:
        fail(
            ("WASM-018.4", "WASM-018.2"),
            expected="no failure: a send to a malformed recipient returns -2, whatever its "
            "size, and the step goes on",
            came=failures,
            what="the failures of a 16 MiB send to a malformed recipient",
        )
    check_equal(
        ("WASM-018.4", "WASM-018.2"),
        ["a", "rc", "wit"],
        sorted(core.entries),
        "the core's names after the refused send",
    )


@pytest.mark.req("WASM-018.4", "WASM-018.3", "WASM-014.4")
@pytest.mark.req("CONV-004")
def test_an_answer_of_the_whole_memory_is_output_too_large(impl: Implementation) -> None:
    """A query answering with 16 MiB: output-too-large, not an encoding error."""
    lowering = Lowering()
    funcs = {"step": [], "query": lowering.calls([("answer", [0, WHOLE, 0, 0])])}
    wasm = module(ARITY, lowering, funcs, PAGES)
    runtime = str(call_ok(impl, ORDER, "wit-open")["runtime"])
    made = call_ok(impl, ORDER, "wit-genesis", runtime=runtime, module=wasm.hex(), state={})
    actor = str(made["actor"])
    run = call_ok(impl, ORDER, "wit-run", runtime=runtime, max_steps=1)
    check_equal(ORDER, [], run["failures"], "the failures of the empty genesis step")
    reply = impl.call("wit-query", runtime=runtime, actor=actor, name="q")
    error_answer(
        reply,
        ("WASM-018.4", "WASM-018.3"),
        "output-too-large",
        "wit-query answering 16 MiB: counted before it is encoded",
    )
