"""One runtime of an implementation beside one runtime of the reference, fed the same commands.

A :class:`Leg` is one stretch of a move: the source runtime before the export, the
target runtime after the import, the home runtime after the move back.  Every
command goes to the implementation's runtime and to the reference's, and the two
answers must be equal; when an id differs, :class:`Divergence` names the first place
where the implementation's objects part from the reference's (ADP-017.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..diff._objects import Lookup, describe_bytes, first_divergence, list_divergence, render
from ..harness._implementation import Implementation

__all__ = ["Divergence", "Leg", "SuiteBug", "answer", "objects_of"]

Json = dict[str, Any]


class Divergence(Exception):
    """The implementation answered other than the reference: the move failed here."""

    def __init__(self, requirements: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.requirements = requirements
        self.message = message


class SuiteBug(Exception):
    """The reference itself did not do what a scenario relies on: the check is wrong."""


def answer(impl: Implementation, cmd: str, **args: Any) -> Json:
    """``cmd``'s result, or ``{"error": class}``: the form two answers are compared in."""
    reply = impl.call(cmd, **args)
    return dict(reply.result) if reply.ok else {"error": reply.error_class}


def objects_of(impl: Implementation, runtime: str) -> Lookup:
    """The objects of one runtime, read with ``rt-object`` and described (OBJ-018)."""

    def lookup(oid: str) -> Mapping[str, Any] | str:
        reply = impl.call("rt-object", runtime=runtime, id=oid)
        if not reply.ok:
            return f"rt-object answers {reply.error_class}"
        return describe_bytes(oid, str(reply.result.get("bytes", "")))

    return lookup


#: Every leg's runtimes bound a transition by this many seconds (RUN-005.2): the
#: scenarios compare step ids, never bounds, and a sandboxed transition on a loaded
#: machine can outlast the default 5 s (RUN-005.1) on one side only, which would make
#: the two histories differ for no fault of either.
TRANSITION_BOUND = 600


class Leg:
    """``impl``'s runtime ``mine`` and the reference's runtime ``ref``, on fresh directories.

    ``name`` says which stretch this is in messages (``source``, ``target``, ``home``);
    ``requirements`` are the clauses a different answer breaks.
    """

    def __init__(
        self,
        impl: Implementation,
        oracle: Implementation,
        top: Path,
        name: str,
        requirements: tuple[str, ...],
    ) -> None:
        self.impl, self.oracle, self.name, self.requirements = impl, oracle, name, requirements
        self.compared = 0
        handles = []
        for side, who in (("impl", impl), ("reference", oracle)):
            path = top / f"{name}-{side}"
            path.mkdir(parents=True)
            opened = answer(who, "rt-open", path=str(path), time_limit=TRANSITION_BOUND)
            if "runtime" not in opened:
                if who is oracle:
                    raise SuiteBug(f"the reference cannot open a runtime: {opened}")
                raise Divergence(("ADP-015",), f"{name}: rt-open failed: {opened}")
            handles.append(str(opened["runtime"]))
        self.mine, self.ref = handles

    @property
    def label(self) -> str:
        return f"{self.name} runtime ({self.impl.label})"

    def reference(self, cmd: str, **args: Any) -> Json:
        """``cmd`` on the reference's runtime only (what an answer should be)."""
        return answer(self.oracle, cmd, runtime=self.ref, **args)

    def __call__(self, cmd: str, **args: Any) -> Json:
        """``cmd`` on both runtimes; the implementation must answer as the reference."""
        want = self.reference(cmd, **args)
        got = answer(self.impl, cmd, runtime=self.mine, **args)
        self.compared += 1
        if got != want:
            shown = {k: (v if len(str(v)) < 80 else f"{str(v)[:76]}…") for k, v in args.items()}
            raise Divergence(
                self.requirements,
                f"{self.label}: {cmd} {shown}: the reference answers {_short(want)}, "
                f"the implementation {_short(got)}{self.explain(want, got)}",
            )
        return want

    def explain(self, want: Json, got: Json) -> str:
        """The first divergence behind the first wrong id of an answer (ADP-017.2)."""
        last = self.impl.last_request, self.impl.last_response  # lookups are not the culprit
        expected, actual = objects_of(self.oracle, self.ref), objects_of(self.impl, self.mine)
        requirement = self.requirements[0] if self.requirements else "ADP-015"
        try:
            for key in sorted(set(want) | set(got)):
                mine, theirs = got.get(key), want.get(key)
                if mine == theirs:
                    continue
                found = None
                if key in ("actor", "message", "step", "head") and isinstance(theirs, str):
                    found = first_divergence(
                        theirs, mine if isinstance(mine, str) else None, expected, actual,
                        root=key, requirement=requirement,
                    )  # fmt: skip
                elif key == "steps" and isinstance(theirs, list) and isinstance(mine, list):
                    found = list_divergence(theirs, mine, expected, actual, requirement=requirement)
                if found is not None:
                    return "\n" + render(found)
            return ""
        finally:
            self.impl.last_request, self.impl.last_response = last

    def close(self) -> None:
        """Close both runtimes, the reference's first (the implementation's may be broken)."""
        self.oracle.call("rt-close", runtime=self.ref)
        self.impl.call("rt-close", runtime=self.mine)


def _short(value: Json) -> str:
    text = str(value)
    return text if len(text) <= 400 else f"{text[:396]}…"
