"""Wrong adapter: an actor's output is kept in its core (SBX-012.4).

For inspection the host stores what a transition's program printed as the core entry
``stdout``: what a program prints changes the step.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit._objects import Blob, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _actor
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-012.4"}),
    "failed",
    "stores what a transition printed as the core entry stdout",
    timeout=STARTUP_TIMEOUT,
)

_real = _actor.run_python


def run_python(source: str, *, store: Any, **kwargs: Any) -> Any:
    result = _real(source, store=store, **kwargs)
    if not result.stdout:
        return result
    entries = {} if result.core is None else dict(store.get_object(result.core).entries)
    entries["stdout"] = store.put_object(Blob(data=result.stdout))  # the bug
    return dataclasses.replace(result, core=store.put_object(Tree(entries=entries)))


def install() -> None:
    patch(_actor, "run_python", run_python)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
