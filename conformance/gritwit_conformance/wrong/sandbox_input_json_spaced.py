"""Wrong adapter: ``/input/transition.json`` is written by a plain ``json.dumps``
(SBX-003.3, SBX-010.4).

The host sorts the keys but keeps ``json.dumps``'s default separators (a space after
``,`` and ``:``): the file's bytes, and so the run's random seed (SBX-005.5), are not
the canonical ones.
"""

from __future__ import annotations

import json
import types
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-003.3", "SBX-010.4"}),
    "failed",
    "writes /input/transition.json with json.dumps's default separators (spaces): other "
    "bytes, another random seed",
    timeout=STARTUP_TIMEOUT,
)


def dumps(value: Any, **kwargs: Any) -> str:
    kwargs.pop("separators", None)  # the bug
    return json.dumps(value, **kwargs)


def install() -> None:
    patch(_run, "json", types.SimpleNamespace(dumps=dumps, loads=json.loads))


if __name__ == "__main__":
    run(ReferenceAdapter, install)
