"""A module with a global gets a fresh instance per call, however its sections are laid out.

A host may keep an instance between calls only when the module keeps all its state in
its memory (``test_wasm_fresh_memory``); deciding that means walking the module's
sections (WebAssembly core spec, 5.5), and a walker that misreads one keeps an instance
whose globals then leak from one call into the next (WASM-005.1).  Custom sections are
free-form and section sizes may be padded LEB128 (5 bytes for any ``u32``), so the
modules here are valid but lay out their bytes so that a walker that reads a size one
byte late, or computes the next section's offset wrongly, lands exactly on the end of
the module and takes the global for absent.  Each step increments the global and saves
it: every call must see the global's initial 0.
"""

from __future__ import annotations

import pytest
import wasmtime

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, suite_premise
from .test_wasm_clauses_calls import _entry, _run

pytestmark = pytest.mark.profile("wasm")

_HEADER = 8  # magic and version
_CUSTOM = 0  # the custom section's id

_STATEFUL = """(module
  (import "gritwit" "msg_count" (func $msg_count (result i32)))
  (import "gritwit" "mark_read" (func $mark_read (param i32) (result i32)))
  (import "gritwit" "core_set"
    (func $core_set (param i32 i32 i32 i32 i32 i32) (result i32)))
  (global $calls (mut i32) (i32.const 0))
  (memory (export "memory") 1)
  (data (i32.const 16) "g")
  (func (export "step")
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.store8 (i32.const 0) (global.get $calls))
    (drop (call $core_set (i32.const 16) (i32.const 1) (i32.const 0) (i32.const 1)
      (i32.const 0) (i32.const 0)))
    (if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))))"""


def _leb(value: int, width: int = 0) -> bytes:
    """``value`` as unsigned LEB128, padded to ``width`` bytes if given."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        if value or len(out) + 1 < width:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _custom(payload: bytes, width: int = 0) -> bytes:
    """A custom section of ``payload`` (which starts with its name), its size padded."""
    return bytes([_CUSTOM]) + _leb(len(payload), width) + payload


def _sections() -> bytes:
    """The stateful module's sections, without its header."""
    return bytes(wasmtime.wat2wasm(_STATEFUL))[_HEADER:]


def _header() -> bytes:
    return bytes(wasmtime.wat2wasm(_STATEFUL))[:_HEADER]


def _plain() -> bytes:
    return _header() + _sections()


def _padded_size() -> bytes:
    """A custom section whose size is padded to 5 bytes, then the module's own sections.

    Read one byte late, the padded size reads as an empty section ending where the
    payload begins; the payload (an empty name, one byte, then a padded LEB128) reads
    from there as a section header whose size reaches exactly the end of the module.
    """
    filler = 16
    first = _HEADER + 1 + 5  # where the custom section's payload starts
    total = first + 2 + 5 + filler + len(_sections())
    fake = total - (first + 2 + 5)  # from the end of the fake size to the module's end
    payload = b"\x00\x00" + _leb(fake, 5) + bytes(filler)
    return _header() + _custom(payload, 5) + _sections()


def _zero_payload() -> bytes:
    """A long custom section of zero bytes first and a padding one last: 828 bytes in all.

    Zero bytes read from any offset as empty custom sections (id 0, size 0).  The first
    section's size takes 2 bytes, so its payload starts at 11; the module's length is
    what a walker that took twice the offset after each size for the next section's
    would reach from there (22, 48, 100, 204, 412, 828), all inside the zeros.
    """
    first = _custom(bytes(500))  # a 2-byte size: 11 + 500 > 413
    body = _header() + first + _sections()
    left = 828 - len(body)
    size_bytes = 1 if left - 2 < 128 else 2
    return body + _custom(bytes(left - 1 - size_bytes))


LAYOUTS = {"plain": _plain, "padded-size": _padded_size, "zero-payload": _zero_payload}


@pytest.mark.req("WASM-005.1", "WASM-003")
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_a_module_with_a_global_starts_every_call_from_its_initial_value(
    impl: Implementation, layout: str
) -> None:
    """Genesis and two message steps each save the global after one increment: 1."""
    wasm = LAYOUTS[layout]()
    wasmtime.Module(wasmtime.Engine(), wasm)  # valid: the layout is the only oddity
    if layout == "zero-payload":
        suite_premise(len(wasm) == 828, "the zero-payload layout is the 828-byte module")
    runs, runtime, actor = _run(impl, wasm, [0, 1, 1], clause="WASM-005.1")
    check_equal(
        "WASM-005.1", [[]] * len(runs), [failures for _, failures in runs], "the runs' failures"
    )
    check_equal(
        "WASM-005.1",
        [1, 1, 1],
        [len(steps) for steps, _ in runs],
        "the number of steps of each run",
    )
    saved = _entry(impl, runtime, actor, "g", clause="WASM-005.1")
    check_equal(
        "WASM-005.1",
        b"\x01",
        saved,
        "the global the third call saved after one increment: from its initial 0",
    )
