"""Queries of a Wasm Wit, rule by rule (WASM-014, WASM-018, WASM-002).

Generated modules: an empty ``step``, and a ``query`` that makes a fixed list of host
calls, records each return value as one byte, and answers with those bytes (or
answers as the case says). A query without an answer, or a module without a
``query`` export, is ``unknown-query``; the step-only functions trap in a query and
the query-only functions trap in a step; answers count as output (1 MiB).
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response

from .._check import Clause, call_ok, check_equal, error_answer, ok_answer
from ._calls import Call, Lowering, module

pytestmark = pytest.mark.profile("wasm")

ARITY = {
    "msg_count": 0,
    "query_name": 2,
    "answer": 4,
    "answer_core": 2,
    "core_read": 4,
    "core_set": 6,
    "core_delete": 2,
    "mark_read": 1,
    "send": 7,
}
ALICE = g.object_id(g.Blob(data=b"alice")).hex().encode()


def _module(
    query: list[Call] | None,
    *,
    answer: bool = True,
    step: tuple[Call, ...] = (),
    pages: int = 1,
) -> bytes:
    """An empty or ``step``-calling step, and a query making ``query`` then answering."""
    lowering = Lowering()
    funcs = {"step": lowering.calls(step)}
    if query is not None:
        lines = lowering.calls(query)
        if answer:
            lines.append(
                f"(drop (call $answer (i32.const 0) (i32.const {len(query)}) "
                "(i32.const 0) (i32.const 0)))"
            )
        funcs["query"] = lines
    return module(ARITY, lowering, funcs, pages)


def _actor(
    impl: Implementation, module: bytes, state: dict[str, str] | None = None, *, clause: Clause
) -> tuple[str, str, list[Any]]:
    """A runtime, an actor of ``module`` and its genesis's failures; ``clause`` is the
    calling test's, which a refused command breaks."""
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    state = {"a": "0102"} if state is None else state
    made = call_ok(impl, clause, "wit-genesis", runtime=runtime, module=module.hex(), state=state)
    actor = str(made["actor"])
    failures = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)["failures"]
    return runtime, actor, failures


def _query(
    impl: Implementation, module: bytes, state: dict[str, str] | None = None, *, clause: Clause
) -> Response:
    """The answer to the query ``q`` of an actor of ``module`` whose genesis succeeded."""
    runtime, actor, failures = _actor(impl, module, state, clause=clause)
    check_equal(clause, [], failures, "the failures of the querying actor's genesis")
    return impl.call("wit-query", runtime=runtime, actor=actor, name="q")


@pytest.mark.req("WASM-014.7")
@pytest.mark.req("CONV-004")
def test_a_module_without_a_query_export_is_unknown_query(impl: Implementation) -> None:
    reply = _query(impl, _module(None), clause="WASM-014.7")
    error_answer(reply, "WASM-014.7", "unknown-query", "wit-query of a module without query")


@pytest.mark.req("WASM-014.7")
@pytest.mark.req("CONV-004")
def test_a_query_that_does_not_answer_is_unknown_query(impl: Implementation) -> None:
    reply = _query(impl, _module([("query_name", [0, 0])], answer=False), clause="WASM-014.7")
    error_answer(reply, "WASM-014.7", "unknown-query", "wit-query of a query that never answers")


@pytest.mark.req("WASM-014.2", "WASM-014.3", "WASM-014.5", "WASM-007.4")
def test_query_calls_return_what_the_abi_says(impl: Implementation) -> None:
    calls: list[Call] = [
        ("query_name", [2048, 16]),  # the name "q": returns its length, 1
        ("answer_core", [b"nope"]),  # no such path: -1
        ("answer_core", [b"a"]),  # a blob: 0
        ("core_read", [b"a", 2048, 16]),  # 2 bytes
        ("core_read", [b"nope", 2048, 16]),  # -1
    ]
    reply = _query(impl, _module(calls), clause="WASM-014.2")
    data = ok_answer(reply, "WASM-014.2", "wit-query of a query answering its calls' results")
    check_equal(
        ("WASM-014.2", "WASM-014.3", "WASM-014.5", "WASM-007.4"),
        "01ff0002ff",
        data.get("data"),
        "the return values, a byte each, of query_name (1), answer_core of no path (-1) and "
        "of a blob (0), core_read of 2 bytes (2) and of no path (-1)",
    )


@pytest.mark.req("WASM-014.6", "WASM-014.5")
def test_the_last_answer_is_the_result(impl: Implementation) -> None:
    module = _module([("answer_core", [b"a"])], answer=False)
    reply = _query(impl, module, clause="WASM-014.6")
    data = ok_answer(reply, "WASM-014.6", "wit-query of a query whose last answer is answer_core")
    check_equal(
        ("WASM-014.6", "WASM-014.5"),
        "0102",
        data.get("data"),
        "the data answered: the blob a answer_core answered with, the last answer",
    )


STEP_ONLY: dict[str, Call] = {
    "core_set": ("core_set", [b"x", b"y", b""]),
    "core_delete": ("core_delete", [b"a"]),
    "mark_read": ("mark_read", [0]),
    "send": ("send", [ALICE, b"", b"hi", 0]),
    "msg_count": ("msg_count", []),
}


@pytest.mark.req("WASM-014.8")
@pytest.mark.parametrize("name", sorted(STEP_ONLY))
@pytest.mark.req("CONV-004")
def test_step_functions_trap_in_a_query(impl: Implementation, name: str) -> None:
    reply = _query(impl, _module([STEP_ONLY[name]]), clause="WASM-014.8")
    error_answer(reply, "WASM-014.8", "trap", f"wit-query of a query calling {name}")


QUERY_ONLY: dict[str, Call] = {
    "query_name": ("query_name", [0, 0]),
    "answer": ("answer", [b"x", b""]),
    "answer_core": ("answer_core", [b"a"]),
}


@pytest.mark.req("WASM-014.9")
@pytest.mark.parametrize("name", sorted(QUERY_ONLY))
def test_query_functions_trap_in_a_step(impl: Implementation, name: str) -> None:
    _, actor, failures = _actor(impl, _module(None, step=(QUERY_ONLY[name],)), clause="WASM-014.9")
    check_equal("WASM-014.9", [[actor, "trap"]], failures, f"the failures of a step calling {name}")


@pytest.mark.req("WASM-018.1", "WASM-018.3", "WASM-014.4", "WASM-016")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("CONV-004")
def test_an_answer_of_1_mib_passes_and_one_byte_more_is_output_too_large(
    impl: Implementation,
) -> None:
    limit = 1024 * 1024
    fits = _module([("answer", [0, limit, 0, 0])], answer=False, pages=17)
    data = ok_answer(
        _query(impl, fits, clause="WASM-018.1"), "WASM-018.1", "wit-query answering 1 MiB"
    )
    check_equal(
        ("WASM-018.1", "WASM-014.4"),
        2 * limit,
        len(str(data.get("data"))),
        "the hex digits of the 1 MiB answer",
    )
    over = _module([("answer", [0, limit + 1, 0, 0])], answer=False, pages=17)
    reply = _query(impl, over, clause="WASM-018.1")
    error_answer(
        reply, ("WASM-018.1", "WASM-018.3"), "output-too-large", "wit-query answering 1 MiB + 1"
    )


@pytest.mark.req("WASM-018.1", "WASM-014.4")
@pytest.mark.req("CONV-004")
def test_an_answers_header_block_counts_as_output(impl: Implementation) -> None:
    limit, headers = 1024 * 1024, b"mt\x00big\x00"  # 7 bytes of header block
    fits = _module([("answer", [0, limit - 7, headers])], answer=False, pages=17)
    ok_answer(
        _query(impl, fits, clause="WASM-018.1"),
        ("WASM-018.1", "WASM-014.4"),
        "wit-query answering data and a header block of 1 MiB together",
    )
    over = _module([("answer", [0, limit - 6, headers])], answer=False, pages=17)
    reply = _query(impl, over, clause="WASM-018.1")
    error_answer(
        reply,
        ("WASM-018.1", "WASM-014.4"),
        "output-too-large",
        "wit-query answering data and a header block of 1 MiB + 1 together",
    )


@pytest.mark.req("WASM-018.1", "WASM-014.5")
@pytest.mark.req("CONV-004")
def test_the_blob_answer_core_answers_with_counts_as_output(impl: Implementation) -> None:
    limit = 1024 * 1024
    module = _module([("answer_core", [b"big"])], answer=False)
    fits = _query(impl, module, {"big": "00" * limit}, clause="WASM-018.1")
    data = ok_answer(fits, ("WASM-018.1", "WASM-014.5"), "answer_core of a 1 MiB blob")
    check_equal(
        ("WASM-018.1", "WASM-014.5"),
        2 * limit,
        len(str(data.get("data"))),
        "the hex digits of the answer_core of a 1 MiB blob",
    )
    reply = _query(impl, module, {"big": "00" * (limit + 1)}, clause="WASM-018.1")
    error_answer(
        reply, ("WASM-018.1", "WASM-014.5"), "output-too-large", "answer_core of a 1 MiB + 1 blob"
    )
