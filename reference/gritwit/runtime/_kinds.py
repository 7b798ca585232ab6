"""The kind of object each id of a history names (OBJ-020, OBJ-019.2), as a table.

Decoding checks an id field as an id only (OBJ-005); what it names is read from that
object.  A history whose step names a blob as its outbox, or whose mailbox names a tree
as an entry, decodes object by object but cannot be run: routing and the next transition
fail on it.  :func:`wrong_kinds` finds such ids in a walked history, for the import's
check (RUN-009.2) and for ``verify_actor`` (RUN-010.1), both from :data:`KIND_RULES`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from .._ids import ObjectId
from .._objects import Blob, GritObject, Mailbox, Message, Step, Tree

__all__ = ["KIND_RULES", "KindRule", "WrongKind", "wrong_kinds"]

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

    def named(self, obj: GritObject) -> tuple[ObjectId, ...]:
        """The ids ``obj`` (a ``holder``) names in this field."""
        value = getattr(obj, self.field)
        if value is None:
            return ()
        if isinstance(value, ObjectId):
            return (value,)
        return tuple(value.values())  # a mailbox's entries: actor → message


#: OBJ-020.1's table.  A message's ``content`` and a tree's entries are not in it: they
#: may name any kind (OBJ-020.3; ``echo`` replies with whatever it read, WIT-019.1).
KIND_RULES: tuple[KindRule, ...] = (
    KindRule(holder=Step, field="core", kinds=(Tree,), requirement="OBJ-020.1"),
    KindRule(holder=Step, field="previous", kinds=(Step,), requirement="OBJ-020.1"),
    KindRule(holder=Step, field="inbox", kinds=(Mailbox,), requirement="OBJ-020.1"),
    KindRule(holder=Step, field="outbox", kinds=(Mailbox,), requirement="OBJ-020.1"),
    KindRule(holder=Mailbox, field="base", kinds=(Mailbox,), requirement="OBJ-019.2"),
    KindRule(holder=Mailbox, field="entries", kinds=(Message,), requirement="OBJ-020.1"),
    KindRule(holder=Message, field="previous", kinds=(Message,), requirement="OBJ-020.1"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class WrongKind:
    """``holder``'s field names ``named``, an object of a kind its rule does not allow."""

    holder: ObjectId
    named: ObjectId
    found: type[GritObject]
    rule: KindRule

    def __str__(self) -> str:
        wanted = " or ".join(_NAMES[kind] for kind in self.rule.kinds)
        return (
            f"the {self.rule.field} of the {_NAMES[self.rule.holder]} {self.holder} names "
            f"{self.named}, a {_NAMES[self.found]}, not a {wanted} ({self.rule.requirement})"
        )


def wrong_kinds(
    found: Mapping[ObjectId, GritObject | None], rules: tuple[KindRule, ...] = KIND_RULES
) -> list[WrongKind]:
    """Every id in ``found``'s objects that names, in ``found``, an object of a kind its
    field's rule in ``rules`` does not allow, ordered by the named id, then the holder's
    id, then the rule's place in ``rules``.  An id ``found`` lacks or could not read
    (``None``) is not judged: it is reported as absent or unreadable before (RUN-009.6)."""
    by_holder: dict[type[GritObject], list[tuple[int, KindRule]]] = {}
    for place, rule in enumerate(rules):
        by_holder.setdefault(rule.holder, []).append((place, rule))

    def each() -> Iterator[tuple[bytes, bytes, int, WrongKind]]:
        for oid, obj in found.items():
            if obj is None:
                continue
            for place, rule in by_holder.get(type(obj), ()):
                for target in rule.named(obj):
                    other = found.get(target)
                    if other is not None and not isinstance(other, rule.kinds):
                        wrong = WrongKind(holder=oid, named=target, found=type(other), rule=rule)
                        yield target.digest, oid.digest, place, wrong

    ordered = sorted(each(), key=lambda item: item[:3])
    return list(dict.fromkeys(wrong for *_, wrong in ordered))  # an entry twice: once
