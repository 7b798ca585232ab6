"""Wrong adapter (open-loop, written from spec/ alone): the output limit bounds standard output
only; standard error is unbounded (SBX-007.2).

SBX-007.2 fails a run whose "standard output or standard error" goes beyond the output
limit → ``output-too-large``.  An implementer who thinks of the limit as bounding the
run's *result* (``stdout`` is answered, stderr only logged, SBX-012.4) applies it to
standard output alone: a program that floods standard error, and prints little,
succeeds instead of failing.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-007.2"}),
    "failed",
    "the output limit bounds standard output only: a flood of standard error succeeds",
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    # standard output past the limit: output-too-large on both
    {"cmd": "sandbox-run", "program": "print('o' * 1000)\n", "limits": {"output": 100}},
    # standard error past the limit: output-too-large on the reference only
    {
        "cmd": "sandbox-run",
        "program": "import sys\nsys.stderr.write('e' * 1000)\nprint('hi')\n",
        "limits": {"output": 100},
    },
]

_Filesystem = _run.Filesystem


class _Unbounded:
    """Standard error kept whole, never past any limit (the bug)."""

    def __init__(self, bounded: Any) -> None:
        self.bounded = bounded

    def __call__(self, chunk: bytes) -> int:
        self.bounded.data += chunk
        return len(chunk)


def _filesystem(*args: Any, stderr: Any, **kwargs: Any) -> Any:
    if isinstance(stderr, _run._Bounded):
        stderr = _Unbounded(stderr)
    return _Filesystem(*args, stderr=stderr, **kwargs)


def install() -> None:
    patch(_run, "Filesystem", _filesystem)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
