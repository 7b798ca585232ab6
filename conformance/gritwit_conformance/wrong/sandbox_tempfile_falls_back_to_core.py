"""Wrong adapter: ``tempfile`` without a directory falls back to ``/core`` (SBX-005.24).

The prelude's audit hook lets the opens of ``/tmp``, ``/var/tmp`` and ``/usr/tmp`` through
to the interpreter, which answers ``ENOENT``: ``tempfile`` takes the next candidate, the
working directory, and ``tempfile.mkdtemp()`` makes a directory in the core instead of
ending the run ``forbidden-operation``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _prelude, _run
from gritwit_conformance.wrong import patch, run

FORBID = '        _forbid("open " + path[:200])\n'
LET_THROUGH = (
    '        if path.startswith(("/tmp/", "/var/tmp/", "/usr/tmp/")):\n            return\n'
)


def install() -> None:
    old = _prelude.PRELUDE
    if old.count(FORBID) != 1:
        raise AttributeError("the prelude changed: this wrong adapter is out of date")
    new = old.replace(FORBID, LET_THROUGH + FORBID)  # the bug
    patch(_prelude, "PRELUDE", new)
    patch(_run, "PRELUDE", new)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
