"""Wrong adapter: the program runs with the working directory ``/`` (SBX-003.2).

The host's prelude forgets ``os.chdir("/core")``: a program's relative paths no
longer name files of its core.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.sandbox import _run
from gritwit_conformance.wrong import patch, run


def install() -> None:
    prelude = _run.PRELUDE.replace('os.chdir("/core")\n', "")  # the bug
    assert prelude != _run.PRELUDE, "the prelude no longer changes directory: out of date"
    patch(_run, "PRELUDE", prelude)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
