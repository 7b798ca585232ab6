"""Wit benchmarks (chapter *Wit*): one counter transition at a time, in memory and durable.

Each timed call injects one ``inc`` message from the outside and runs the
reference executor until quiescent: exactly one transition (read, new core,
step, mailboxes, head compare-and-swap). Transitions per second = 1 / time.
The issue's targets are ≥ 50,000/s in memory and ≥ 10,000/s durable for the
runtime; this measures the reference *executor* (the pure Wit layer), the
floor that runtime will build on.
"""

from __future__ import annotations

import shutil
import tempfile
from typing import ClassVar

import gritwit as g
from gritwit.store import Store
from gritwit.wit import Executor, test_actor_core


class CounterTransition:
    """One ``inc`` → one step of the ``counter`` test actor."""

    params: ClassVar = (["memory", "sqlite"],)
    param_names: ClassVar = ["backend"]

    def setup(self, backend: str) -> None:
        self.folder = tempfile.mkdtemp(prefix="gritwit-bench-wit-")
        self.store = Store.memory() if backend == "memory" else Store.open(self.folder)
        self.executor = Executor(self.store)
        core, objects = test_actor_core("counter")
        self.actor = self.executor.genesis(core, objects)
        self.executor.run_until_quiescent()
        self.one = g.Blob(data=b"1")
        self.content = g.object_id(self.one)
        self.store.put_object(self.one)

    def teardown(self, backend: str) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def time_one_transition(self, backend: str) -> None:
        self.executor.inject(self.actor, self.content, {"mt": "inc"})
        self.executor.run_until_quiescent()
