"""Any implementation's speed through its adapter (ADP-018): the ``perf`` profile under asv.

:class:`AdapterPerf` starts an adapter, sends ``perf-run`` for each workload of
ADP-018.2 (``encode``, ``counter``, ``ping-pong``) and ADP-018.6 (``runtime-*``: the
counter and ping-pong on the implementation's runtime, running the Wasm test actors, in
memory and durably; skipped for an adapter that does not claim ``runtime`` and
``wasm``) :data:`REPEAT` times, checks
each answer against the reference's ``check`` (a wrong one fails the benchmark),
and reports the median of the adapter's own ``elapsed_ns`` per operation, in
seconds, as a ``track_`` benchmark: the figure leaves out the protocol's JSON and
pipes, so it is the implementation's time, not the harness's.

Implementations (the ``impl`` parameter):

* ``reference`` — ``python -m gritwit adapter`` over stdio, always;
* ``node`` — the Node.js example adapter, when ``node`` and its ``node_modules``
  are present (``npm ci`` in ``conformance/adapters/node``); skipped otherwise;
* ``custom`` — the command in the environment variable ``GRITWIT_PERF_IMPL``;
  skipped when it is unset.

To track *your* implementation across *your* versions, point ``custom`` at your
adapter and run this file once per version, for example::

    GRITWIT_PERF_IMPL="./target/release/my-adapter" \\
        asv run --python=same --bench AdapterPerf --set-commit-hash "$(git rev-parse HEAD)"

(from a checkout of gritwit, ``--set-commit-hash`` naming the gritwit commit the
results are filed under), or copy this file into your own project's asv
benchmarks, where asv's commit is your version; it needs only ``gritwit``
installed.  ``gritwit perf`` prints the same figures as a table, beside the
reference.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
from pathlib import Path
from typing import Any, ClassVar

from gritwit_conformance.harness._implementation import Implementation, make_implementation
from gritwit_conformance.runs._perf import RUNTIME_PROFILES, RUNTIME_WORKLOADS, WORKLOADS, measure

#: The environment variable naming the ``custom`` implementation's adapter command.
IMPL_ENV = "GRITWIT_PERF_IMPL"
#: Operations per ``perf-run``: a fraction of a second to a second each on 2 cores.
N: dict[str, int] = {
    "encode": 2000,
    "counter": 100,
    "ping-pong": 50,
    "runtime-counter": 100,
    "runtime-ping-pong": 50,
    "runtime-counter-durable": 10,
    "runtime-ping-pong-durable": 5,
}
#: ``perf-run`` calls per measurement; the median is reported.
REPEAT = 3
NODE_DIR = Path(__file__).resolve().parents[1] / "conformance" / "adapters" / "node"


def adapter_command(impl: str) -> str:
    """The command line of ``impl``; ``NotImplementedError`` (asv: skipped) if it cannot run."""
    if impl == "reference":
        return f"{sys.executable} -m gritwit adapter"
    if impl == "node":
        node = shutil.which("node")
        if node is None or not (NODE_DIR / "node_modules").is_dir():
            raise NotImplementedError("node or the Node adapter's node_modules are missing")
        return f"{node} {NODE_DIR / 'adapter.mjs'}"
    command = os.environ.get(IMPL_ENV, "").strip()
    if not command:
        raise NotImplementedError(f"set {IMPL_ENV} to the command that starts your adapter")
    return command


class AdapterPerf:
    """Seconds per operation of each workload, timed inside the adapter (ADP-018.3)."""

    params: ClassVar = (["reference", "node", "custom"], list(WORKLOADS))
    param_names: ClassVar = ["impl", "workload"]
    timeout = 600

    impl: Implementation | None = None

    def setup(self, impl: str, workload: str) -> None:
        self.impl = make_implementation(adapter_command(impl), timeout=300)
        if "perf" not in self.impl.profiles:
            self.impl.close()
            raise NotImplementedError(f"{impl} does not claim the profile perf (ADP-018.1)")
        missing = set(RUNTIME_PROFILES) - self.impl.profiles
        if workload in RUNTIME_WORKLOADS and missing:
            self.impl.close()
            raise NotImplementedError(f"{impl} does not claim {sorted(missing)} (ADP-018.8)")
        measure(self.impl, workload, 1)  # warm up: compiled modules, JIT; checked too

    def teardown(self, impl: str, workload: str) -> None:
        if self.impl is not None:  # asv tears down a skipped setup too
            self.impl.close()
            self.impl = None

    def track_seconds_per_op(self, impl: str, workload: str) -> Any:
        assert self.impl is not None
        n = N[workload]
        samples = [measure(self.impl, workload, n) for _ in range(REPEAT)]
        return statistics.median(samples) / n / 1e9

    track_seconds_per_op.unit = "seconds"  # type: ignore[attr-defined]
