"""The order in which a Wasm Wit sees its senders: unsigned byte order of their ids (WASM-009.1)."""

from __future__ import annotations

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import (
    check,
    check_equal,
    describe,
    ok_answer,
    suite_premise,
)
from ._calls import Call, Lowering, module
from ._wasm_texts import (
    _close,
    _genesis,
    _open,
    _run,
    _wasm,
)
from .test_wasm_paths_ids_and_headers import BUF, _actor_id, _data

pytestmark = pytest.mark.profile("wasm")
ARITY = {
    "msg_count": 0,
    "msg_sender": 3,
    "msg_header": 5,
    "msg_content": 5,
    "msg_read": 5,
    "mark_read": 1,
    "core_read": 4,
    "core_set": 6,
    "core_link": 4,
    "core_delete": 2,
    "send": 7,
    "send_object": 7,
    "answer": 4,
}
ALICE = g.object_id(g.Blob(data=b"alice")).hex().encode()


# --------------------------------------------------------------------------- WASM-009.1

#: Each visible message's record: the sender's text id (64 bytes), then its 2 data bytes.
RECORD = 66


def _recorder() -> bytes:
    """Saves, for each message it sees, the sender and the data as ``seen``; marks all."""
    step = f"""
    (local $i i32) (local $n i32)
    (local.set $n (call $msg_count))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (drop (call $msg_sender (local.get $i)
        (i32.add (i32.const {BUF}) (i32.mul (local.get $i) (i32.const {RECORD}))) (i32.const 64)))
      (drop (call $msg_read (local.get $i) (i32.const 0) (i32.const 0)
        (i32.add (i32.const {BUF + 64}) (i32.mul (local.get $i) (i32.const {RECORD})))
        (i32.const 2)))
      (drop (call $mark_read (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (if (local.get $n) (then (drop (call $core_set (i32.const 16) (i32.const 4) (i32.const {BUF})
      (i32.mul (local.get $n) (i32.const {RECORD})) (i32.const 0) (i32.const 0)))))
    """
    imports = " ".join(
        f'(import "gritwit" "{n}" (func ${n} (param{" i32" * ARITY[n]}) (result i32)))'
        for n in ("msg_count", "msg_sender", "msg_read", "mark_read", "core_set")
    )
    return _wasm(
        f'(module {imports} (memory (export "memory") 2) (data (i32.const 16) "seen") '
        f'(func (export "step") {step}))'
    )


def _records(seen: bytes) -> list[list[str]]:
    """The recorder's records in words: [the sender id's first 8 digits, the data in hex]."""
    records = [seen[i : i + RECORD] for i in range(0, len(seen), RECORD)]
    return [[r[:8].decode(errors="replace"), r[64:].hex()] for r in records]


def _sender(to: str, n: int) -> bytes:
    """On its genesis step: two messages to ``to``, data ``n 0`` and ``n 1``."""
    lowering = Lowering()
    calls: list[Call] = [("send", [to.encode(), b"mt\0m\0", bytes([n, k]), 0]) for k in (0, 1)]
    return module(ARITY, lowering, {"step": lowering.calls(calls)})


@pytest.mark.req("WASM-009.1")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
@pytest.mark.req("ID-005")
def test_senders_are_seen_in_unsigned_byte_order_of_their_ids(impl: Implementation) -> None:
    """Senders whose ids start with bytes below and above 0x80 (chosen here from their
    cores, WIT-002), and the outside (32 zero bytes), message an actor before its genesis;
    its genesis step sees them in the bytewise order of the ids (ID-005) — not as signed
    bytes (C ``char``) order them —, each sender's oldest first."""
    target = _recorder()
    target_id = _actor_id(target, {})
    low: list[tuple[str, int]] = []
    high: list[tuple[str, int]] = []
    for n in range(64):
        sid = _actor_id(_sender(target_id, n), {})
        (high if int(sid[:2], 16) >= 0x80 else low).append((sid, n))
        if len(low) >= 2 and len(high) >= 2:
            break
    senders = low[:2] + high[:2]
    ids = [bytes.fromhex(sid) for sid, _ in senders]
    signed = sorted(ids, key=lambda b: tuple(x - 256 if x >= 128 else x for x in b))
    suite_premise(sorted(ids) != signed, "the senders tell signed from unsigned bytes")
    runtime = _open(impl, clause="WASM-009.1")
    for sid, n in reversed(senders):
        started = _genesis(impl, runtime, _sender(target_id, n), clause="WASM-009.1")
        check_equal("WASM-009.1", sid, started, f"the id of sender {n}: its first core's")
    sent = impl.call("wit-send", runtime=runtime, to=target_id, mt="o", content={"blob": "ff00"})
    ok_answer(sent, "WASM-009.1", "a message of the outside to the recorder")
    failures = _run(impl, runtime, clause="WASM-009.1")["failures"]
    check_equal("WASM-009.1", [], failures, "the failures of the senders' genesis steps")
    started = _genesis(impl, runtime, target, clause="WASM-009.1")
    check_equal("WASM-009.1", target_id, started, "the recorder's id: its first core's")
    failures = _run(impl, runtime, clause="WASM-009.1")["failures"]
    check_equal("WASM-009.1", [], failures, "the failures of the recorder's genesis step")
    seen = _data(impl, runtime, target_id, "seen", "WASM-009.1")
    expected = ("00" * 32).encode() + b"\xff\x00"
    for sid, n in sorted(senders, key=lambda s: bytes.fromhex(s[0])):
        expected += sid.encode() + bytes([n, 0]) + sid.encode() + bytes([n, 1])
    check(
        "ID-005",
        seen == expected,
        expected="senders in id order (bytewise), each sender's oldest first: "
        + describe(_records(expected)),
        came=lambda: describe(_records(seen)),
        what="the [sender id's first 8 digits, data] of each message the recorder saw",
    )
    _close(impl, runtime, clause="WASM-009.1")
