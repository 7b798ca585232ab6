"""The ``objects/step`` suite: steps (OBJ-015) and the order their fields are checked (OBJ-016)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _build as b
from ._format import Group, Suite
from ._objects import fake_id, with_fields

__all__ = ["suite"]

_IDS = {name: fake_id(f"step {name}") for name in ("actor", "core", "previous", "inbox", "outbox")}
_MINIMAL: dict[str, Any] = {"type": "step", "actor": _IDS["actor"], "core": _IDS["core"]}
_OPTIONAL = ("previous", "inbox", "outbox")
_FULL: dict[str, Any] = {**_MINIMAL, **{name: _IDS[name] for name in _OPTIONAL}}


def _valid() -> Group:
    group = Group("valid-steps", "Steps with every combination of optional fields.", "object")
    group.valid(
        "step/minimal",
        "actor and core only",
        ("OBJ-015", "OBJ-004.1"),
        _MINIMAL,
        flags=["OptionalAbsent"],
    )
    for name in _OPTIONAL:
        group.valid(
            f"step/with-{name}",
            f"actor, core and {name}",
            ("OBJ-015", "OBJ-004.1"),
            {**_MINIMAL, name: _IDS[name]},
            flags=["OptionalPresent"],
        )
    for left, right in (("previous", "inbox"), ("previous", "outbox"), ("inbox", "outbox")):
        group.valid(
            f"step/with-{left}-and-{right}",
            f"actor, core, {left} and {right}",
            ("OBJ-015", "OBJ-004.1"),
            {**_MINIMAL, left: _IDS[left], right: _IDS[right]},
            flags=["OptionalPresent"],
        )
    group.valid(
        "step/all-fields",
        "every optional field present",
        ("OBJ-015",),
        _FULL,
        flags=["OptionalPresent"],
    )
    same = _IDS["actor"]
    group.valid(
        "step/one-id-everywhere",
        "the same id in all five fields",
        ("OBJ-015",),
        {"type": "step", **{name: same for name in _IDS}},
        flags=["OptionalPresent"],
    )
    return group


def _fields() -> Group:
    group = Group("invalid-fields", "Missing, unknown, null and mistyped step fields.", "object")
    for name in ("actor", "core"):
        group.invalid(
            f"step/{name}-missing",
            f"no {name}",
            ("OBJ-003.1", "OBJ-015"),
            with_fields(_MINIMAL, drop=(name,)),
            "invalid-object",
            flags=["MissingField"],
        )
    bad: dict[str, Callable[[bytes], bytes]] = {
        "31-bytes": lambda i: b.bstr(i[:31]),
        "33-bytes": lambda i: b.bstr(i + b"\x00"),
        "text": lambda i: b.tstr(i.hex()),
        "map": lambda i: b.canonical_map({"id": b.bstr(i)}),
    }
    for name in _IDS:
        for slug, make in bad.items():
            group.invalid(
                f"step/{name}-{slug}",
                f"{name} as {slug.replace('-', ' ')}",
                ("OBJ-005", "OBJ-015"),
                with_fields(_MINIMAL, {name: make(_IDS[name])}),
                "invalid-id",
                flags=["InvalidId"],
            )
        group.invalid(
            f"step/{name}-null",
            f"{name} as null",
            ("OBJ-004.2",),
            with_fields(_MINIMAL, {name: b.NULL}),
            "invalid-object",
            flags=["Null"],
        )
    for name in ("headers", "Actor", "state"):
        group.invalid(
            f"step/unknown-field-{name.lower()}",
            f"a step has no {name!r} field",
            ("OBJ-003.3", "OBJ-015"),
            with_fields(_FULL, {name: b.tstr("x")}),
            "invalid-object",
            flags=["UnknownField"],
        )
    return group


def _order() -> Group:
    group = Group(
        "field-order",
        "Two bad fields: the first in canonical key order (core, type, "
        "actor, inbox, outbox, previous) is reported, not the first alphabetically.",
        "object",
    )
    short = b.bstr(b"\x00" * 31)
    cases = {
        "null-core-before-bad-actor": (
            {"core": b.NULL, "actor": short},
            "invalid-object",
            "OBJ-004.2",
        ),
        "bad-core-before-null-actor": ({"core": short, "actor": b.NULL}, "invalid-id", "OBJ-005"),
        "bad-actor-before-null-previous": (
            {"actor": short, "previous": b.NULL},
            "invalid-id",
            "OBJ-005",
        ),
        "null-inbox-before-bad-outbox": (
            {"inbox": b.NULL, "outbox": short},
            "invalid-object",
            "OBJ-004.2",
        ),
        "bad-outbox-before-null-previous": (
            {"outbox": short, "previous": b.NULL},
            "invalid-id",
            "OBJ-005",
        ),
        "null-previous-after-unknown-field": (
            {"previous": b.NULL, "zz": b.uint(0)},
            "invalid-object",
            "OBJ-003.3",
        ),
    }
    for slug, (fields, error, req) in cases.items():
        group.invalid(
            f"step/{slug}",
            slug.replace("-", " "),
            ("OBJ-016.2", req),
            with_fields(_MINIMAL, fields),
            error,
            flags=["Precedence"],
        )
    return group


def _truncated() -> Group:
    group = Group("truncated", "A valid step cut short at a few places.", "object")
    whole = b.encode(_FULL)
    for cut in (1, 2, 7, 40, len(whole) // 2, len(whole) - 1):
        group.invalid(
            f"step/truncated-to-{cut}-bytes",
            f"the first {cut} of {len(whole)} bytes of step/all-fields",
            ("ENC-002.1",),
            whole[:cut],
            "truncated",
            flags=["Truncated"],
        )
    return group


def suite() -> Suite:
    """The ``objects/step`` suite."""
    return Suite(
        "objects/step",
        "Steps: an actor's state (actor, core) with optional previous step, inbox and outbox.",
        (_valid(), _fields(), _order(), _truncated()),
    )
