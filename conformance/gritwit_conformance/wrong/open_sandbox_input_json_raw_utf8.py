"""Wrong adapter (open-loop, written from spec/ alone): /input/transition.json writes text
beyond ASCII as raw UTF-8, not as \\u escapes (SBX-010.4).

SBX-010.4 fixes the bytes of ``/input/transition.json`` — they seed the run's randomness
(SBX-005.5) —: keys sorted, no white space, and every character outside U+0020 …
U+007E written as ``\\u`` escapes of its UTF-16 code units.  A host whose JSON writer
emits UTF-8 as is (Go's ``json.Marshal`` escapes only <, >, &; serde_json and most
others none) agrees on ASCII input and differs as soon as a header or id holds a
character beyond it: the program reads other bytes and draws other random numbers.
"""

from __future__ import annotations

import json
import types
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import WrongAdapter, fault, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-010.4"}),
    "failed",
    "/input/transition.json writes characters beyond ASCII as raw UTF-8, not \\u "
    "escapes: other input bytes and another random seed",
)

_PROGRAM = """\
import random
print(open("/input/transition.json", "rb").read())
print(random.random())
"""

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    # ASCII only: the same bytes on both
    {"cmd": "sandbox-run", "program": _PROGRAM, "messages": [{"headers": {"mt": "cafe"}}]},
    # beyond ASCII: escaped by the reference, raw UTF-8 here
    {"cmd": "sandbox-run", "program": _PROGRAM, "messages": [{"headers": {"mt": "caf\u00e9"}}]},
]


def _dumps(value: Any, **kwargs: Any) -> str:
    return json.dumps(value, ensure_ascii=False, **kwargs)  # the bug


def install() -> None:
    dumps = fault("_run.json.dumps", json.dumps, _dumps)
    patch(_run, "json", types.SimpleNamespace(dumps=dumps, loads=json.loads))


if __name__ == "__main__":
    run(ReferenceAdapter, install)
