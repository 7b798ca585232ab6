"""Driving the ``runtime`` profile (ADP-015) through :class:`Implementation`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gritwit_conformance._implementation import Implementation

Json = dict[str, Any]


def wire_call(impl: Implementation) -> Any:
    """``call(cmd, args) -> response dict`` as :func:`gritwit.vectors.replay` expects it."""

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


def ok(impl: Implementation, where: str, cmd: str, **args: Any) -> Json:
    reply = impl.call(cmd, **args)
    assert reply.ok, f"{where}: {cmd} failed: {reply.error}"
    return dict(reply.result)
