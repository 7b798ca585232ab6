"""A module's names over every input class: its ``abi`` header, imports, exports and the
name ``query_name`` hands back (WASM-001.3, WASM-002.1, WASM-004, WASM-014.2).
Helpers and the input-class rules: :mod:`._wasm_texts`.
"""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, check_error_class, error_answer, ok_answer
from ._calls import Lowering, module
from ._wasm_texts import (
    LINK,
    TEXT,
    WASM_HEADERS,
    _close,
    _esc,
    _genesis,
    _name,
    _open,
    _refused,
    _run,
    _variants,
    _wasm,
)

pytestmark = pytest.mark.profile("wasm")


# --------------------------------------------------------------------------- WASM-001.3

ECHO = _wasm('(module (memory (export "memory") 1) (func (export "step")))')
#: Values of ``abi`` by class, numeric look-alikes of ``1`` among them (``int()`` reads
#: U+0661, U+FF11 and U+1D7CF as 1; U+2160 is the Roman numeral one).
ABI_VALUES: dict[str, list[str]] = {
    "ascii": ["2", "01", "1 ", " 1", "1\n", "+1", "1.0", *tc.TEXT_SAMPLES["ascii"]],
    "mixed-case": ["\u2160", "\u2170", *tc.TEXT_SAMPLES["mixed-case"]],
    "bmp": ["\u0661", "\uff11", "1\ufeff", "1\uffff", *tc.TEXT_SAMPLES["bmp"]],
    "astral": ["\U0001d7cf", "1\U0001f600", *tc.TEXT_SAMPLES["astral"]],
    "lone-surrogate": ["1\ud800", "\udc001", *tc.TEXT_SAMPLES["lone-surrogate"]],
    "nul": ["1\x00", "\x001", *tc.TEXT_SAMPLES["nul"]],
    "empty": [""],
}


@pytest.mark.req("WASM-001.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
@pytest.mark.req("CONV-004")
def test_an_abi_other_than_exactly_1_is_unknown_wit(impl: Implementation, cls: str) -> None:
    """A core whose ``wit`` blob says ``abi`` = each value of the class: only ``1`` runs,
    every other text fails the genesis → ``unknown-wit``; so does ``ABI``/``Abi`` as the
    header's name (no ``abi``).  A lone surrogate cannot be a header: ``wit-send`` refuses
    it → ``invalid-utf8`` (ADP-004.8)."""
    runtime = _open(impl, clause="WASM-001.3")
    cases: list[dict[str, str]] = [{"runtime": "wasm", "abi": v} for v in ABI_VALUES[cls]]
    if cls == "mixed-case":
        cases += [{"runtime": "wasm", "ABI": "1"}, {"runtime": "wasm", "Abi": "1"}]
    cases.append(dict(WASM_HEADERS))  # the control: runs
    expected: dict[str, str | None] = {}
    for headers in cases:
        content = {"tree": {"wit": {"blob": ECHO.hex(), "headers": headers}}}
        if not all(tc.is_valid_text(v) for v in headers.values()):
            reply = impl.call(
                "wit-send", check=False, runtime=runtime, to=LINK, mt="genesis", content=content
            )
            check_error_class(
                "WASM-001.3",
                "invalid-utf8",
                _refused(reply),
                f"the error of wit-send of a genesis whose wit has the headers {headers!a}",
            )
            continue
        wit = g.Blob(data=ECHO, headers=headers)
        actor = g.object_id(g.Tree(entries={"wit": g.object_id(wit)})).hex()
        sent = impl.call("wit-send", runtime=runtime, to=actor, mt="genesis", content=content)
        ok_answer(sent, "WASM-001.3", f"a genesis whose wit has the headers {headers!a}")
        expected[actor] = None if headers == WASM_HEADERS else "unknown-wit"
    run = _run(impl, runtime, clause="WASM-001.3")
    found: dict[str, str | None] = dict.fromkeys(expected)
    found.update({actor: failed for actor, failed in run["failures"]})
    check_equal(
        "WASM-001.3",
        expected,
        found,
        "each actor's genesis failure (null: it ran): only abi = '1' runs, "
        "every other value → unknown-wit",
    )
    _close(impl, runtime, clause="WASM-001.3")


# --------------------------------------------------------------------------- WASM-002.1

IMPORT_BASES = {"module": "gritwit", "field": "msg_count"}


@pytest.mark.req("WASM-002.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
def test_imports_are_matched_by_exact_name(impl: Implementation, cls: str) -> None:
    """``msg_count`` imported from a module or under a name near ``gritwit``/``msg_count``:
    ``forbidden-import`` at ``wasm-load`` and at the genesis step; exact names load; a name
    of invalid UTF-8 is no module at all → ``invalid-module`` (checked before imports)."""
    runtime = _open(impl, clause="WASM-002.1")
    expected: dict[str, str] = {}
    for part, base in IMPORT_BASES.items():
        for variant in _variants(base, cls):
            text, patch = _name(variant)
            other = _esc(IMPORT_BASES["field" if part == "module" else "module"].encode())
            pair = (text, other) if part == "module" else (other, text)
            wat = (
                f'(module (import "{pair[0]}" "{pair[1]}" (func (result i32))) '
                '(memory (export "memory") 1) (func (export "step")))'
            )
            wasm = _wasm(wat, patch)
            want = "forbidden-import" if tc.is_valid_text(variant) else "invalid-module"
            loaded = impl.call("wasm-load", module=wasm.hex())
            check_equal(
                "WASM-002.1",
                want,
                _refused(loaded),
                f"the error of wasm-load of an import {part} named {variant!a}",
            )
            expected[_genesis(impl, runtime, wasm, clause="WASM-002.1")] = want
    failures = dict(_run(impl, runtime, clause="WASM-002.1")["failures"])
    check_equal("WASM-002.1", expected, failures, f"the genesis failures of the {cls} imports")
    exact = _wasm(
        '(module (import "gritwit" "msg_count" (func (result i32))) '
        '(memory (export "memory") 1) (func (export "step")))'
    )
    ok_answer(
        impl.call("wasm-load", module=exact.hex()),
        "WASM-002.1",
        "wasm-load of gritwit.msg_count imported by its exact name",
    )
    _close(impl, runtime, clause="WASM-002.1")


# --------------------------------------------------------------------------- WASM-004


@pytest.mark.req("WASM-004")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
@pytest.mark.req("WASM-014.7")
@pytest.mark.req("CONV-004")
def test_exports_are_found_by_exact_name(impl: Implementation, cls: str) -> None:
    """``memory`` or ``step`` exported only under a near name → ``invalid-module``
    (``wasm-load``, the genesis step); beside the exact names the same export is ignored;
    ``query`` under a near name is no query → ``unknown-query``.  A name of invalid UTF-8
    makes no module → ``invalid-module``."""
    runtime = _open(impl, clause="WASM-004")
    expected: dict[str, str] = {}
    queries: list[tuple[str, str]] = []
    for export in ("memory", "step", "query"):
        for variant in _variants(export, cls):
            text, patch = _name(variant)
            names = {"memory": "memory", "step": "step", "query": "query"}
            alone = dict(names, **{export: text})
            beside = (
                '(memory $m 1) (export "memory" (memory $m)) (func $s) (export "step" (func $s)) '
                "(func $q (drop (call $answer (i32.const 0) (i32.const 0) (i32.const 0) "
                '(i32.const 0)))) (export "query" (func $q))'
            )
            imports = (
                '(import "gritwit" "answer" (func $answer (param i32 i32 i32 i32) (result i32)))'
            )
            body = (
                f'(memory $m 1) (export "{alone["memory"]}" (memory $m)) (func $s) '
                f'(export "{alone["step"]}" (func $s)) (func $q (drop (call $answer '
                "(i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))) "
                f'(export "{alone["query"]}" (func $q))'
            )
            wasm = _wasm(f"(module {imports} {body})", patch)
            valid = tc.is_valid_text(variant)
            if not valid:
                want: str | None = "invalid-module"
            else:
                want = None if export == "query" else "invalid-module"
            check_equal(
                "WASM-004",
                want,
                _refused(impl.call("wasm-load", module=wasm.hex())),
                f"the error of wasm-load of {export} exported as {variant!a} (null: none)",
            )
            actor = _genesis(impl, runtime, wasm, clause="WASM-004")
            if want is None:
                queries.append((actor, variant))
            else:
                expected[actor] = want
            if valid:
                extra = (
                    f'(export "{text}" (func $q))'
                    if export == "query"
                    else (
                        f'(export "{text}" (memory $m))'
                        if export == "memory"
                        else f'(export "{text}" (func $s))'
                    )
                )
                both = _wasm(f"(module {imports} {beside} {extra})")
                ok_answer(
                    impl.call("wasm-load", module=both.hex()),
                    "WASM-004",
                    f"wasm-load of an export {variant!a} beside {export}: ignored",
                )
    failures = dict(_run(impl, runtime, clause="WASM-004")["failures"])
    check_equal("WASM-004", expected, failures, f"the genesis failures of the {cls} export names")
    for actor, variant in queries:
        reply = impl.call("wit-query", runtime=runtime, actor=actor, name="q")
        error_answer(
            reply,
            "WASM-014.7",
            "unknown-query",
            f"a query of a module exporting query only as {variant!a}",
        )
    _close(impl, runtime, clause="WASM-004")


# --------------------------------------------------------------------------- WASM-014.2


def _query_name_module() -> bytes:
    lowering = Lowering()
    query = [
        "(drop (call $answer (i32.const 8192) (call $query_name (i32.const 8192) "
        "(i32.const 4096)) (i32.const 0) (i32.const 0)))"
    ]
    return module({"query_name": 2, "answer": 4}, lowering, {"step": [], "query": query})


@pytest.mark.req("WASM-014.2", "ADP-004.11")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", TEXT)
@pytest.mark.req("CONV-004")
def test_query_name_returns_the_name_byte_for_byte(impl: Implementation, cls: str) -> None:
    """The guest answers what ``query_name`` gave it: the name's UTF-8, NUL and all, the
    empty name as no bytes.  A name with a lone surrogate is no text; no guest may see it:
    the query is a malformed request → ``bad-request`` (ADP-004.11)."""
    runtime = _open(impl, clause="WASM-014.2")
    actor = _genesis(impl, runtime, _query_name_module(), clause="WASM-014.2")
    failures = _run(impl, runtime, clause="WASM-014.2")["failures"]
    check_equal("WASM-014.2", [], failures, "the failures of the genesis step")
    for name in tc.TEXT_SAMPLES[cls]:
        reply = impl.call("wit-query", check=False, runtime=runtime, actor=actor, name=name)
        if not tc.is_valid_text(name):
            error_answer(
                reply, "ADP-004.11", "bad-request", f"a query named {name!a} (a lone surrogate)"
            )
            continue
        data = bytes.fromhex(ok_answer(reply, "WASM-014.2", f"a query named {name!a}")["data"])
        check_equal("WASM-014.2", name.encode(), data, f"what query_name gave for {name!a}")
    _close(impl, runtime, clause="WASM-014.2")
