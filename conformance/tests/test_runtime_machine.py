"""The runtime state machine bites: a runtime that loses its heads in a kill fails it (RUN-007).

:class:`~gritwit_conformance.suite.runtime.test_machine.RuntimeMachine` runs
here against the in-process reference dressed as an implementation that can be
killed in the middle of a command.  Its ``kill_during`` lets the command finish
(the kill cannot land inside an in-process call), so the control must pass with
the differential checks kept on; the lossy variant then drops every ``heads/``
ref as it dies, which only the machine's own invariants can see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from hypothesis.stateful import run_state_machine_as_test

from gritwit_conformance.harness._implementation import InProcess
from gritwit_conformance.suite.runtime.test_machine import RuntimeMachine

pytestmark = pytest.mark.slow  # a hypothesis state machine with kills


class KilledAfterTheCommand(InProcess):
    """The reference, killed once each ``kill_during`` command has been answered."""

    can_kill = True

    def kill_during(self, cmd: str, delay: float, **args: Any) -> None:
        self.call(cmd, **args)
        self.lose(args["runtime"])
        self.kill()

    def lose(self, runtime: str) -> None:
        """What the kill destroys: nothing, for a durable runtime (RUN-007)."""


class LosesHeadsWhenKilled(KilledAfterTheCommand):
    def lose(self, runtime: str) -> None:
        store = self._adapter._open[runtime].store
        for name in store.list_refs("heads/"):
            store.cas_ref(name, store.get_ref(name), None)


def run_machine(impl: InProcess, top: Path) -> None:
    RuntimeMachine.impl = impl
    RuntimeMachine.top = top
    run_state_machine_as_test(
        RuntimeMachine,
        settings=hsettings(
            max_examples=12,
            stateful_step_count=12,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )


@pytest.mark.req("RUN-007", "ADP-015")
def test_a_runtime_that_survives_kills_passes(tmp_path: Path) -> None:
    run_machine(KilledAfterTheCommand(), tmp_path)


@pytest.mark.req("RUN-007", "ADP-015")
def test_a_runtime_that_loses_its_heads_in_a_kill_fails(tmp_path: Path) -> None:
    """The machine's own program for the loss: a step adopted, a kill in a run, a check.

    Stepped by hand rather than found by hypothesis: which programs a derandomized
    search tries depends on the machine's source, so a search of a dozen programs
    may or may not contain this one.
    """
    RuntimeMachine.impl = LosesHeadsWhenKilled()
    RuntimeMachine.top = tmp_path
    machine = RuntimeMachine()
    try:
        machine.genesis(role="counter", tag=0)
        machine.run(max_steps=1000)
        machine.heads_and_cursors()  # the counter has a step now
        machine.send(which=0, amount=3, signal=False)
        machine.kill_during_run(delay=0.0)  # the lossy kill drops every head
        with pytest.raises(AssertionError, match=r"RUN-007\.1: .*an adopted step is never lost"):
            machine.heads_and_cursors()
    finally:
        machine.teardown()
