"""Modules that make a fixed list of host calls, for the host-function tests (WASM-007 …).

A call is ``(name, args)``; a ``bytes`` argument becomes the ``(ptr, len)`` of a
constant placed in the module's memory from offset :data:`DATA` on (each distinct
constant once), an ``int`` is passed as it is.  Call *i* stores its return value as one
byte at offset *i*, so a test can read the return codes back (0, ``ff`` for −1
*absent*, ``fe`` for −2 *invalid*).
"""

from __future__ import annotations

from collections.abc import Sequence

import wasmtime

__all__ = ["DATA", "Call", "Lowering", "module"]

#: Where constants start; return codes are stored from 0.
DATA = 4096
Call = tuple[str, list[bytes | int]]


class Lowering:
    """Turns calls into WAT instructions; collects the constants they need."""

    def __init__(self) -> None:
        self.placed: dict[bytes, int] = {}
        self._offset = DATA

    def place(self, const: bytes) -> int:
        if const not in self.placed:
            self.placed[const] = self._offset
            self._offset += len(const) + 1
        return self.placed[const]

    def calls(self, calls: Sequence[Call]) -> list[str]:
        lines = []
        for index, (name, args) in enumerate(calls):
            params = []
            for arg in args:
                if isinstance(arg, bytes):
                    params += [f"(i32.const {self.place(arg)})", f"(i32.const {len(arg)})"]
                else:
                    params.append(f"(i32.const {arg})")
            lines.append(f"(i32.store8 (i32.const {index}) (call ${name} {' '.join(params)}))")
        return lines


def module(
    imports: dict[str, int], lowering: Lowering, funcs: dict[str, list[str]], pages: int = 1
) -> bytes:
    """The module importing ``imports`` (name → parameter count) and exporting ``funcs``."""
    header = " ".join(
        f'(import "gritwit" "{n}" (func ${n} (param{" i32" * a}) (result i32)))'
        for n, a in imports.items()
    )
    data = " ".join(
        f'(data (i32.const {at}) "{"".join(chr(92) + format(b, "02x") for b in const)}")'
        for const, at in lowering.placed.items()
    )
    bodies = " ".join(f'(func (export "{n}") {" ".join(lines)})' for n, lines in funcs.items())
    wat = f'(module {header} (memory (export "memory") {pages}) {data} {bodies})'
    return bytes(wasmtime.wat2wasm(wat))
