"""Wrong adapter: a request line that repeats a key is read with the last value (ADP-004.7).

Plain ``json.loads``: ``{"bytes": "", "bytes": "00"}`` is read as ``{"bytes": "00"}``
and answered, where the line MUST be answered ``seq: null``, ``bad-request``.
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter, _stdio
from gritwit_conformance.wrong import patch, run

if __name__ == "__main__":
    run(ReferenceAdapter, lambda: patch(_stdio, "_no_repeats", dict))
