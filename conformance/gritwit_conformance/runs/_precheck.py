"""What ``gritwit conform`` refuses before it starts a test (ADP-020.8).

A run of the suite takes minutes: an argument that can only fail at its end — a
report path that cannot be written, a requirement ID the spec does not define —
is refused at once, in one line, with exit status 2, and nothing is written.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = ["out_problem", "unknown_requirements"]


def out_problem(paths: Iterable[Path]) -> str:
    """Why one of the report ``paths`` cannot be written, or ``''`` (ADP-020.8).

    The folder must exist and take a new file (probed by making one and removing it:
    permissions alone do not say so for root or a read-only mount), and no path may
    be a folder.
    """
    for path in paths:
        parent = path.parent if str(path.parent) else Path(".")
        if path.is_dir():
            return f"{path} is a folder, not a file"
        if not parent.is_dir():
            return f"{path}: no folder {parent}"
        try:
            fd, probe = tempfile.mkstemp(prefix=".gritwit-probe-", dir=parent)
        except OSError as exc:
            return f"{path}: cannot write in {parent}: {exc.strerror or exc}"
        os.close(fd)
        os.unlink(probe)
        if path.exists() and not os.access(path, os.W_OK):
            return f"{path}: not writable"
    return ""


def unknown_requirements(wanted: Sequence[str]) -> list[str]:
    """The IDs of ``wanted`` that name no clause of the spec nor a parent of one.

    ``RUN-021`` is known when the spec defines it or any ``RUN-021.N``.  ``[]`` when
    no spec text can be read (an install without its data: the selection then says
    what it kept, as before).
    """
    if not wanted:
        return []
    from ..data._requirement_ids import DEFINITION
    from ..data._versions import find_spec_dir
    from ._select import cites

    spec = find_spec_dir()
    if spec is None:
        return []
    defined = {
        rid
        for chapter in sorted(spec.glob("*.md"))
        for rid in DEFINITION.findall(chapter.read_text(encoding="utf-8"))
    }
    return [w for w in wanted if not any(cites(w, rid) for rid in defined)]
