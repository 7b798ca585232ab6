"""Every host function, each on its own, and the module size limit on both sides (WASM-002).

WASM-002: every import is one of the host functions of WASM-007 … WASM-014 from the
module ``gritwit`` *with exactly its type* (all parameters and the result ``i32``),
else ``forbidden-import``; a module of at most the module size limit (4 MiB,
WASM-016) passes the size check. The arities below are the signatures the chapter
gives; a module importing all of them loads, and each one imported with one
parameter more or one fewer is refused.
"""

from __future__ import annotations

import pytest
import wasmtime

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import Response

from .._check import SuiteBug, call_ok, check_equal, error_answer, ok_answer, suite_premise

pytestmark = pytest.mark.profile("wasm")

#: name → parameter count, from the signatures of WASM-008 … WASM-014.
HOST_FUNCTIONS: dict[str, int] = {
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
    "answer_core": 2,
}
MODULE_LIMIT = 4 * 1024 * 1024


def _module(imports: dict[str, int]) -> bytes:
    lines = [
        f'(import "gritwit" "{name}" (func (param{" i32" * arity}) (result i32)))'
        for name, arity in imports.items()
    ]
    wat = "(module " + " ".join(lines) + ' (memory (export "memory") 1) (func (export "step")))'
    return bytes(wasmtime.wat2wasm(wat))


def _load(impl: Implementation, module: bytes) -> Response:
    return impl.call("wasm-load", module=module.hex())


@pytest.mark.req("WASM-002.1", "WASM-007.1", "ADP-016")
def test_a_module_importing_every_host_function_loads(impl: Implementation) -> None:
    reply = _load(impl, _module(HOST_FUNCTIONS))
    ok_answer(
        reply,
        ("WASM-002.1", "WASM-007.1"),
        "wasm-load of a module importing every host function with its type",
    )


@pytest.mark.req("WASM-002.1", "WASM-007.1")
@pytest.mark.parametrize(
    ("name", "delta"),
    [(n, d) for n in sorted(HOST_FUNCTIONS) for d in (1, -1) if HOST_FUNCTIONS[n] + d >= 0],
)
@pytest.mark.req("CONV-004")
def test_a_host_function_with_another_arity_is_forbidden(
    impl: Implementation, name: str, delta: int
) -> None:
    arity = HOST_FUNCTIONS[name] + delta
    reply = _load(impl, _module({name: arity}))
    error_answer(
        reply,
        ("WASM-002.1", "WASM-007.1"),
        "forbidden-import",
        f"wasm-load of a module importing {name} with {arity} parameters, not its type's "
        f"{HOST_FUNCTIONS[name]}",
    )


def _padded(size: int) -> bytes:
    """A valid module of exactly ``size`` bytes: the minimal module plus a custom section."""
    base = _module({})
    for header in range(1, 6):  # custom section: id 0, LEB128 size, name length 1, name "p"
        payload = size - len(base) - 1 - header
        body = b"\x01p" + bytes(payload - 2)
        leb = bytearray()
        value = len(body)
        while True:
            byte, value = value & 0x7F, value >> 7
            leb.append(byte | (0x80 if value else 0))
            if not value:
                break
        if len(leb) == header:
            return base + b"\x00" + bytes(leb) + body
    raise SuiteBug(f"suite bug: no custom section pads a module to {size} bytes")


@pytest.mark.req("WASM-002.1", "WASM-016")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("CONV-004")
def test_a_module_of_exactly_the_size_limit_loads(impl: Implementation) -> None:
    module = _padded(MODULE_LIMIT)
    suite_premise(len(module) == MODULE_LIMIT, "the padded module is exactly 4 MiB")
    reply = _load(impl, module)
    ok_answer(reply, ("WASM-002.1", "WASM-016"), "wasm-load of a module of exactly 4 MiB")
    over = _load(impl, _padded(MODULE_LIMIT + 1))
    error_answer(
        over, ("WASM-002.1", "WASM-016"), "invalid-module", "wasm-load of a module of 4 MiB + 1"
    )


def _table_module(elements: int) -> bytes:
    wat = f'(module (table {elements} funcref) (memory (export "memory") 1) (func (export "step")))'
    return bytes(wasmtime.wat2wasm(wat))


@pytest.mark.req("WASM-017.3", "WASM-016")
@pytest.mark.parametrize(("elements", "fails"), [(10_000, False), (10_001, True)])
def test_the_table_limit_on_both_sides(impl: Implementation, elements: int, fails: bool) -> None:
    """10,000 table elements run; 10,001 fail at instantiation → memory-limit (WASM-017)."""
    runtime = call_ok(impl, "WASM-017.3", "wit-open")["runtime"]
    module = _table_module(elements).hex()
    actor = call_ok(impl, "WASM-017.3", "wit-genesis", runtime=runtime, module=module)["actor"]
    run = call_ok(impl, "WASM-017.3", "wit-run", runtime=runtime, max_steps=5)
    expected = [[actor, "memory-limit"]] if fails else []
    check_equal(
        ("WASM-017.3", "WASM-016"),
        expected,
        run["failures"],
        f"the failures of a module with a table of {elements} elements (the limit 10 000)",
    )


@pytest.mark.req("WASM-002.1", "WASM-001.2")
@pytest.mark.req("CONV-004")
def test_the_text_format_is_not_a_module(impl: Implementation) -> None:
    """WAT text that an engine would compile is refused: no binary magic → invalid-module."""
    text = b'(module (memory (export "memory") 1) (func (export "step")))'
    reply = _load(impl, text)
    error_answer(
        reply, ("WASM-001.2", "WASM-002.1"), "invalid-module", "wasm-load of WAT text, not binary"
    )
    ok_answer(
        _load(impl, bytes(wasmtime.wat2wasm(text))),
        "WASM-002.1",
        "wasm-load of the same module compiled to binary",
    )


@pytest.mark.req("WASM-017.3", "WASM-002.1", "WASM-016")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(("pages", "fails"), [(256, False), (257, True)])
@pytest.mark.req("CONV-004")
def test_the_memory_minimum_on_both_sides(impl: Implementation, pages: int, fails: bool) -> None:
    module = bytes(
        wasmtime.wat2wasm(f'(module (memory (export "memory") {pages}) (func (export "step")))')
    )
    reply = _load(impl, module)
    what = f"wasm-load of a module whose memory minimum is {pages} pages (the limit 256)"
    if fails:
        error_answer(reply, "WASM-017.3", "memory-limit", what)
    else:
        ok_answer(reply, ("WASM-017.3", "WASM-002.1"), what)


@pytest.mark.req("WASM-026.4")
def test_an_image_actor_exporting_a_global_with_an_invalid_name_fails(
    impl: Implementation,
) -> None:
    wat = (
        '(module (memory (export "memory") 1) (global (export "x/y") (mut i32) (i32.const 0)) '
        '(func (export "step")))'
    )
    runtime = call_ok(impl, "WASM-026.4", "wit-open")["runtime"]
    module = bytes(wasmtime.wat2wasm(wat)).hex()
    made = call_ok(
        impl, "WASM-026.4", "wit-genesis", runtime=runtime, module=module, state={"image": ""}
    )
    actor = made["actor"]
    run = call_ok(impl, "WASM-026.4", "wit-run", runtime=runtime, max_steps=5)
    check_equal(
        "WASM-026.4",
        [[actor, "invalid-image"]],
        run["failures"],
        'the failures of an image actor exporting a global named "x/y"',
    )
