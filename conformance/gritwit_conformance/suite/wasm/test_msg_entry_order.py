"""``msg_entry`` numbers a tree's entries in canonical order (WASM-009.6, ENC-010): a
message's content, the trees below it, generated names and a tree a step wrote (issue
24).  Helpers: :mod:`._host_calls`.
"""

from __future__ import annotations

from typing import Any

import pytest
import wasmtime
from hypothesis import given

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._properties import properties

from .._check import check, check_equal, fail, ok_answer, suite_premise
from ._calls import Call, Lowering, module
from ._host_calls import _entry, _failures, _genesis, _imports, _open, _tree, _wat_bytes

pytestmark = pytest.mark.profile("wasm")

run = properties()


# --------------------------------------------------------------------------- WASM-009.6

#: Where the lister keeps its path (the prefix, ``/``, then an entry's name) and output.
PATH, OUT = 1024, 65536
ENTRY_ARITY = {"msg_count": 0, "msg_entry": 6, "core_set": 6, "mark_read": 1}


def _lister(prefix: str = "") -> bytes:
    """On a message: for ``k`` = 0, 1, … until ``msg_entry`` fails, the name of entry ``k``
    of the tree at ``prefix`` below message 0's content, then the names of the entries of
    ``prefix/<that name>`` (none for a blob) — each name as its length byte and bytes,
    each entry's list ended by a 0 byte —, then the return code of ``k`` = 2³²−1, all
    saved as the core entry ``names``.  Names are at most 255 bytes (OBJ-011)."""
    raw = prefix.encode()
    top = len(raw)
    at = PATH + top + (1 if raw else 0)  # where an entry's name goes in the path buffer
    sub = at - PATH  # a child path's length is sub + the name's length
    stored = raw + b"/" if raw else b""

    def entry(path_len: str, k: str, buf: str) -> str:
        return (
            f"(call $msg_entry (i32.const 0) (i32.const {PATH}) {path_len} {k} {buf} "
            "(i32.const 255))"
        )

    first = entry(f"(i32.const {top})", "(local.get $k)", f"(i32.const {at})")
    child = entry(
        f"(i32.add (i32.const {sub}) (local.get $n))",
        "(local.get $j)",
        "(i32.add (local.get $out) (i32.const 1))",
    )
    past = entry(f"(i32.const {top})", "(i32.const -1)", "(i32.const 0)")
    body = f"""
    (if (i32.eqz (call $msg_count)) (then (return)))
    (local.set $out (i32.const {OUT}))
    (block $done (loop $top
      (local.set $n {first})
      (br_if $done (i32.lt_s (local.get $n) (i32.const 0)))
      (i32.store8 (local.get $out) (local.get $n))
      (memory.copy (i32.add (local.get $out) (i32.const 1)) (i32.const {at}) (local.get $n))
      (local.set $out (i32.add (local.get $out) (i32.add (local.get $n) (i32.const 1))))
      (local.set $j (i32.const 0))
      (block $cdone (loop $child
        (local.set $m {child})
        (br_if $cdone (i32.lt_s (local.get $m) (i32.const 0)))
        (i32.store8 (local.get $out) (local.get $m))
        (local.set $out (i32.add (local.get $out) (i32.add (local.get $m) (i32.const 1))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $child)))
      (i32.store8 (local.get $out) (i32.const 0))
      (local.set $out (i32.add (local.get $out) (i32.const 1)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $top)))
    (i32.store8 (local.get $out) {past})
    (local.set $out (i32.add (local.get $out) (i32.const 1)))
    (drop (call $core_set (i32.const 8) (i32.const 5) (i32.const {OUT})
      (i32.sub (local.get $out) (i32.const {OUT})) (i32.const 0) (i32.const 0)))
    (drop (call $mark_read (i32.const 0)))
    """
    wat = (
        f'(module {_imports(ENTRY_ARITY)} (memory (export "memory") 4) '
        f'(data (i32.const 8) "names") (data (i32.const {PATH}) "{_wat_bytes(stored)}") '
        '(func (export "step") (local $k i32) (local $j i32) (local $n i32) (local $m i32) '
        f"(local $out i32) {body}))"
    )
    return bytes(wasmtime.wat2wasm(wat))


def _expected_listing(tree: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """What the lister must save for ``tree``: its names in canonical order (ENC-010),
    each with its own entries in canonical order (none for a blob)."""
    entries = tree["tree"]
    return [
        (name, tc.sort_by("canonical", entries[name]["tree"]) if "tree" in entries[name] else [])
        for name in tc.sort_by("canonical", entries)
    ]


def _encode_listing(listing: list[tuple[str, list[str]]]) -> bytes:
    out = bytearray()
    for name, children in listing:
        for text in (name, *children):
            raw = text.encode()
            out += bytes([len(raw)]) + raw
        out.append(0)
    return bytes(out + b"\xff")  # msg_entry with k = 2³²−1: -1, no such entry


def _show(data: bytes) -> str:
    """The saved listing, decoded as far as it goes (for a failure message)."""
    try:
        listing: list[tuple[str, list[str]]] = []
        at = 0
        while at < len(data) - 1:
            n = data[at]
            name, at = data[at + 1 : at + 1 + n].decode("utf-8", "replace"), at + 1 + n
            children = []
            while data[at]:
                m = data[at]
                children.append(data[at + 1 : at + 1 + m].decode("utf-8", "replace"))
                at += 1 + m
            listing.append((name, children))
            at += 1
        return f"{listing!r} then {data[-1]:#x}"
    except IndexError:
        return data.hex()


def _check_listing(data: bytes | None, expected: list[tuple[str, list[str]]], what: str) -> None:
    if data is None:
        fail("WASM-009.6", expected="the names the lister saved", came="no entry names", what=what)
    check(
        ("WASM-009.6", "ENC-010"),
        data == _encode_listing(expected),
        expected=f"the entries numbered in canonical order (UTF-8 length, then bytes), up to "
        f"the last and -1 past it: {expected!r}",
        came=lambda: _show(data),
        what=f"{what}: what msg_entry listed",
    )


def _listing_of_content(impl: Implementation, content: dict[str, Any], prefix: str = "") -> bytes:
    """Send ``content`` to a lister of ``prefix``; what it saved."""
    runtime = _open(impl, clause="WASM-009.6")
    actor = _genesis(impl, runtime, _lister(prefix), clause="WASM-009.6")
    check_equal(
        "WASM-009.6",
        [],
        _failures(impl, runtime, clause="WASM-009.6"),
        "the lister's genesis failures",
    )
    sent = impl.call("wit-send", runtime=runtime, to=actor, mt="list", content=content)
    ok_answer(sent, "WASM-009.6", "the content sent to the lister")
    failures = _failures(impl, runtime, clause="WASM-009.6")
    check_equal("WASM-009.6", [], failures, "the failures of the step listing the content")
    data = _entry(impl, runtime, actor, "names", clause="WASM-009.6")
    ok_answer(impl.call("wit-close", runtime=runtime), "WASM-009.6", "wit-close")
    if data is None:
        fail(
            "WASM-009.6",
            expected="the names the lister saved",
            came="no entry names",
            what="the lister's core after listing the content",
        )
    return data


NAME_SETS = tc.separating_sets(where=tc.is_valid_name)
ALL_NAMES = NAME_SETS[-1]


def _content_of_sets(names: list[str]) -> dict[str, Any]:
    """A tree of ``names``, every other one (in the given order) a tree of them all."""
    subtrees = {n: _tree(names) for n in names[::2]}
    return _tree(names, subtrees)


@pytest.mark.req("WASM-009.6")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "bmp",
    "astral",
    "largest",
    "past-largest",
    "order:utf8",
    "order:codepoint",
    "order:utf16",
    "order:casefold",
    "order:signed-bytes",
    "order:length-first-codepoints",
    "order:length-first-utf16",
    "order:canonical-utf16",
    "order:canonical-casefold",
    "order:canonical-signed-bytes",
)
@pytest.mark.parametrize("names", NAME_SETS, ids=[f"set{i}" for i in range(len(NAME_SETS))])
@pytest.mark.req("ENC-010")
def test_msg_entry_numbers_entries_in_canonical_order(
    impl: Implementation, names: list[str]
) -> None:
    """Each set holds names that one wrong order (or all of them, the last set) sorts
    differently; every other name is also a tree of the set, listed through a path of
    that name's class.  The last ``k`` gives the last name, ``k`` = count gives -1."""
    for rule in tc.wrong_rules("canonical"):  # the sets tell every wrong order apart
        suite_premise(
            any(tc.orders_differ(s, "canonical", rule) for s in NAME_SETS),
            f"a set of names tells {rule} from the canonical order",
        )
    content = _content_of_sets(list(reversed(names)))
    _check_listing(
        _listing_of_content(impl, content), _expected_listing(content), f"names {names!r}"
    )


@pytest.mark.req("WASM-009.6")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "bmp",
    "astral",
    "largest",
    "past-largest",
    "order:utf8",
    "order:codepoint",
    "order:utf16",
    "order:casefold",
    "order:signed-bytes",
    "order:length-first-codepoints",
    "order:length-first-utf16",
    "order:canonical-utf16",
    "order:canonical-casefold",
    "order:canonical-signed-bytes",
)
@run
@given(names=tc.name_sets(where=tc.is_valid_name))
@pytest.mark.req("ENC-010")
def test_msg_entry_order_over_generated_names(impl: Implementation, names: list[str]) -> None:
    """Generated names of every valid class, with a pair that some wrong order sorts
    the other way; the first name (in the drawn order) is a tree of them all."""
    content = _tree(names, {names[0]: _tree(names)})
    _check_listing(
        _listing_of_content(impl, content), _expected_listing(content), f"names {names!r}"
    )


#: Paths to the listed tree, a segment of each class (and a three-segment path).
PREFIXES = ["x", "Éé", "\uffff", "\U0001f600", "a\U00010000/\ue000/中文"]


@pytest.mark.req("WASM-009.6", "WASM-008.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "order:utf8", "order:utf16")
@pytest.mark.parametrize("prefix", PREFIXES)
@pytest.mark.req("ENC-010")
def test_msg_entry_below_a_path_lists_that_tree_in_canonical_order(
    impl: Implementation, prefix: str
) -> None:
    """The tree of every name sits at ``prefix`` below the content, beside neighbours
    whose names sort before and after the path's segments."""
    target = _content_of_sets(list(reversed(ALL_NAMES)))
    content = target
    for segment in reversed(prefix.split("/")):
        content = _tree(["\U0010ffff", "a", segment + "z"], {segment: content})
    data = _listing_of_content(impl, content, prefix)
    _check_listing(data, _expected_listing(target), f"below {prefix!r}")


def _writer(reader: str, names: list[str]) -> tuple[bytes, g.ObjectId]:
    """On its genesis step: writes ``t/<name>`` (one byte) for ``names`` in that order,
    then sends the tree ``t`` (its id computed here, OBJ-009) to ``reader``; return codes
    saved as ``rc``."""
    one = g.object_id(g.Blob(data=b"\x01"))
    tree = g.object_id(g.Tree(entries=dict.fromkeys(names, one)))
    calls: list[Call] = [("core_set", [b"t/" + n.encode(), b"\x01", b""]) for n in names]
    calls.append(("send_object", [reader.encode(), b"mt\0list\0", tree.hex().encode(), 0]))
    lowering = Lowering()
    lines = lowering.calls(calls)
    lines.append(
        f"(drop (call $core_set (i32.const {lowering.place(b'rc')}) (i32.const 2) "
        f"(i32.const 0) (i32.const {len(calls)}) (i32.const 0) (i32.const 0)))"
    )
    return module({"core_set": 6, "send_object": 7}, lowering, {"step": lines}, 2), tree


#: Orders a step writes its tree in: the host must build it canonical whatever the order.
WRITE_ORDERS = ["reversed", "utf8", "utf16", "casefold", "length-first-codepoints"]


@pytest.mark.req("WASM-009.6", "WASM-011.3", "WASM-013.1")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "bmp",
    "astral",
    "order:utf8",
    "order:utf16",
    "order:casefold",
    "order:length-first-codepoints",
    "order:canonical-utf16",
)
@pytest.mark.parametrize("order", WRITE_ORDERS)
@pytest.mark.req("ENC-010")
def test_msg_entry_lists_a_tree_a_step_wrote_in_canonical_order(
    impl: Implementation, order: str
) -> None:
    """A writer's genesis writes ``t/<name>`` for every name in ``order``, and sends
    ``t`` to the lister: the lister sees the tree's entries in canonical order."""
    names = list(reversed(ALL_NAMES)) if order == "reversed" else tc.sort_by(order, ALL_NAMES)
    runtime = _open(impl, clause="WASM-009.6")
    reader = _genesis(impl, runtime, _lister(), clause="WASM-009.6")
    wasm, _ = _writer(reader, names)
    writer = _genesis(impl, runtime, wasm, clause="WASM-009.6")
    failures = _failures(impl, runtime, max_steps=10, clause="WASM-011.3")
    check_equal(
        "WASM-011.3",
        [],
        failures,
        f"the failures of the writer writing t/<name> in {order} order, and the lister",
    )
    rc = _entry(impl, runtime, writer, "rc", clause="WASM-011.3")
    check_equal("WASM-011.3", bytes(len(names) + 1), rc, "the writer's return codes: each 0")
    data = _entry(impl, runtime, reader, "names", clause="WASM-009.6")
    ok_answer(impl.call("wit-close", runtime=runtime), "WASM-009.6", "wit-close")
    _check_listing(data, _expected_listing(_tree(names)), f"a tree written in {order} order")
