"""Wrong adapter: ``rt-open`` writes its ``port`` member to standard error (ADP-024.3).

A debugging line left in: the adapter logs the port it opens, policy, bounds and the
secrets' values with them. ADP-024.3 keeps the operator's secrets out of every object,
every answer and the implementation's standard error.
"""

from __future__ import annotations

import json
import sys

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import PortBounds
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"ADP-024.3"}),
    "failed",
    "rt-open logs its port member, the secrets' values too, to standard error",
)

_real_port = adapter_runtime._port


def _port(args: adapter_runtime.Json) -> tuple[tuple[object, ...], object, PortBounds]:
    # the bug: the operator's secrets in a log line
    print(f"rt-open port: {json.dumps(args.get('port', {}))}", file=sys.stderr, flush=True)
    return _real_port(args)


def install() -> None:
    patch(adapter_runtime, "_port", _port)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
