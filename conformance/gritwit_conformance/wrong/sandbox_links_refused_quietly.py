"""Wrong adapter: making a link fails with ``ENOTSUP`` but the run goes on (SBX-004.6).

``path_symlink`` and ``path_link`` answer ``ENOTSUP`` as WASI allows, without
recording a forbidden operation: a program that catches the error carries on and
its run succeeds.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox.wasi import _calls, _fs
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, fault, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-004.6", "SBX-004.4"}),
    "failed",
    "path_symlink and path_link fail with ENOTSUP but are not forbidden: a program that "
    "catches the error runs on",
    timeout=STARTUP_TIMEOUT,
)


def refuse(_state: object, *_args: int) -> int:
    return _fs.ENOTSUP  # the bug: not a forbidden operation


def install() -> None:
    for name in ("path_symlink", "path_link"):
        params, results, old = _calls.FUNCTIONS[name]
        bent = fault(f"_calls.FUNCTIONS[{name}]", old, refuse)
        _calls.FUNCTIONS[name] = (params, results, bent)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
