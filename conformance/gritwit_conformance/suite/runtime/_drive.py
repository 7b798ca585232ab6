"""Driving the ``runtime`` profile (ADP-015) through :class:`Implementation`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import check, describe, fail

Json = dict[str, Any]


def wire_call(impl: Implementation) -> Any:
    """``call(cmd, args) -> response dict``, as :func:`~gritwit_conformance.vectors.replay_runtime`
    expects it."""

    def call(cmd: str, args: Json) -> Json:
        reply = impl.call(cmd, **args)
        if reply.ok:
            return {"ok": True, **reply.result}
        return {"ok": False, "error": dict(reply.error)}

    return call


def directories(top: Path) -> Any:
    """``directories(n)``: runtime ``n``'s directory under ``top``, created empty once."""

    def directory(index: int) -> Path:
        path = top / f"runtime-{index}"
        path.mkdir(exist_ok=True)
        return path

    return directory


class _Side:
    """One implementation with its runtimes, opened on directories under ``top``."""

    def __init__(self, impl: Implementation, top: Path) -> None:
        self.impl = impl
        self.top = top
        top.mkdir()

    def call(self, cmd: str, **args: Any) -> dict[str, Any]:
        reply = self.impl.call(cmd, **args)
        return dict(reply.result) if reply.ok else {"error": reply.error_class}


class SideBySide:
    """The implementation and the in-process reference fed the same commands.

    Every answer must be the reference's, checked under ``clause``: the rule the test
    of them judges. Runtimes are named, and ``kill`` stops both sides (the next command
    starts a new adapter process).
    """

    def __init__(self, impl: Implementation, top: Path, *, clause: str) -> None:
        self.clause = clause
        self.sides = (_Side(impl, top / "impl"), _Side(InProcess(), top / "ref"))
        self.handles: dict[str, tuple[str, str]] = {}

    def open(self, name: str, path: str | None = None) -> None:
        """Open runtime ``name`` on both sides, on the directory ``path`` (default: ``name``)."""
        self.open_with(name, path)

    def open_with(self, name: str, path: str | None = None, **options: Any) -> None:
        """As :meth:`open`, with ``rt-open`` options (``time_limit``, ``max_resident`` …)."""
        handles = []
        for side in self.sides:
            where = side.top / (path or name)
            where.mkdir(exist_ok=True)
            answer = side.call("rt-open", path=str(where), **options)
            check(
                self.clause,
                "runtime" in answer,
                expected="a runtime",
                came=answer,
                what=f"rt-open {name} {options}",
            )
            handles.append(str(answer["runtime"]))
        self.handles[name] = (handles[0], handles[1])

    def __call__(self, where: str, cmd: str, **args: Any) -> dict[str, Any]:
        """``cmd`` on runtime ``where`` of both sides; the implementation must agree."""
        mine, ref = self.handles[where]
        want = self.sides[1].call(cmd, runtime=ref, **args)
        got = self.sides[0].call(cmd, runtime=mine, **args)
        if got != want:
            fail(
                self.clause,
                expected=f"the reference's answer {describe(want)}",
                came=f"{describe(got)}{self._explain(mine, ref, want, got)}",
                what=f"{cmd} {str(args)[:160]} on runtime {where!r}",
            )
        return want

    def _explain(self, mine: str, ref: str, want: Json, got: Json) -> str:
        """The first divergence behind the first wrong id of an answer (ADP-017.2)."""
        from .._scenario import explain, impl_objects

        impl = self.sides[0].impl
        last = impl.last_request, impl.last_response  # the lookups are not the culprit
        try:
            expected = impl_objects(self.sides[1].impl, "rt-object", ref)
            actual = impl_objects(impl, "rt-object", mine)
            for key in sorted(set(want) | set(got)):
                if want.get(key) != got.get(key):
                    detail = explain(key, want.get(key), got.get(key), expected, actual, "ADP-015")
                    if detail:
                        return detail
            return ""
        finally:
            impl.last_request, impl.last_response = last

    def kill(self) -> None:
        for side in self.sides:
            side.impl.kill()
