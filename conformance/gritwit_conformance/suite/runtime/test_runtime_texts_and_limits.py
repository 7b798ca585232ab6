"""The runtime chapter's text, name, order and limit clauses over every input class
, and the Wit chapter's through ``rt-*``.

* RUN-008.3: a ``state`` entry named exactly ``fork`` is refused; near misses of every
  class (``Fork``, ``fork ``, ``fork`` + U+00A0, + an astral code point, …) are state like
  any other, and names that are no valid names (lone surrogates, NUL, empty) are refused
  by the object rules.
* RUN-009.1: ``rt-export`` sorts the bundle's objects by id as unsigned bytes (ID-005):
  the actor's objects are chosen so that ids compared as signed bytes sort otherwise.  A
  bundle of exactly 16 MiB is exported, one byte more is refused (ENC-013).
* RUN-009.2: ``rt-import`` takes the actor and head items only as text-form ids: a near
  miss of every class is ``invalid-id`` (a lone surrogate is no CBOR text at all and
  fails the CBOR check first); objects sorted as signed bytes are ``invalid-object``.
* RUN-011.2: ``rt-erase`` takes any non-empty text as the reason, NUL, astral and all;
  the empty reason and a lone surrogate are refused and erase nothing.
* The Wit chapter's exact-bytes rules (WIT-001, WIT-013.1, WIT-014.3, WIT-016,
  WIT-017.3, WIT-028.4, WIT-028.6, WIT-023.1) through ``rt-genesis``, ``rt-send``,
  ``rt-run``, ``rt-query`` and ``rt-object``: the scenarios of
  ``suite/wit/_wit_texts.py`` (``test_wit_exact_names``, ``test_wit_decimals_and_ids``),
  where a failure is the one of RUN-004 (five attempts, then the mark).

Every answer is compared with the in-process reference; what the rule decides (the
class, whether anything was stored) is asserted from the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

from .._check import check, check_equal, fail
from ..wit._wit_numbers import DECIMAL_DATA, LIMIT_DATA, decimals, text_form_ids
from ..wit._wit_texts import (
    CLASSES,
    Twin,
    actor_names,
    entry_names,
    frozen_names,
    mt_no_row,
    near,
    query_names,
    raw,
    runtime_key,
    runtime_value,
    update_function,
    update_mt,
)

pytestmark = pytest.mark.profile("runtime")

Json = dict[str, Any]
#: ENC-013: the longest encoding, so the largest bundle.
LIMIT = 16 * 1024 * 1024
TAG = "gritwit-bundle/1"


def _twins(impl: Implementation, top: Path) -> Callable[[], Twin]:
    count = iter(range(1_000_000))
    return lambda: Twin(impl, "rt", top / f"t{next(count)}")


# --------------------------------------------------------------------------- the Wit rules, rt-*


@pytest.mark.req("WIT-001.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_core_entry_names_are_exact_bytes(impl: Implementation, tmp_path: Path, cls: str) -> None:
    entry_names(_twins(impl, tmp_path), cls)


@pytest.mark.req("WIT-016", "WIT-001.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_frozen_entries_are_named_by_exact_bytes(
    impl: Implementation, tmp_path: Path, cls: str
) -> None:
    frozen_names(_twins(impl, tmp_path), cls)


@pytest.mark.req("WIT-001.2", "WIT-012.4", "WIT-007.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_the_runtime_header_name_is_exact_bytes(
    impl: Implementation, tmp_path: Path, cls: str
) -> None:
    runtime_key(_twins(impl, tmp_path), cls)


@pytest.mark.req("WIT-001.3", "WIT-012.4", "WIT-029.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_the_runtime_header_value_is_exact_bytes(
    impl: Implementation, tmp_path: Path, cls: str
) -> None:
    runtime_value(_twins(impl, tmp_path), cls)


@pytest.mark.req("WIT-001.4", "WIT-023.1", "WIT-023.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_a_wit_naming_no_test_actor_is_unknown(
    impl: Implementation, tmp_path: Path, cls: str
) -> None:
    actor_names(_twins(impl, tmp_path), cls)


@pytest.mark.req("WIT-013.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_only_mt_update_is_an_update(impl: Implementation, tmp_path: Path, cls: str) -> None:
    update_mt(_twins(impl, tmp_path), cls)


@pytest.mark.req("WIT-014.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_an_update_function_is_named_by_exact_bytes(
    impl: Implementation, tmp_path: Path, cls: str
) -> None:
    update_function(_twins(impl, tmp_path), cls)


@pytest.mark.req("WIT-017.3", "ADP-004.11")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_a_query_name_is_exact_bytes(impl: Implementation, tmp_path: Path, cls: str) -> None:
    query_names(_twins(impl, tmp_path), cls)


@pytest.mark.req("WIT-028.4")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_an_mt_naming_no_row_is_read_without_effect(
    impl: Implementation, tmp_path: Path, cls: str
) -> None:
    mt_no_row(_twins(impl, tmp_path), cls)


@pytest.mark.req("WIT-028.6", "WIT-020.2", "WIT-025.2", "WIT-025.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_only_ascii_digits_are_a_decimal(impl: Implementation, tmp_path: Path, cls: str) -> None:
    decimals(_twins(impl, tmp_path), DECIMAL_DATA[cls])


@pytest.mark.req("WIT-028.6", "WIT-020.2", "WIT-025.2")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ADP-014")
def test_a_decimal_has_at_most_18_digits(impl: Implementation, tmp_path: Path) -> None:
    decimals(_twins(impl, tmp_path), LIMIT_DATA)


@pytest.mark.req("WIT-028.6", "WIT-026.1", "WIT-021.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("ADP-014")
def test_only_64_lowercase_hex_digits_name_an_actor(
    impl: Implementation, tmp_path: Path, cls: str
) -> None:
    text_form_ids(_twins(impl, tmp_path), cls)


@pytest.mark.req("WIT-028.6", "WIT-026.1", "WIT-021.1")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ADP-014")
def test_a_text_form_id_has_exactly_64_digits(impl: Implementation, tmp_path: Path) -> None:
    text_form_ids(_twins(impl, tmp_path), None)


# --------------------------------------------------------------------------- RUN-008.3


@pytest.mark.req("RUN-008.3", "RUN-008.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
def test_only_a_state_entry_named_exactly_fork_is_refused(
    impl: Implementation, tmp_path: Path, cls: str
) -> None:
    t = _twins(impl, tmp_path)()
    try:
        parent = t.started("counter", n=b"\x00")
        step = t("head", actor=parent)["step"]
        check_equal(
            "RUN-008.3",
            {"error": "invalid-object"},
            t("fork", actor=parent, step=step, state={"fork": "01"}),
            "rt-fork with a state entry named fork",
        )
        for name in near("fork", cls):
            answer = t("fork", actor=parent, step=step, state={name: "01"})
            if not tc.is_valid_name(name):
                check(
                    "RUN-008.3",
                    "error" in answer,
                    expected=f"{name!a} is no entry name: {answer}",
                    came="error",
                )
                continue
            check(
                "RUN-008.3",
                "actor" in answer,
                expected=f"{name!a} is not `fork`: a state entry like any other",
                came="actor",
            )
            child = answer["actor"]
            entries = t.core(child)
            check_equal(
                "RUN-008.3", {"wit", "count", "n", name, "fork"}, set(entries), "the entries"
            )
            check_equal(
                "RUN-008.3", g.Blob(data=b"\x01"), t.obj(entries[name]), "the state entry as given"
            )
    finally:
        t.close()


# --------------------------------------------------------------------------- RUN-011.2


@pytest.mark.req("RUN-011.2", "RUN-011.3", "ADP-015")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
def test_any_non_empty_text_is_a_reason(impl: Implementation, tmp_path: Path, cls: str) -> None:
    t = _twins(impl, tmp_path)()
    try:
        reasons = near("test", cls)
        state = {f"b{i}": bytes([i]) for i in range(len(reasons))}
        t.started("echo", **state)
        for i, reason in enumerate(reasons):
            target = g.object_id(g.Blob(data=bytes([i]))).hex()
            answer = t("erase", blob=target, reason=reason)
            read = t("object", id=target)
            if reason and tc.is_valid_text(reason):
                check_equal("RUN-011.2", {}, answer, f"the reason {reason!a} is non-empty text")
                check_equal("RUN-011.3", {"error": "erased"}, read, "erased, RUN-011.3")
            else:
                check(
                    "RUN-011.2",
                    "error" in answer,
                    expected=f"the reason {reason!a} is no non-empty text",
                    came="error",
                )
                check(
                    "RUN-011.2",
                    "bytes" in read,
                    expected=f"a refused erase erases nothing: {read}",
                    came="bytes",
                )
    finally:
        t.close()


# --------------------------------------------------------------------------- RUN-009


def _unsigned(data: bytes) -> bytes:
    return bytes(g.compute_id(data).digest)


def _signed(data: bytes) -> tuple[int, ...]:
    return tuple(b - 256 if b >= 0x80 else b for b in g.compute_id(data).digest)


def _export(t: Twin, actor: str) -> tuple[str, str, list[bytes]]:
    """``rt-export`` of ``actor``, decoded: (actor item, head item, objects)."""
    parts = g.decode_value(bytes.fromhex(t("export", actor=actor)["bundle"]))
    if not isinstance(parts, list):
        fail("RUN-009.1", expected="a list", came=parts, what="the exported bundle")
    check_equal("RUN-009.1", 4, len(parts), "the exported bundle's items")
    check_equal("RUN-009.1", TAG, parts[0], "the exported bundle's format tag")
    _, who, head, objects = parts
    if not isinstance(who, str):
        fail("RUN-009.1", expected="a string", came=who)
    if not isinstance(head, str):
        fail("RUN-009.1", expected="a string", came=head, what="the head")
    if not isinstance(objects, list):
        fail("RUN-009.1", expected="a list", came=objects, what="the objects")
    items = [o for o in objects if isinstance(o, bytes)]
    check_equal("RUN-009.1", len(objects), len(items), "every bundled object is a byte string")
    return who, head, items


def _encode(actor: str, head: str, objects: list[bytes]) -> bytes:
    """A bundle of these items, encoded canonically (RUN-009.1)."""
    value: list[Any] = [TAG, actor, head, list(objects)]
    return g.encode_value(value)


def _separating_actor(t: Twin) -> str:
    """An echo whose bundle's objects sort differently as signed bytes (one read, one reply)."""
    for tag in range(256):
        e = t.started("echo", t=bytes([tag]))
        t.send(e, "hi", {"blob": "00"})
        t.run()
        _, _, objects = _export(t, e)
        if sorted(objects, key=_unsigned) != sorted(objects, key=_signed):
            return e
    raise AssertionError("no echo whose object ids straddle 0x80")  # pragma: no cover


@pytest.mark.req("RUN-009.1", "ID-005")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
def test_export_sorts_objects_by_id_as_unsigned_bytes(impl: Implementation, tmp_path: Path) -> None:
    t = _twins(impl, tmp_path)()
    try:
        e = _separating_actor(t)
        actor, _, objects = _export(t, e)
        check_equal("RUN-009.1", e, actor, "the actor")
        check_equal("ID-005", sorted(objects, key=_unsigned), objects, "sorted by id, unsigned")
        check_equal(
            "RUN-009.1", len(objects), len(set(map(_unsigned, objects))), "each exactly once"
        )
    finally:
        t.close()


def _text(raw_bytes: bytes) -> bytes:
    """A CBOR text string holding these bytes as they are (valid UTF-8 or not)."""
    n = len(raw_bytes)
    head = bytes([0x60 | n]) if n < 24 else bytes([0x78, n]) if n < 256 else b""
    check("RUN-009.1", head, expected="a value, not empty", came=head, what="short text only")
    return head + raw_bytes


def _bundle(actor: bytes, head: bytes, objects: list[bytes]) -> bytes:
    """A bundle with these raw actor and head items (RUN-009.1's array)."""
    items: list[Any] = list(objects)
    return b"\x84" + g.encode_value(TAG) + _text(actor) + _text(head) + g.encode_value(items)


@pytest.mark.req("RUN-009.2", "RUN-009.3", "RUN-009.6")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.req("RUN-009.1")
def test_import_takes_only_text_form_ids(impl: Implementation, tmp_path: Path, cls: str) -> None:
    twins = _twins(impl, tmp_path)
    t = twins()
    try:
        e = t.started("echo", t=b"\x01")
        actor, head, objects = _export(t, e)
        check_equal(
            "RUN-009.2",
            _encode(actor, head, objects),
            _bundle(actor.encode(), head.encode(), objects),
        )
        other = twins()
        try:
            for which in ("actor", "head"):
                word = actor if which == "actor" else head
                for text in [*near(word, cls), *near(word[:8], cls)]:
                    bad = raw(text)
                    items = (bad, head.encode()) if which == "actor" else (actor.encode(), bad)
                    answer = other("import", bundle=_bundle(*items, objects).hex())
                    if tc.is_valid_text(text):
                        check_equal("RUN-009.2", {"error": "invalid-id"}, answer, "the answer")
                    else:
                        check(
                            "RUN-009.2",
                            "error" in answer,
                            expected=f"no CBOR text: {answer}",
                            came="error",
                        )  # ENC first
                    check_equal(
                        "RUN-009.2", {"step": None}, other("head", actor=actor), "imports nothing"
                    )
            check_equal(
                "RUN-009.2",
                {
                    "actor": actor,
                    "head": head,
                },
                other("import", bundle=_encode(actor, head, objects).hex()),
                "the unbroken bundle imports",
            )
        finally:
            other.close()
    finally:
        t.close()


@pytest.mark.req("RUN-009.2", "RUN-009.3", "ID-005")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
@pytest.mark.req("RUN-009.1")
def test_import_refuses_objects_sorted_as_signed_bytes(
    impl: Implementation, tmp_path: Path
) -> None:
    twins = _twins(impl, tmp_path)
    t = twins()
    try:
        e = _separating_actor(t)
        actor, head, objects = _export(t, e)
        signed = sorted(objects, key=_signed)
        check(
            "RUN-009.2",
            signed != objects,
            expected="the exported objects in another order when sorted as signed bytes",
            came="the same order",
        )
        other = twins()
        try:
            answer = other("import", bundle=_encode(actor, head, signed).hex())
            check_equal("RUN-009.2", {"error": "invalid-object"}, answer, "not in id order")
            check_equal("RUN-009.3", {"step": None}, other("head", actor=e), "imports nothing")
            again = other("import", bundle=_encode(actor, head, objects).hex())
            check(
                "RUN-009.2",
                "actor" in again,
                expected="the same objects in id order imported (an actor)",
                came=again,
            )
        finally:
            other.close()
    finally:
        t.close()


def _bundle_size(t: Twin, size: int) -> tuple[str, Json]:
    """An echo holding a blob of ``size`` bytes, run once, and its ``rt-export`` answer."""
    e = t.started("echo", big=b"\x07" * size)
    return e, t("export", actor=e)


@pytest.mark.slow
@pytest.mark.req("RUN-009.1", "ENC-013.2")
@pytest.mark.inputs("largest", "past-largest")
def test_a_bundle_of_16_mib_is_exported_and_one_byte_more_refused(
    impl: Implementation, tmp_path: Path
) -> None:
    """The bundle grows byte for byte with the blob (every head keeps its width between
    64 KiB and 4 GiB), so a small bundle fixes the blob size that makes it 16 MiB."""
    small = 70_000
    twins = _twins(impl, tmp_path)
    t = twins()
    try:
        _, answer = _bundle_size(t, small)
        size = small + LIMIT - len(answer["bundle"]) // 2
    finally:
        t.close()
    t = twins()
    try:
        e, answer = _bundle_size(t, size)
        check(
            "RUN-009.1",
            "bundle" in answer,
            expected=f"a bundle of exactly 16 MiB is allowed: {answer}",
            came="bundle",
        )
        bundle = bytes.fromhex(answer["bundle"])
        check_equal("RUN-009.1", LIMIT, len(bundle), f"{len(bundle)} bytes")
        decoded = g.decode_value(bundle)
        if not isinstance(decoded, list):
            fail("RUN-009.1", expected="a list", came=decoded, what="RUN-009.1's array")
        check_equal("RUN-009.1", [TAG, e], decoded[:2], "RUN-009.1's array")
        e, answer = _bundle_size(t, size + 1)
        check_equal("ENC-013.2", {"error": "too-large"}, answer, "16 MiB + 1 byte is refused")
    finally:
        t.close()
