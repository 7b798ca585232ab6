"""Wrong adapter (open-loop, written from spec/ alone):
after a restart every actor is restored at once (RUN-013.3).

RUN-013.3: a runtime "MUST NOT restore an actor for which nothing is pending and that
nothing queries" (and RUN-012.6: after a restart no actor is resident until it is
used). An implementer who reads recovery from the heads (RUN-003.1) as "load every actor
from its head" warms the whole store on its first run: each actor with a head emits
`restore-requested` and `restored`, not only those with messages to run.
"""

from __future__ import annotations

from gritwit._ids import ObjectId
from gritwit._objects import Step
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import Runtime
from gritwit.store._refs import HEADS_PREFIX
from gritwit.wit import RunReport
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-013.3"}),
    "failed",
    "the first rt-run after a restart restores every actor with a head, pending messages or not",
)

COUNTER = "72c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "rt-open", "path": "{tmp}"},
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "counter"},
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "echo"},
    {"cmd": "rt-run", "runtime": "r1", "max_steps": 10},
    {"cmd": "rt-close", "runtime": "r1"},
    {"cmd": "rt-open", "path": "{tmp}"},  # a restart: nothing resident
    {"cmd": "rt-send", "runtime": "r2", "to": COUNTER, "mt": "inc", "content": {"blob": "35"}},
    {"cmd": "rt-run", "runtime": "r2", "max_steps": 10},
    {"cmd": "rt-events", "runtime": "r2"},  # the counter's restore only, not the echo's
]


class WarmStartRuntime(Runtime):
    """The reference runtime, restoring every actor with a head on its first run."""

    _warmed = False

    async def run_rounds(self, max_steps: int) -> RunReport:
        if not self._warmed:  # the bug: recovery loads every head, pending or not
            self._warmed = True
            for name, target in self._store.list_ref_targets(HEADS_PREFIX):
                actor = ObjectId.from_hex(name[len(HEADS_PREFIX) :])
                step = self._cache.get_object(target)
                if not self._residents.resident(actor) and isinstance(step, Step):
                    self._residents.use(actor, target, step, "message")
        return await super().run_rounds(max_steps)


def install() -> None:
    patch(adapter_runtime, "Runtime", WarmStartRuntime)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
