"""A wrong adapter claiming an older spec in ``hello``: ``python _claim_older.py VERSION NAME``.

``NAME`` is an entry of :data:`gritwit_conformance.wrong.WRONG` (a module or a row);
the adapter runs as ``gritwit_conformance.wrong.command(NAME)`` would, but its
``hello`` claims ``VERSION``, as an implementation written to an older text does, so
the suite marks its failures with the entries newer than that (ADP-005.5).  The stand-in
of ``test_wrong_marks.py`` for the Go outsider's sources, which this project does not
hold.
"""

from __future__ import annotations

import runpy
import sys
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import ROWS, run_row

if __name__ == "__main__":
    claimed, name = sys.argv[1], sys.argv[2]
    served = ReferenceAdapter.cmd_hello

    def cmd_hello(self: Any, args: Any) -> Any:
        answer = served(self, args)
        answer["implementation"]["spec"] = claimed
        return answer

    ReferenceAdapter.cmd_hello = cmd_hello  # type: ignore[method-assign]
    if name in ROWS:
        run_row(name)
    runpy.run_module(f"gritwit_conformance.wrong.{name}", run_name="__main__")
