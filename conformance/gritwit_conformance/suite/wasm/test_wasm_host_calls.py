"""Host functions at their edges, one call at a time (WASM-007, WASM-008, WASM-011).

Each test builds a small module that makes a fixed list of host calls in every step
and records each call's return value (one byte: 0, ``ff`` for -1 *absent*, ``fe``
for -2 *invalid*) in the core entry ``rc``; the test then reads the adopted core
through ``wit-object`` and checks the return codes and the entries the chapter says
the calls leave — or that the step failed with ``trap`` for a range outside memory.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check_equal, check_type, fail
from ._calls import DATA, Call, Lowering, module

pytestmark = pytest.mark.profile("wasm")

ARITY = {
    "msg_count": 0,
    "send": 7,
    "send_object": 7,
    "core_set": 6,
    "core_link": 4,
    "core_delete": 2,
    "core_read": 4,
    "mark_read": 1,
}


def _wat(calls: list[Call], pages: int = 1) -> bytes:
    """A module whose step makes ``calls`` and stores their return codes as the entry rc."""
    lowering = Lowering()
    body = ["(if (call $msg_count) (then (drop (call $mark_read (i32.const 0)))))"]
    body += lowering.calls(calls)
    body.append(
        f"(drop (call $core_set (i32.const {lowering.place(b'rc')}) (i32.const 2) "
        f"(i32.const 0) (i32.const {len(calls)}) (i32.const 0) (i32.const 0)))"
    )
    return module(ARITY, lowering, {"step": body}, pages)


def _object(
    impl: Implementation, runtime: str, oid: g.ObjectId | str, clause: Clause
) -> g.GritObject:
    text = oid if isinstance(oid, str) else oid.hex()
    data = call_ok(impl, clause, "wit-object", runtime=runtime, id=text)["bytes"]
    return g.decode_object(bytes.fromhex(data))


def _step(
    impl: Implementation,
    calls: list[tuple[str, list[bytes | int]]],
    state: dict[str, str],
    pages: int = 1,
    *,
    clause: Clause,
) -> tuple[list[Any], g.Tree | None, str, str]:
    """The genesis step of a module making ``calls``: (failures, new core, runtime, actor);
    ``clause`` is the calling test's, which a refused command breaks."""
    runtime = str(call_ok(impl, clause, "wit-open")["runtime"])
    module = _wat(calls, pages)
    made = call_ok(impl, clause, "wit-genesis", runtime=runtime, module=module.hex(), state=state)
    actor = str(made["actor"])
    run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=1)
    if run["failures"]:
        return run["failures"], None, runtime, actor
    head = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor)["step"]
    step = check_type(
        clause, _object(impl, runtime, head, clause), g.Step, expected="a step", what="the head"
    )
    core = check_type(
        clause,
        _object(impl, runtime, step.core, clause),
        g.Tree,
        expected="a tree",
        what="its core",
    )
    return [], core, runtime, actor


def _adopted(clause: Clause, failures: list[Any], core: g.Tree | None, what: str) -> g.Tree:
    """The new core of a step that must have been adopted, checked to be."""
    if failures or core is None:
        fail(clause, expected="the step adopted, no failure", came=failures, what=what)
    return core


def _rc(impl: Implementation, runtime: str, core: g.Tree, clause: Clause) -> str:
    """The step's return codes (the entry rc), in hex."""
    if "rc" not in core.entries:
        fail(clause, expected="an entry rc", came=sorted(core.entries), what="the new core")
    blob = _object(impl, runtime, core.entries["rc"], clause)
    return check_type(clause, blob, g.Blob, expected="a blob", what="the entry rc").data.hex()


def _entries(
    impl: Implementation, runtime: str, tree: g.Tree, clause: Clause, prefix: str = ""
) -> dict[str, str]:
    """Every blob below ``tree`` by path, its data in hex (``wit`` and ``rc`` left out)."""
    found: dict[str, str] = {}
    for name, oid in tree.entries.items():
        if not prefix and name in ("wit", "rc"):
            continue
        obj = _object(impl, runtime, oid, clause)
        if isinstance(obj, g.Tree):
            found.update(_entries(impl, runtime, obj, clause, f"{prefix}{name}/"))
        elif isinstance(obj, g.Blob):
            found[prefix + name] = obj.data.hex()
    return found


EMPTY = 0  # a zero-length range: no data / an empty header block
Case = tuple[list[tuple[str, list[bytes | int]]], bytes, dict[str, bytes]]

#: name → (calls, return codes, the blobs the core holds afterwards besides wit and rc)
CASES: dict[str, Case] = {
    "delete-absent": ([("core_delete", [b"nope"])], b"\xff", {"a": b"\x01"}),
    "delete-a-blob": ([("core_delete", [b"a"])], b"\x00", {}),
    "set-creates-trees-delete-prunes-them": (
        [
            ("core_set", [b"t/u/v", b"x", b""]),
            ("core_set", [b"t/w", b"y", b""]),
            ("core_delete", [b"t/u/v"]),
        ],
        b"\x00\x00\x00",
        {"a": b"\x01", "t/w": b"y"},
    ),
    "delete-the-last-entry-removes-the-emptied-trees": (
        [("core_set", [b"t/u/v", b"x", b""]), ("core_delete", [b"t/u/v"])],
        b"\x00\x00",
        {"a": b"\x01"},
    ),
    "delete-below-a-blob": ([("core_delete", [b"a/b"])], b"\xff", {"a": b"\x01"}),
    "set-through-a-blob": ([("core_set", [b"a/b", b"x", b""])], b"\xff", {"a": b"\x01"}),
    "set-empty-path": ([("core_set", [b"", b"x", b""])], b"\xfe", {"a": b"\x01"}),
    "set-double-slash": ([("core_set", [b"t//u", b"x", b""])], b"\xfe", {"a": b"\x01"}),
    "set-trailing-slash": ([("core_set", [b"t/", b"x", b""])], b"\xfe", {"a": b"\x01"}),
    "set-dot-dot": ([("core_set", [b"..", b"x", b""])], b"\xfe", {"a": b"\x01"}),
    "set-nul-in-name": ([("core_set", [b"t\x00u", b"x", b""])], b"\xfe", {"a": b"\x01"}),
    "set-header-block-without-nul": (
        [("core_set", [b"h", b"x", b"mt\x00echo"])],
        b"\xfe",
        {"a": b"\x01"},
    ),
    "set-header-block-odd": ([("core_set", [b"h", b"x", b"mt\x00"])], b"\xfe", {"a": b"\x01"}),
    "set-then-overwrite": (
        [("core_set", [b"a", b"z", b""]), ("core_set", [b"b", b"", b""])],
        b"\x00\x00",
        {"a": b"z", "b": b""},
    ),
    "link-malformed-id": ([("core_link", [b"l", b"0" * 63])], b"\xfe", {"a": b"\x01"}),
    "link-existing-blob": (
        [("core_link", [b"l", g.object_id(g.Blob(data=b"\x01")).hex().encode()])],
        b"\x00",
        {"a": b"\x01", "l": b"\x01"},
    ),
    "delete-malformed-path": ([("core_delete", [b"/a"])], b"\xfe", {"a": b"\x01"}),
    "reads-see-earlier-writes": (
        [("core_set", [b"n/m", b"xyz", b""]), ("core_read", [b"n/m", 3000, 16])],
        b"\x00\x03",
        {"a": b"\x01", "n/m": b"xyz"},
    ),
    "read-a-tree-is-absent": (
        [("core_set", [b"n/m", b"xyz", b""]), ("core_read", [b"n", 3000, 16])],
        b"\x00\xff",
        {"a": b"\x01", "n/m": b"xyz"},
    ),
    "read-after-delete-is-absent": (
        [("core_delete", [b"a"]), ("core_read", [b"a", 3000, 16])],
        b"\x00\xff",
        {},
    ),
}


@pytest.mark.req(
    "WASM-007.5",
    "WASM-008.1",
    "WASM-008.2",
    "WASM-008.3",
    "WASM-011.1",
    "WASM-011.2",
    "WASM-011.3",
    "WASM-011.4",
    "WASM-011.5",
    "WASM-011.6",
)
@pytest.mark.parametrize("name", sorted(CASES))
def test_core_calls_return_and_leave_what_the_abi_says(impl: Implementation, name: str) -> None:
    calls, codes, expected = CASES[name]
    failures, core, runtime, _ = _step(impl, calls, {"a": "01"}, clause="WASM-011.1")
    core = _adopted("WASM-011.1", failures, core, f"the failures of the step {name}")
    check_equal(
        ("WASM-011.1", "WASM-008.1"),
        codes.hex(),
        _rc(impl, runtime, core, "WASM-011.1"),
        f"the return codes of the step {name} (00: done, ff: absent, fe: invalid)",
    )
    check_equal(
        ("WASM-011.1", "WASM-011.5"),
        {path: data.hex() for path, data in expected.items()},
        _entries(impl, runtime, core, "WASM-011.1"),
        f"the blobs of the new core after {name}, by path, in hex (wit and rc left out)",
    )


@pytest.mark.req("WASM-007.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("where", ["path", "data"])
def test_a_range_outside_memory_traps(impl: Implementation, where: str) -> None:
    page = 65536
    args: list[bytes | int] = (
        [page - 1, 2, 0, 0, 0, 0] if where == "path" else [DATA, 1, page - 3, 4, 0, 0]
    )
    module_calls: list[tuple[str, list[bytes | int]]] = [("core_set", args)]
    failures, _, _, actor = _step(impl, module_calls, {}, clause="WASM-007.2")
    check_equal(
        "WASM-007.2",
        [[actor, "trap"]],
        failures,
        f"the failures of a core_set whose {where} range ends one byte past memory",
    )
    inside: list[bytes | int] = (
        [page - 2, 2, 0, 0, 0, 0] if where == "path" else [DATA, 1, page - 4, 4, 0, 0]
    )
    failures, _, _, _ = _step(impl, [("core_set", inside)], {}, clause="WASM-007.2")
    check_equal(
        "WASM-007.2",
        [],
        failures,
        f"the failures of a core_set whose {where} range ends at the last byte (inside memory)",
    )


#: ``core_read`` of a path the core lacks (-1) and of a malformed one (-2), WASM-008.2.
ABSENT_PATH, MALFORMED_PATH = b"nope", b"a//b"


@pytest.mark.req("WASM-007.2", "WASM-007.5")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(
    ("path", "buf", "cap", "code"),
    [
        (ABSENT_PATH, 65536 - 5, 5, 0xFF),  # the buffer ends at the last byte: -1
        (ABSENT_PATH, 65536 - 5, 6, None),  # one byte past it: checked before -1, traps
        (ABSENT_PATH, 65536, 0, 0xFF),  # an empty buffer at the end of memory is inside
        (ABSENT_PATH, 2**32 - 1, 2, None),  # ends past 2**32: no wrap-around to byte 1
        (MALFORMED_PATH, 65536 - 5, 6, 0xFE),  # -2 before the buffer is looked at
        (MALFORMED_PATH, 2**32 - 1, 2, 0xFE),
    ],
    ids=["absent-inside", "absent-outside", "absent-empty", "absent-wraps", "bad-outside",
         "bad-wraps"],
)  # fmt: skip
def test_a_buffer_is_checked_after_the_arguments_and_before_an_absent_result(
    impl: Implementation, path: bytes, buf: int, cap: int, code: int | None
) -> None:
    """The whole ``(buf, cap)`` range, computed without wrap-around, after the call's
    arguments were judged (-2) and before an absent value (-1), WASM-007.2."""
    signed_buf = buf - 2**32 if buf >= 2**31 else buf  # an i32 constant of the WAT
    calls: list[Call] = [("core_read", [path, signed_buf, cap])]
    failures, core, runtime, actor = _step(impl, calls, {}, clause="WASM-007.2")
    what = f"core_read of {path.decode()} into the buffer {buf}+{cap}"
    if code is None:
        check_equal("WASM-007.2", [[actor, "trap"]], failures, f"the failures of {what}")
        return
    core = _adopted("WASM-007.2", failures, core, f"the failures of {what}")
    check_equal(
        ("WASM-007.2", "WASM-007.5"),
        f"{code:02x}",
        _rc(impl, runtime, core, "WASM-007.2"),
        f"the return code of {what}",
    )


LINK = g.object_id(g.Blob(data=b"\x01")).hex().encode()
ALICE_ID = g.object_id(g.Blob(data=b"alice")).hex().encode()
#: one effect of each kind (WASM-018); the step's final ``rc`` core_set is one more
EFFECTS: dict[str, tuple[str, list[bytes | int]]] = {
    "core_set": ("core_set", [b"e", b"x", b""]),
    "core_link": ("core_link", [b"e", LINK]),
    "send": ("send", [ALICE_ID, b"", b"x", 0]),
    "send_object": ("send_object", [ALICE_ID, b"", LINK, 0]),
}


@pytest.mark.req("WASM-018.2", "WASM-018.3", "WASM-016")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("kind", sorted(EFFECTS))
def test_1024_effects_pass_and_1025_are_output_too_large(impl: Implementation, kind: str) -> None:
    call = EFFECTS[kind]
    # + rc = 1024 effects
    failures, core, _, _ = _step(impl, [call] * 1023, {"a": "01"}, clause="WASM-018.2")
    _adopted("WASM-018.2", failures, core, f"the failures of a step of 1024 effects ({kind})")
    failures, _, _, actor = _step(impl, [call] * 1024, {"a": "01"}, clause="WASM-018.2")
    check_equal(
        ("WASM-018.2", "WASM-018.3"),
        [[actor, "output-too-large"]],
        failures,
        f"the failures of a step of 1025 effects ({kind})",
    )


@pytest.mark.req("WASM-018.2", "WASM-018.3", "WASM-016")
@pytest.mark.inputs("largest", "past-largest")
def test_core_delete_counts_as_an_effect(impl: Implementation) -> None:
    pair: list[tuple[str, list[bytes | int]]] = [
        ("core_set", [b"e", b"x", b""]),
        ("core_delete", [b"e"]),
    ]
    calls = pair * 511 + pair[:1]  # 1023 effects + rc = 1024
    failures, core, _, _ = _step(impl, calls, {"a": "01"}, clause="WASM-018.2")
    _adopted("WASM-018.2", failures, core, "the failures of a step of 1024 effects, deletes too")
    failures, _, _, actor = _step(impl, pair * 512, {"a": "01"}, clause="WASM-018.2")  # 1025
    check_equal(
        ("WASM-018.2", "WASM-018.3"),
        [[actor, "output-too-large"]],
        failures,
        "the failures of a step of 1025 effects, half of them core_delete",
    )


@pytest.mark.req("WASM-018.1", "WASM-018.3", "WASM-016")
@pytest.mark.inputs("largest", "past-largest")
def test_1_mib_of_output_passes_and_one_byte_more_is_output_too_large(
    impl: Implementation,
) -> None:
    limit = 1024 * 1024
    # one core_set of len bytes from memory offset 0, plus the 1-byte rc blob
    fits: list[tuple[str, list[bytes | int]]] = [("core_set", [b"big", 0, limit - 1, 0, 0])]
    failures, core, _, _ = _step(impl, fits, {}, pages=17, clause="WASM-018.1")
    _adopted("WASM-018.1", failures, core, "the failures of a step of exactly 1 MiB of output")
    over: list[tuple[str, list[bytes | int]]] = [("core_set", [b"big", 0, limit, 0, 0])]
    failures, _, _, actor = _step(impl, over, {}, pages=17, clause="WASM-018.1")
    check_equal(
        ("WASM-018.1", "WASM-018.3"),
        [[actor, "output-too-large"]],
        failures,
        "the failures of a step of 1 MiB + 1 byte of output",
    )


ALICE = g.object_id(g.Blob(data=b"alice")).hex().encode()
BOB = g.object_id(g.Blob(data=b"bob")).hex().encode()
SIGNAL, QUEUE = 1, 0


def _send(to: bytes, flags: int) -> tuple[str, list[bytes | int]]:
    return ("send", [to, b"mt\x00x\x00", b"hi", flags])


#: name → (sends of one step, whether WIT-009 allows them)
SENDS: dict[str, tuple[list[tuple[str, list[bytes | int]]], bool]] = {
    "two-signals-to-one": ([_send(ALICE, SIGNAL), _send(ALICE, SIGNAL)], False),
    "signal-then-queue-to-one": ([_send(ALICE, SIGNAL), _send(ALICE, QUEUE)], False),
    "queue-then-signal-to-one": ([_send(ALICE, QUEUE), _send(ALICE, SIGNAL)], False),
    "two-queued-to-one": ([_send(ALICE, QUEUE), _send(ALICE, QUEUE)], True),
    "one-signal-each-to-two": ([_send(ALICE, SIGNAL), _send(BOB, SIGNAL)], True),
    "signal-to-one-queue-to-other": ([_send(ALICE, SIGNAL), _send(BOB, QUEUE)], True),
}


@pytest.mark.req("WIT-009", "WASM-012.3", "WASM-012.5")
@pytest.mark.parametrize("name", sorted(SENDS))
def test_signals_and_queues_to_one_recipient(impl: Implementation, name: str) -> None:
    calls, allowed = SENDS[name]
    failures, core, runtime, actor = _step(impl, calls, {"a": "01"}, clause="WIT-009")
    if allowed:
        core = _adopted("WIT-009", failures, core, f"the failures of the sends {name}")
        check_equal(
            ("WASM-012.3", "WIT-009"),
            bytes(len(calls)).hex(),
            _rc(impl, runtime, core, "WIT-009"),
            f"the return codes of the sends {name}: each 0",
        )
    else:
        check_equal(
            ("WIT-009", "WASM-012.5"),
            [[actor, "invalid-transition"]],
            failures,
            f"the failures of the sends {name}: a signal with any other message to one recipient",
        )


@pytest.mark.req("WIT-015", "WASM-011.7")
def test_a_step_that_deletes_its_wit_entry_is_invalid(impl: Implementation) -> None:
    failures, _, _, actor = _step(impl, [("core_delete", [b"wit"])], {"a": "01"}, clause="WIT-015")
    check_equal(
        ("WIT-015", "WASM-011.7"),
        [[actor, "invalid-transition"]],
        failures,
        "the failures of a step that deletes its wit entry",
    )


@pytest.mark.req("WASM-018.1", "WASM-012.1")
def test_a_sends_data_and_header_block_count_as_output(impl: Implementation) -> None:
    """Data and header block handed to send count (the rc blob adds 1 byte)."""
    limit, headers = 1024 * 1024, b"mt\x00x\x00"  # a 5-byte header block
    fits: list[tuple[str, list[bytes | int]]] = [("send", [ALICE_ID, headers, 0, limit - 6, 0])]
    failures, core, _, _ = _step(impl, fits, {"a": "01"}, pages=17, clause="WASM-018.1")
    _adopted("WASM-018.1", failures, core, "the failures of a send making 1 MiB of output")
    over: list[tuple[str, list[bytes | int]]] = [("send", [ALICE_ID, headers, 0, limit - 5, 0])]
    failures, _, _, actor = _step(impl, over, {"a": "01"}, pages=17, clause="WASM-018.1")
    check_equal(
        ("WASM-018.1", "WASM-012.1"),
        [[actor, "output-too-large"]],
        failures,
        "the failures of a send whose data and header block make 1 MiB + 1 of output",
    )


ABSENT_ID = g.object_id(g.Blob(data=b"never stored anywhere")).hex().encode()
#: name → calls that make the new core or a sent message reference an absent object
ABSENT_REFERENCES: dict[str, list[tuple[str, list[bytes | int]]]] = {
    "core-link": [("core_link", [b"l", ABSENT_ID])],
    "core-link-below-a-new-tree": [
        ("core_set", [b"t/x", b"y", b""]),
        ("core_link", [b"t/l", ABSENT_ID]),
    ],
    "send-object": [("send_object", [ALICE_ID, b"", ABSENT_ID, 0])],
}


@pytest.mark.smoke
@pytest.mark.req("WIT-007", "WASM-013.2", "WASM-011.4", "WASM-012.2")
@pytest.mark.parametrize("name", sorted(ABSENT_REFERENCES))
def test_a_step_referencing_an_absent_object_is_invalid(impl: Implementation, name: str) -> None:
    failures, _, _, actor = _step(impl, ABSENT_REFERENCES[name], {"a": "01"}, clause="WIT-007")
    check_equal(
        ("WIT-007", "WASM-013.2"),
        [[actor, "invalid-transition"]],
        failures,
        f"the failures of a step referencing an absent object ({name})",
    )
    present = [
        (call, [LINK if arg == ABSENT_ID else arg for arg in args])
        for call, args in ABSENT_REFERENCES[name]
    ]
    failures, core, _, _ = _step(impl, present, {"a": "01"}, clause="WIT-007")
    _adopted("WIT-007", failures, core, f"the failures of {name} with a present object")


@pytest.mark.req("WASM-018.1", "WASM-011.3")
def test_a_core_sets_header_block_counts_as_output(impl: Implementation) -> None:
    limit, headers = 1024 * 1024, b"mt\x00x\x00"  # data + 5 header bytes + the 1-byte rc
    fits: list[tuple[str, list[bytes | int]]] = [("core_set", [b"big", 0, limit - 6, headers])]
    failures, core, _, _ = _step(impl, fits, {}, pages=17, clause="WASM-018.1")
    _adopted("WASM-018.1", failures, core, "the failures of a core_set making 1 MiB of output")
    over: list[tuple[str, list[bytes | int]]] = [("core_set", [b"big", 0, limit - 5, headers])]
    failures, _, _, actor = _step(impl, over, {}, pages=17, clause="WASM-018.1")
    check_equal(
        ("WASM-018.1", "WASM-011.3"),
        [[actor, "output-too-large"]],
        failures,
        "the failures of a core_set whose data and header block make 1 MiB + 1 of output",
    )
