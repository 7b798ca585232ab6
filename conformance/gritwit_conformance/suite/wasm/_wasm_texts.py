"""Helpers of the Wasm chapter's tests of texts, names, keys and limits over every input
class (``test_wasm_module_names``, ``test_wasm_paths_ids_and_headers``,
``test_wasm_image_trees``, split by behaviour).

Each test feeds one clause the input classes of :mod:`gritwit_conformance.data._classes`
— ASCII, mixed case, the BMP (U+E000–U+FFFF included), astral code points, NUL, the
empty string and lone surrogates — or both sides of its limit, through the host calls
and adapter commands that carry that input:

* texts a guest hands the host (paths, header blocks, ids, header names to look up)
  are UTF-8 bytes in its memory.  A lone surrogate cannot be UTF-8; a guest passes its
  generalized UTF-8 (WTF-8, ``ED A0 80`` for U+D800) instead, which is no text: a host
  that decodes leniently (``surrogatepass``, CESU-8) would take it.  The same text sent
  by the harness (``wit-send`` names, headers, ``mt``) is refused → ``invalid-utf8``
  (ADP-004.8), and a name with NUL, or empty, → ``invalid-name`` (OBJ-011);
* names in a module (imports, exports, exported globals) are the module's bytes: a lone
  surrogate there makes the binary malformed → ``invalid-module`` (WASM-002.1), so it
  never reaches the name checks;
* image trees are planted with an ``update`` (WIT-013) and judged by the next step.

Expected answers are computed here from the clause (exact bytes, ``is_valid_name``,
``is_text_id``, the image rules of WASM-024), never taken from the implementation.
"""

from __future__ import annotations

from typing import Any

import wasmtime

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check_type, fail, suite_premise

#: The text classes (``inputs`` markers spell them out: ``trace --inputs`` reads them as text).
TEXT = tc.TEXT_CLASSES
WASM_HEADERS = {"abi": "1", "runtime": "wasm"}
PAGE = 65536
LINK_BLOB = g.Blob(data=b"\x01")
LINK = g.object_id(LINK_BLOB).hex()
#: A placeholder in a module's text for a name of invalid UTF-8, patched into the binary.
HOLE = "?"


def _bytes(text: str) -> bytes:
    """``text`` as UTF-8, a lone surrogate as WTF-8 (``ED A0 80`` for U+D800): no text."""
    return text.encode("utf-8", "surrogatepass")


def _esc(raw: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in raw)


def _wasm(wat: str, names: dict[str, bytes] | None = None) -> bytes:
    """The module of ``wat``; each key of ``names`` (a placeholder of ``HOLE``s as long as
    its value) replaced by the value's bytes — the way to get invalid UTF-8 into a name."""
    wasm = bytes(wasmtime.wat2wasm(wat))
    for hole, raw in (names or {}).items():
        suite_premise(
            len(hole) == len(raw) and wasm.count(hole.encode()) == 1,
            f"the placeholder {hole!r} is once in the module and as long as its name",
        )
        wasm = wasm.replace(hole.encode(), raw)
    return wasm


def _name(text: str) -> tuple[str, dict[str, bytes]]:
    """A module-text string for the name ``text``, with the patch :func:`_wasm` needs."""
    raw = _bytes(text)
    if tc.is_valid_text(text):
        return _esc(raw), {}
    hole = HOLE * len(raw)
    return hole, {hole: raw}


# Each command below is checked to answer a value under ``clause``: the clause of the
# test driving it, whose check it is the first step of.


def _open(impl: Implementation, *, clause: Clause) -> str:
    return str(call_ok(impl, clause, "wit-open")["runtime"])


def _genesis(
    impl: Implementation,
    runtime: str,
    wasm: bytes,
    state: dict[str, str] | None = None,
    *,
    clause: Clause,
) -> str:
    reply = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=wasm.hex(), state=state or {}
    )
    return str(reply["actor"])


def _run(
    impl: Implementation, runtime: str, max_steps: int = 50, *, clause: Clause
) -> dict[str, Any]:
    return call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=max_steps)


def _close(impl: Implementation, runtime: str, *, clause: Clause) -> None:
    call_ok(impl, clause, "wit-close", runtime=runtime)


def _object(
    impl: Implementation, runtime: str, oid: g.ObjectId | str, *, clause: Clause
) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    raw = call_ok(impl, clause, "wit-object", runtime=runtime, id=text)["bytes"]
    return g.decode_object(bytes.fromhex(raw))


def _core(impl: Implementation, runtime: str, actor: str, *, clause: Clause) -> g.Tree:
    head = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)["step"]
    if head is None:
        fail(clause, expected="a step of the actor", came="no step (null)", what="its head")
    step = check_type(
        clause,
        _object(impl, runtime, head, clause=clause),
        g.Step,
        expected="a step",
        what="the actor's head",
    )
    return check_type(
        clause,
        _object(impl, runtime, step.core, clause=clause),
        g.Tree,
        expected="a tree",
        what="the core of the actor's head",
    )


def _refused(reply: Any) -> str | None:
    return None if reply.ok else str(reply.error_class)


def _harness_class(text: str) -> str:
    """What ``wit-send`` answers for ``text`` as a tree entry name: lone surrogates first
    (ADP-004.8 pass 2, ``invalid-utf8``), then OBJ-011 (``invalid-name``)."""
    return "invalid-utf8" if not tc.is_valid_text(text) else "invalid-name"


#: Near misses of a name the ABI fixes, by class: what a lenient host might take for it.
def _variants(base: str, cls: str) -> list[str]:
    found = {
        "ascii": [base + " ", " " + base, base[:-1], base + "s", base.replace("_", "-") + "\x7f"],
        "mixed-case": [base.upper(), base.capitalize(), base[:-1] + base[-1].upper()],
        "bmp": [
            base[:2] + "\u0456" + base[3:],  # Cyrillic і
            base + "\ufeff",
            base + "\uffff",
            "\uff41" + base[1:],  # a fullwidth letter
            base[:-1] + "\ue000",
        ],
        "astral": [base + "\U0001f600", "\U0001d41a" + base[1:], base[:-1] + "\U0010ffff"],
        "lone-surrogate": [base + "\ud800", "\udc00" + base],
        "nul": [base + "\x00", base[:3] + "\x00" + base[3:], "\x00" + base],
        "empty": [""],
    }[cls]
    suite_premise(base not in found, f"no near miss of {base!r} is {base!r} itself")
    return found


#: Extra names at the size limit of a name (255 UTF-8 bytes, OBJ-011) and one past it.
LONG_NAMES = {"ascii": ["a" * 255, "a" * 256], "bmp": ["é" * 127 + "a", "é" * 128]}


def _path_samples(cls: str) -> list[str]:
    return [*tc.TEXT_SAMPLES[cls], *LONG_NAMES.get(cls, [])]
