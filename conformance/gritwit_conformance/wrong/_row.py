"""The generic wrong adapter: runs one row of :data:`._rows.ROWS`.

``python -m gritwit_conformance.wrong._row <name>``; see
:func:`gritwit_conformance.wrong.run_row`.
"""

from __future__ import annotations

import sys

from gritwit_conformance.wrong import run_row

if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: python -m {__spec__.name} <row of _rows.ROWS>")
    run_row(sys.argv[1])
