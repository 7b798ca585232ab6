"""An adapter claiming ``perf`` without ``runtime`` and ``wasm`` (ADP-018.8), for test_perf.py.

With ``--off-by-one`` it also runs one repetition too many (a failing row, ADP-018.2).
"""

from __future__ import annotations

import sys
from typing import Any

from gritwit.adapter import ReferenceAdapter, serve


class PerfOnly(ReferenceAdapter):
    profiles = ("codec", "store", "wit", "perf")


class OffByOne(PerfOnly):
    def cmd_perf_run(self, args: dict[str, Any]) -> dict[str, Any]:
        return super().cmd_perf_run({**args, "n": args["n"] + 1})


if __name__ == "__main__":
    raise SystemExit(serve(OffByOne() if "--off-by-one" in sys.argv else PerfOnly()))
