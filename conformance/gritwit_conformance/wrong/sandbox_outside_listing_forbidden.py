"""Wrong adapter: listing, renaming or removing a path outside is forbidden (SBX-005.22).

The prelude's audit hook judges ``os.listdir``, ``os.scandir``, ``os.rename``, ``os.mkdir``,
``os.remove`` and ``os.rmdir`` as it judges ``open``: a program that lists ``/`` or renames
``/etc/x`` ends ``forbidden-operation`` instead of catching the interpreter's ``ENOENT``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _prelude, _run
from gritwit_conformance.wrong import patch, run

EVENTS = '("open", "os.listdir", "os.scandir", "os.rename", "os.mkdir", "os.remove", "os.rmdir")'


def install() -> None:
    old = _prelude.PRELUDE
    new = old.replace('    if event == "open":\n', f"    if event in {EVENTS}:\n")  # the bug
    if new == old:
        raise AttributeError("the prelude changed: this wrong adapter is out of date")
    patch(_prelude, "PRELUDE", new)
    patch(_run, "PRELUDE", new)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
