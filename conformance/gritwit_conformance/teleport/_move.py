"""The move itself: export actors from one leg, import them into the next (RUN-009).

The bundle the implementation exports must be the reference's bundle of the same
history, byte for byte (RUN-009.1: equal histories give equal bundles); the next
leg's implementation and reference then both import *that* bundle, so what follows
is compared with the reference continuing the very bytes that moved (RUN-009.7).
"""

from __future__ import annotations

from ..diff._more import bundle_divergence
from ..diff._objects import render
from ._mirror import Divergence, Leg, SuiteBug, answer, objects_of

__all__ = ["move"]

#: The clauses an export that is not the reference's bundle breaks.
EXPORT_RULES = ("RUN-009.1", "RUN-009.7")
#: The clauses an import that is not the reference's breaks.
IMPORT_RULES = ("RUN-009.2", "RUN-009.4", "RUN-009.7", "RUN-009.8")


def move(source: Leg, target: Leg, actors: list[str], rules: tuple[str, ...] = ()) -> list[str]:
    """Export each of ``actors`` from ``source``, import them into ``target`` in order.

    Returns the bundles that moved (hex).  Raises :class:`Divergence` at the first
    export or import that is not the reference's, blaming its rules and ``rules`` (the
    scenario's clauses: what it moves).
    """
    bundles = []
    for actor in actors:
        bundles.append(_export(source, actor, _union(EXPORT_RULES, rules)))
    for actor, bundle in zip(actors, bundles, strict=True):
        _import(target, actor, bundle, _union(IMPORT_RULES, rules))
    return bundles


def _union(first: tuple[str, ...], second: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*first, *second)))


def _export(leg: Leg, actor: str, rules: tuple[str, ...]) -> str:
    want = leg.reference("rt-export", actor=actor)
    if "bundle" not in want:
        raise SuiteBug(f"the reference cannot export {actor}: {want}")
    got = answer(leg.impl, "rt-export", runtime=leg.mine, actor=actor)
    if "bundle" not in got:
        raise Divergence(
            rules,
            f"{leg.label}: rt-export of {actor} fails with {got.get('error')}; the reference "
            f"exports a bundle of {len(want['bundle']) // 2} bytes",
        )
    if got["bundle"] == want["bundle"]:
        return str(got["bundle"])
    head = leg.reference("rt-head", actor=actor)["step"]
    found = bundle_divergence(
        actor, head, objects_of(leg.oracle, leg.ref), got["bundle"], requirement="RUN-009.1"
    )
    detail = "\n" + render(found) if found is not None else ""
    accepted = _reference_accepts(leg, got["bundle"])
    raise Divergence(
        rules,
        f"{leg.label}: the bundle of {actor} is not the reference's bundle of the same "
        f"history ({len(got['bundle']) // 2} bytes, the reference's {len(want['bundle']) // 2}; "
        f"RUN-009.1: equal histories give equal bundles); {accepted}{detail}",
    )


def _reference_accepts(leg: Leg, bundle: str) -> str:
    """Whether a fresh runtime of the reference imports ``bundle``, in words."""
    from tempfile import TemporaryDirectory

    with TemporaryDirectory(prefix="gritwit-teleport-") as tmp:
        opened = answer(leg.oracle, "rt-open", path=tmp)
        handle = str(opened["runtime"])
        try:
            verdict = answer(leg.oracle, "rt-import", runtime=handle, bundle=bundle)
        finally:
            leg.oracle.call("rt-close", runtime=handle)
    if "error" in verdict:
        return f"the reference refuses it: {verdict['error']} (RUN-009.2)"
    return "the reference would import it, as another history"


def _import(leg: Leg, actor: str, bundle: str, rules: tuple[str, ...]) -> None:
    want = leg.reference("rt-import", bundle=bundle)
    if "error" in want:
        raise SuiteBug(f"the reference refuses a bundle it exported itself: {want}")
    got = answer(leg.impl, "rt-import", runtime=leg.mine, bundle=bundle)
    leg.compared += 1
    if got != want:
        raise Divergence(
            rules,
            f"{leg.label}: rt-import of the bundle of {actor} answers {got}; the reference, "
            f"importing the same bytes, answers {want} (the bundle's own actor and head)",
        )
    leg("rt-head", actor=actor)  # the head is the bundle's, read back (RUN-009.4)
