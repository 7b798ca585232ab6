"""Wrong adapter: the prelude's audit hook looks ``_forbid`` up in ``__main__`` (SBX-005.21).

The hook names what is forbidden through a module global, as the reference did before:
a program that rebinds ``__main__._forbid`` turns the classification off, and opening
``/etc/passwd`` ends as its own error, not ``forbidden-operation``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _prelude, _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.21"}),
    "failed",
    "the prelude's audit hook looks _forbid up as a global of __main__: a program that "
    "rebinds __main__._forbid turns the classification off",
    timeout=STARTUP_TIMEOUT,
)


def install() -> None:
    old = _prelude.PRELUDE
    new = old.replace("def _hook(event, args, _forbid=_forbid, ", "def _hook(event, args, ")
    new = new.replace("del _hook, _stub, _forbid, _normal", "del _hook, _stub, _normal")
    if new.count("def _hook(event, args, _normal") != 1 or "del _hook, _stub, _normal" not in new:
        raise AttributeError("the prelude changed: this wrong adapter is out of date")
    patch(_prelude, "PRELUDE", new)  # the bug: _forbid is a global the program can rebind
    patch(_run, "PRELUDE", new)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
