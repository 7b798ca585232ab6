"""Helpers of the host-call tests over input classes where implementations differ
(``test_msg_entry_order``, ``test_host_call_exhaustion``, split by behaviour).

* WASM-009.6: ``msg_entry`` numbers a tree's entries in canonical order (ENC-010: UTF-8
  length first, then UTF-8 bytes).  A guest here lists every entry of a message's
  content, and of every entry below it, until ``msg_entry`` answers ``-1``; the names
  mix ASCII, case, the BMP (U+E000–U+FFFF included) and astral code points, of mixed
  lengths, so that plain byte order, UTF-16 order, code points, case folding, signed
  bytes and length-first-by-code-points all give another listing.  Trees come from
  ``wit-send`` (at the content, and at paths of every class below it) and from a step
  that wrote them out of order (``core_set``) and sent them (``send_object``).
* WASM-019: a copy-out host call (WASM-007.4) costs 10 000 units plus the bytes it
  *copies*, ``min(n, cap)`` — not the value's length ``n``, nor the buffer's ``cap``.
  Every copy-out call (``core_read``, ``msg_read``, ``msg_header``, ``query_name``,
  ``msg_sender``, ``msg_content``, ``msg_entry``, and an absent ``core_read``) runs in a
  loop with ``cap`` below, equal to and above the value, on both sides of WASM-020's
  band: a loop costing at most half the fuel limit MUST run (WASM-020.2), one costing
  more than twice it MUST fail ``fuel-exhausted`` (WASM-020.1).  The exact limit (run at
  the exact fuel, fail one unit below) binds only the *exact-fuel* claim of WASM-020.3,
  which the protocol cannot make yet, so it is not tested here.  A 64-byte id or a
  255-byte name cannot carry a loop past twice the limit by its bytes alone (the host
  calls' 10 000 units would do it first), so those calls are tested on the lower side.
* WASM-015.1 and the other limits: each way a guest can exhaust something fails with
  the class the spec names — the call stack (unbounded recursion, direct, mutual,
  indirect, with large frames, in a start function, in a query, after host calls)
  → ``trap``; fuel → ``fuel-exhausted`` (WASM-020.1); ``memory.grow`` and ``table.grow``
  past the limits → ``-1`` and the step goes on (WASM-017.1, WASM-017.2), an access past
  the memory then → ``trap``; a minimum past the limits → ``memory-limit`` (WASM-017.3).

Expected answers are computed here from the spec's rules (the orders of
:mod:`gritwit_conformance.data._classes`, the costs of WASM-019).
"""

from __future__ import annotations

from typing import Any

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check_type, fail


def _open(impl: Implementation, *, clause: Clause) -> str:
    """A new Wit runtime; ``clause``, the calling test's, is what a refusal breaks (as in
    every helper here)."""
    return str(call_ok(impl, clause, "wit-open")["runtime"])


def _genesis(
    impl: Implementation,
    runtime: str,
    wasm: bytes,
    state: dict[str, str] | None = None,
    *,
    clause: Clause,
) -> str:
    made = call_ok(
        impl, clause, "wit-genesis", runtime=runtime, module=wasm.hex(), state=state or {}
    )
    return str(made["actor"])


def _failures(
    impl: Implementation, runtime: str, max_steps: int = 1, *, clause: Clause
) -> list[Any]:
    run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=max_steps)
    failures: list[Any] = run["failures"]
    return failures


def _get(impl: Implementation, runtime: str, oid: g.ObjectId | str, clause: Clause) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    raw = call_ok(impl, clause, "wit-object", runtime=runtime, id=text)["bytes"]
    return g.decode_object(bytes.fromhex(raw))


def _entry(
    impl: Implementation, runtime: str, actor: str, name: str, *, clause: Clause
) -> bytes | None:
    """The data of the blob ``name`` of ``actor``'s head core, ``None`` if there is none."""
    head = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor).get("step")
    if head is None:
        fail(clause, expected="a step id", came=head, what=f"wit-head of {actor}")
    step = check_type(
        clause, _get(impl, runtime, head, clause), g.Step, expected="a step", what="its head"
    )
    core = check_type(
        clause,
        _get(impl, runtime, step.core, clause),
        g.Tree,
        expected="a tree",
        what="its head's core",
    )
    if name not in core.entries:
        return None
    blob = check_type(
        clause,
        _get(impl, runtime, core.entries[name], clause),
        g.Blob,
        expected="a blob",
        what=f"its core's entry {name}",
    )
    return blob.data


def _imports(arity: dict[str, int]) -> str:
    return " ".join(
        f'(import "gritwit" "{n}" (func ${n} (param{" i32" * a}) (result i32)))'
        for n, a in arity.items()
    )


def _wat_bytes(data: bytes) -> str:
    return "".join(f"\\{b:02x}" for b in data)


def _tree(names: list[str], subtrees: dict[str, Any] | None = None) -> dict[str, Any]:
    """The content description of a tree of blobs named ``names`` (some replaced by trees)."""
    entries: dict[str, Any] = {n: {"blob": "01"} for n in names}
    entries.update(subtrees or {})
    return {"tree": entries}
