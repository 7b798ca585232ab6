"""The kind of object each id of a history names (OBJ-020, OBJ-019.2), as a table.

Decoding checks an id field as an id only (OBJ-005); what it names is read from that
object.  A history whose step names a blob as its outbox, or whose mailbox names a tree
as an entry, decodes object by object but cannot be run: routing and the next transition
fail on it.  :func:`wrong_kinds` finds such ids in a walked history, for the import's
check (RUN-009.2) and for ``verify_actor`` (RUN-010.1), both from :data:`KIND_RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from .._ids import ObjectId
from .._maps import raw_of
from .._objects import Blob, GritObject, Mailbox, Message, Step, Tree

__all__ = ["KIND_RULES", "KindRule", "WrongKind", "wrong_kinds"]

#: The kinds a rule allows, ``NoneType`` among them (an id ``found`` lacks).
_Kinds = tuple[type[object], ...]

#: The ``type`` name of each kind (OBJ-002), for messages.
_NAMES: dict[type[GritObject], str] = {
    Blob: "blob",
    Tree: "tree",
    Message: "message",
    Mailbox: "mailbox",
    Step: "step",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class KindRule:
    """Each id in ``holder``'s field ``field`` names an object of one of ``kinds``; a
    failure names ``requirement``.  ``field`` is an attribute holding an id or ``None``,
    or ``entries``: every value of a mailbox's entries."""

    holder: type[GritObject]
    field: str
    kinds: tuple[type[GritObject], ...]
    requirement: str


#: OBJ-020.1's table.  A message's ``content`` and a tree's entries are not in it: they
#: may name any kind (OBJ-020.3; ``echo`` replies with whatever it read, WIT-019.1).
KIND_RULES: tuple[KindRule, ...] = (
    KindRule(holder=Step, field="core", kinds=(Tree,), requirement="OBJ-020.2"),
    KindRule(holder=Step, field="previous", kinds=(Step,), requirement="OBJ-020.2"),
    KindRule(holder=Step, field="inbox", kinds=(Mailbox,), requirement="OBJ-020.2"),
    KindRule(holder=Step, field="outbox", kinds=(Mailbox,), requirement="OBJ-020.2"),
    KindRule(holder=Mailbox, field="base", kinds=(Mailbox,), requirement="OBJ-019.2"),
    KindRule(holder=Mailbox, field="entries", kinds=(Message,), requirement="OBJ-020.2"),
    KindRule(holder=Message, field="previous", kinds=(Message,), requirement="OBJ-020.2"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class WrongKind:
    """``holder``'s field names ``named``, an object of a kind its rule does not allow."""

    holder: ObjectId
    named: ObjectId
    found: type[GritObject]
    rule: KindRule

    @property
    def detail(self) -> str:
        """What is wrong, without the clause (an error carries that as its requirement)."""
        wanted = " or ".join(_NAMES[kind] for kind in self.rule.kinds)
        return (
            f"the {self.rule.field} of the {_NAMES[self.rule.holder]} {self.holder} names "
            f"{self.named}, a {_NAMES[self.found]}, not a {wanted}"
        )

    def __str__(self) -> str:
        return f"{self.detail} ({self.rule.requirement})"


def wrong_kinds(
    found: Mapping[ObjectId, GritObject | None], rules: tuple[KindRule, ...] = KIND_RULES
) -> list[WrongKind]:
    """Every id in ``found``'s objects that names, in ``found``, an object of a kind its
    field's rule in ``rules`` does not allow, ordered by the named id, then the holder's
    id, then the rule's place in ``rules``, each once.  An id ``found`` lacks or could
    not read (``None``) is not judged: it is reported as absent or unreadable before
    (RUN-009.6).  One pass over ``found``, each field read from its slot: it runs on
    every import and every verify of a whole history (``verify-1000``)."""
    plan: dict[type[object], list[tuple[Callable[[object], Any], bool, _Kinds, int]]] = {}
    for place, rule in enumerate(rules):  # per type: each field's reader, as data
        kinds: _Kinds = (*rule.kinds, type(None))  # an id found lacks is judged before
        check = (attrgetter(rule.field), rule.field == "entries", kinds, place)
        plan.setdefault(rule.holder, []).append(check)
    get, trusted = found.get, ObjectId._trusted
    wrong: list[tuple[bytes, bytes, int]] = []
    for oid, obj in found.items():
        for read, many, allowed, place in plan.get(type(obj), ()):
            value = read(obj)
            if value is None:
                continue
            if not many:
                if not isinstance(get(value), allowed):
                    wrong.append((value.digest, oid.digest, place))
                continue
            for raw in raw_of(value).values():  # a mailbox's entries: raw digests
                if not isinstance(get(trusted(raw)), allowed):
                    wrong.append((raw, oid.digest, place))
    return [  # sorted and each once (an entry naming it twice): only when any is wrong
        _wrong(found, holder, named, rules[place]) for named, holder, place in sorted(set(wrong))
    ]


def _wrong(
    found: Mapping[ObjectId, GritObject | None], holder: bytes, named: bytes, rule: KindRule
) -> WrongKind:
    target = ObjectId._trusted(named)
    other = found[target]
    assert other is not None  # a kind no rule allows: read
    return WrongKind(holder=ObjectId._trusted(holder), named=target, found=type(other), rule=rule)
