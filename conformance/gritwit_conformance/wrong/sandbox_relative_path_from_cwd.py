"""Wrong adapter: the prelude judges a relative path from the working directory (SBX-005.33).

As the reference's prelude once did: CPython's audit event for an open carries
no ``dir_fd``, so the hook joined every relative path to the working directory.
``os.open("../../y", os.O_CREAT | os.O_WRONLY, dir_fd=fd)``, with ``fd`` a descriptor of
``/core/a/b``, makes ``/core/y``, but from ``/core`` it reads ``/y``: the run ends as a
forbidden open of ``/y``.
"""

from __future__ import annotations

import re

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _prelude, _run
from gritwit_conformance.wrong import STARTUP_TIMEOUT, WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("sandbox",),
    frozenset({"SBX-005.33", "SBX-005.6"}),
    "failed",
    "the prelude judges a relative path from the working directory, not the descriptor it "
    "starts from: os.open('../../y', dir_fd=<fd of /core/a/b>) is a forbidden open of /y",
    timeout=STARTUP_TIMEOUT,
)

#: The hook's branch that leaves a relative path to the host, up to its ``return``.
_RELATIVE = re.compile(r'( +)if not _str\.startswith\(path, "/"\):.*\n(?:\1 +#.*\n)*\1 +return\n')


def install() -> None:
    old = _prelude.PRELUDE
    # the bug: a relative path is taken from the working directory, whatever it starts from
    new, count = _RELATIVE.subn(
        lambda m: (
            f'{m[1]}if not path.startswith("/"):\n{m[1]}    path = os.getcwd() + "/" + path\n'
        ),
        old,
    )
    if count != 1:
        raise AttributeError("the prelude changed: this wrong adapter is out of date")
    patch(_prelude, "PRELUDE", new)
    patch(_run, "PRELUDE", new)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
