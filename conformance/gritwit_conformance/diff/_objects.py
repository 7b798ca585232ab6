"""Why two ids differ: the first structural divergence between two objects (ADP-017).

An id is a hash (ID-001), so "step ids differ" says nothing about what is wrong.
:func:`first_divergence` walks down from two ids that should be equal — the
reference's (``expected``) and the implementation's (``got``) — through the
JSON descriptions (OBJ-018) of the objects they name: a step's fields, a core's
entries, a blob's headers and data, a mailbox's keys and base, a message's headers,
content and previous.  It stops at the first place where the two sides part and
returns a :class:`Divergence`: the path to it, both sides decoded (blob data as
text when it is UTF-8, as hex otherwise, cut when long) and the requirement ID
that fixes that place.  :func:`render` prints it in a few lines.

The module is pure: the two sides come in as lookups (id → description, or a
text saying why there is none), which callers build from a vector's recorded
``objects`` (:func:`recorded_objects`), the reference, or an adapter
(:func:`describe_bytes` over ``wit-object`` / ``rt-object`` answers).  Bundles,
encodings and lone descriptions are compared in :mod:`._more`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import gritwit as g
from gritwit.wit import ACTOR_CLAUSES

__all__ = [
    "Divergence",
    "Lookup",
    "describe_bytes",
    "first_divergence",
    "list_divergence",
    "recorded_objects",
    "render",
    "show_data",
    "summary",
]

Json = dict[str, Any]
#: id → its description (OBJ-018), or a text saying why it has none.
Lookup = Callable[[str], Mapping[str, Any] | str]

#: A step's fields in the order they are walked, with the requirement that fixes each.
_STEP_FIELDS: Final = (
    ("actor", "WIT-007.1"),
    ("previous", "WIT-007.1"),
    ("core", "WIT-007"),
    ("inbox", "WIT-008.1"),
    ("outbox", "WIT-009.1"),
)
#: Longest decoded value shown, in characters.
SHOWN: Final = 160
#: Objects fetched on one side before the walk gives up.
BUDGET: Final = 400


@dataclass(frozen=True, slots=True, kw_only=True)
class Divergence:
    """The first place two objects part: ``path`` from the root, both sides, the rule."""

    path: tuple[str, ...]
    expected: str
    got: str
    requirement: str


@dataclass(slots=True)
class _Walk:
    expected: Lookup
    got: Lookup
    fetched: int = 0
    cache: dict[tuple[str, str], Mapping[str, Any] | str] = field(default_factory=dict)

    def look(self, side: str, oid: str) -> Mapping[str, Any] | str:
        key = (side, oid)
        if key not in self.cache:
            self.fetched += 1
            lookup = self.expected if side == "expected" else self.got
            try:
                self.cache[key] = lookup(oid)
            except Exception as exc:  # a lookup is I/O: never let it hide the mismatch
                self.cache[key] = f"lookup failed: {type(exc).__name__}: {exc}"
        return self.cache[key]


def _readable(text: str) -> bool:
    """Text worth showing as text: printable but for line breaks and tabs."""
    return text.replace("\n", "").replace("\t", "").replace("\r", "").isprintable()


def show_data(data_hex: str) -> str:
    """Blob data for people: a JSON string when readable UTF-8, else ``hex …``; cut when long."""
    try:
        data = bytes.fromhex(data_hex)
    except ValueError:
        return f"(not hex: {data_hex[:40]!r})"
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        decoded = None
    if decoded is not None and _readable(decoded):
        text = json.dumps(decoded, ensure_ascii=False)
    else:
        text = "hex " + data.hex()
    if len(text) > SHOWN:
        text = text[:SHOWN] + f"… ({len(data)} bytes)"
    return text


def _short(oid: object) -> str:
    return f"{oid[:12]}…" if isinstance(oid, str) and len(oid) == 64 else json.dumps(oid)


def summary(description: Mapping[str, Any] | str, oid: str | None = None) -> str:
    """One line for an object: a blob's data and headers, a tree's names, a step's actor …"""
    if isinstance(description, str):
        return f"{_short(oid)} ({description})" if oid else description
    kind = description.get("type")
    headers = description.get("headers") or {}
    extra = f" headers {json.dumps(headers, ensure_ascii=False)}" if headers else ""
    if kind == "blob":
        return f"blob {show_data(str(description.get('data', '')))}{extra}"
    if kind == "tree":
        return "tree of " + ", ".join(f"`{n}`" for n in _names(description))
    if kind == "mailbox":
        return f"mailbox of {len(description.get('entries', {}))} entries"
    if kind == "message":
        return (
            f"message{extra}, content {_short(description.get('content'))}, "
            f"previous {_short(description.get('previous'))}"
        )
    if kind == "step":
        return f"step of actor {_short(description.get('actor'))}"
    return json.dumps(description)[:SHOWN]


def _names(tree: Mapping[str, Any]) -> list[str]:
    """Entry names in canonical order: bytewise order of their encodings (ENC-010)."""
    return sorted(tree.get("entries", {}), key=lambda n: (len(n.encode()), n.encode()))


def _actor_rule(core: Mapping[str, Any] | str, walk: _Walk, side: str) -> str | None:
    """The clause of the test actor a core runs (WIT-019 …), if it runs one."""
    if isinstance(core, str) or core.get("type") != "tree":
        return None
    wit = core.get("entries", {}).get("wit")
    blob = walk.look(side, wit) if isinstance(wit, str) else None
    if not isinstance(blob, Mapping) or blob.get("type") != "blob":
        return None
    try:
        name = bytes.fromhex(str(blob.get("data", ""))).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    return ACTOR_CLAUSES.get(name)


def _side(walk: _Walk, side: str, oid: str | None) -> str:
    if oid is None:
        return "absent"
    return summary(walk.look(side, oid), oid)


def _walk(
    walk: _Walk, expected: str | None, got: str | None, path: tuple[str, ...], rule: str
) -> Divergence | None:
    if expected == got:
        return None
    if expected is None or got is None or walk.fetched > 2 * BUDGET:
        return Divergence(
            path=path,
            expected=_side(walk, "expected", expected),
            got=_side(walk, "got", got),
            requirement=rule,
        )
    want, have = walk.look("expected", expected), walk.look("got", got)
    if isinstance(want, str) or isinstance(have, str):
        return Divergence(
            path=path,
            expected=summary(want, expected),
            got=summary(have, got),
            requirement=rule,
        )
    if want.get("type") != have.get("type"):
        return Divergence(
            path=(*path, "type"),
            expected=f"{want.get('type')}: {summary(want)}",
            got=f"{have.get('type')}: {summary(have)}",
            requirement=rule,
        )
    found = _fields(walk, want, have, path, rule)
    if found is not None:
        return found
    return Divergence(  # same description, different ids: the bytes are not canonical
        path=path,
        expected=f"id {expected}",
        got=f"id {got}, the same description: not its canonical encoding",
        requirement="ENC-014",
    )


def _fields(
    walk: _Walk, want: Mapping[str, Any], have: Mapping[str, Any], path: tuple[str, ...], rule: str
) -> Divergence | None:
    kind = want.get("type")
    if kind in ("blob", "message"):
        found = _headers(want, have, path, rule)
        if found is not None:
            return found
    if kind == "blob":
        if want.get("data") != have.get("data"):
            return Divergence(
                path=(*path, "data"),
                expected=show_data(str(want.get("data"))),
                got=show_data(str(have.get("data"))),
                requirement=rule,
            )
        return None
    if kind == "tree":
        return _entries(walk, want, have, path, rule, "entry")
    if kind == "mailbox":  # its entries, then down its base (OBJ-019.1)
        found = _entries(walk, want, have, path, rule, "key")
        if found is not None:
            return found
        return _walk(walk, want.get("base"), have.get("base"), (*path, "base"), rule)
    if kind == "message":
        for name, clause in (("content", rule), ("previous", "WIT-004")):
            found = _walk(walk, want.get(name), have.get(name), (*path, name), clause)
            if found is not None:
                return found
        return None
    if kind == "step":
        behaviour = _actor_rule(walk.look("expected", str(want.get("core"))), walk, "expected")
        for name, clause in _STEP_FIELDS:
            if name in ("core", "outbox") and behaviour is not None:
                clause = f"{behaviour}, {clause}"
            found = _walk(walk, want.get(name), have.get(name), (*path, name), clause)
            if found is not None:
                return found
    return None


def _headers(
    want: Mapping[str, Any], have: Mapping[str, Any], path: tuple[str, ...], rule: str
) -> Divergence | None:
    mine, theirs = want.get("headers") or {}, have.get("headers") or {}
    for name in sorted(set(mine) | set(theirs)):
        if mine.get(name) != theirs.get(name):
            return Divergence(
                path=(*path, f"header `{name}`"),
                expected=json.dumps(mine.get(name, "absent"), ensure_ascii=False),
                got=json.dumps(theirs.get(name, "absent"), ensure_ascii=False),
                requirement=rule,
            )
    return None


def _entries(
    walk: _Walk,
    want: Mapping[str, Any],
    have: Mapping[str, Any],
    path: tuple[str, ...],
    rule: str,
    label: str,
) -> Divergence | None:
    mine, theirs = want.get("entries", {}), have.get("entries", {})
    for name in _names({"entries": {**mine, **theirs}}):
        shown = f"{label} `{name}`" if label == "entry" else f"{label} {_short(name)}"
        found = _walk(walk, mine.get(name), theirs.get(name), (*path, shown), rule)
        if found is not None:
            return found
    return None


def first_divergence(
    expected: str | None,
    got: str | None,
    expected_objects: Lookup,
    got_objects: Lookup,
    *,
    root: str,
    requirement: str,
) -> Divergence | None:
    """Where the object ``got`` first parts from ``expected``; ``None`` if the ids are equal.

    ``root`` names the starting point (``step #2 of the run``), ``requirement``
    the rule for a divergence at the root itself.
    """
    return _walk(_Walk(expected_objects, got_objects), expected, got, (root,), requirement)


def list_divergence(
    expected: list[list[str]],
    got: list[list[str]],
    expected_objects: Lookup,
    got_objects: Lookup,
    *,
    requirement: str,
) -> Divergence | None:
    """The first difference of two ``[[actor, step], …]`` lists of a run (ADP-014)."""
    for index, (want, have) in enumerate(zip(expected, got, strict=False)):
        if want == have:
            continue
        root = f"step #{index} of the run (actor {_short(want[0])})"
        if want[0] != have[0]:
            return Divergence(
                path=(f"step #{index} of the run", "actor"),
                expected=want[0],
                got=f"{have[0]}: steps are taken in another order",
                requirement=requirement,
            )
        return first_divergence(
            want[1], have[1], expected_objects, got_objects, root=root, requirement=requirement
        )
    if len(expected) == len(got):
        return None
    index = min(len(expected), len(got))
    walk = _Walk(expected_objects, got_objects)
    extra = expected[index] if len(expected) > len(got) else got[index]
    side = "expected" if len(expected) > len(got) else "got"
    shown = f"actor {_short(extra[0])}, {_side(walk, side, extra[1])}"
    return Divergence(
        path=(f"step #{index} of the run",),
        expected=f"{len(expected)} steps" + (f"; this one: {shown}" if side == "expected" else ""),
        got=f"{len(got)} steps" + (f"; this one: {shown}" if side == "got" else ""),
        requirement=requirement,
    )


def render(divergence: Divergence, indent: str = "  ") -> str:
    """A few lines: the path, then expected and got, decoded."""
    parts: list[str] = []
    for part in divergence.path:  # a chain of previous steps reads as one hop
        if parts and part == "previous" and parts[-1].startswith("previous"):
            count = int(parts[-1].partition("×")[2] or 1) + 1
            parts[-1] = f"previous×{count}"
        else:
            parts.append(part)
    return (
        f"{indent}first divergence ({divergence.requirement}): {' → '.join(parts)}\n"
        f"{indent}  expected {divergence.expected}\n"
        f"{indent}  got      {divergence.got}"
    )


def describe_bytes(oid: str, data_hex: str) -> Mapping[str, Any] | str:
    """The description of stored bytes an adapter returned for ``oid``, or what is wrong."""
    try:
        data = bytes.fromhex(data_hex)
        obj = g.decode_object(data)
    except (g.GritError, ValueError, TypeError) as exc:
        return f"undecodable: {exc}"[:SHOWN]
    if g.compute_id(data).hex() != oid:
        return f"its stored bytes hash to {g.compute_id(data).hex()[:12]}…, not to its id"
    return g.object_to_json(obj)


def recorded_objects(operations: Iterable[Mapping[str, Any]]) -> Lookup:
    """A lookup over the ``objects`` a vector's operations record (ADP-017)."""
    table: dict[str, Mapping[str, Any]] = {}
    for op in operations:
        table.update(op.get("objects") or {})

    def lookup(oid: str) -> Mapping[str, Any] | str:
        return table.get(oid, "not recorded in the vector")

    return lookup
