"""Wrong adapter (open-loop, written from spec/ alone):
the frozen check starts at the second step (WIT-016).

WIT-016 compares the new core with "the last core", and adds: for the first transition the
last core is the genesis core, its input core. An implementer who reads "last core" as
"the last *step's* core" finds none on the first transition and skips the check, so an
`updater` created frozen that reads a `set-code` in its genesis transition changes its
`wit` instead of failing `frozen-core` (WIT-023.2).
"""

from __future__ import annotations

import dataclasses

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _assemble
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-016", "WIT-023.2"}),
    "failed",
    "the frozen check needs a last step: a genesis transition may change wit of a "
    "frozen genesis core instead of failing frozen-core",
)

_UPDATER = "868e3723e0e08980a375307f9e8b3d64582d2dcf5821b641630954cd4422847e"  # frozen: empty

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "updater", "state": {"frozen": ""}},
    {
        "cmd": "wit-send",
        "runtime": "w1",
        "to": _UPDATER,
        "mt": "set-code",
        "content": {"blob": "6563686f"},  # "echo"
    },
    # the genesis transition reads the set-code: frozen-core, no step
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
    {"cmd": "wit-head", "runtime": "w1", "actor": _UPDATER},
]

_original = _assemble._check_core


def _check_core(inp, out, reader, wit_read=False):  # type: ignore[no-untyped-def]
    """No last step, no last core to keep frozen entries of."""
    if inp.last_step is None:
        inp = dataclasses.replace(inp, core=out.core)
    _original(inp, out, reader, wit_read)


def install() -> None:
    patch(_assemble, "_check_core", _check_core)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
