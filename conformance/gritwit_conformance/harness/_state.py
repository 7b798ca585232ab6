"""What happens during a run (not what it was asked to do: that is the frozen plan).

The run's choices live in :class:`._plan.ConformPlan`, read through
:func:`._plan.current_plan`.  This module keeps the few facts a run *learns* as it
goes, per process: the signal that interrupted it and the time-outs in a row that
declare an adapter hung (ADP-012.5); and the skip prefixes the report reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._plan import current_plan

__all__ = [
    "HUNG_AFTER",
    "NOT_APPLICABLE",
    "NOT_CLAIMED",
    "NOT_RUN",
    "RunState",
    "run_state",
    "scaled",
]

#: How the plugin skips a test of a profile the implementation does not claim (ADP-006):
#: the report tells *not claimed* from any other skip by this prefix.
NOT_CLAIMED = "not claimed"
#: How the plugin skips a test that ``--spec-version X`` leaves out: every clause it
#: cites is newer than X (CONV-003). The report tells *not applicable* by this prefix.
NOT_APPLICABLE = "not applicable"
#: How the plugin skips the tests after an adapter was declared hung (ADP-012.5): the
#: report tells *not run* from any other skip by this prefix.
NOT_RUN = "not run"
#: Consecutive timed-out tests after which an adapter is declared hung (ADP-012.5).
HUNG_AFTER = 3


@dataclass(slots=True)
class RunState:
    """The events of this process's run so far: an interruption, time-outs in a row."""

    #: The signal that interrupted the run (``SIGINT``, ``SIGTERM``), or None.
    interrupted: str | None = None
    #: Tests in a row, in this process, that timed out (ADP-012.5).
    timeouts_in_a_row: int = 0
    #: Why the adapter was declared hung, once it was; None: not hung.
    hung: str | None = None

    def note_test(self, *, timed_out: bool) -> None:
        """Count a test that reached the adapter: a time-out adds one, an answer resets.

        At :data:`HUNG_AFTER` time-outs in a row the adapter is declared hung and every
        later test of this process is *not run* (ADP-012.5): a hung adapter costs the
        run a few limits, not one per test.
        """
        self.timeouts_in_a_row = self.timeouts_in_a_row + 1 if timed_out else 0
        if self.hung is None and self.timeouts_in_a_row >= HUNG_AFTER:
            self.hung = (
                f"{NOT_RUN}: the adapter was declared hung after {HUNG_AFTER} consecutive "
                "tests timed out (ADP-012.5)"
            )


#: This process's run: a signal handler and the hung count write it as events happen.
run_state = RunState()


def scaled(seconds: float) -> float:
    """``seconds`` of a test's margin, scaled like the answer limits (ADP-012).

    A suite test that must give an implementation time — a bound a quick transition
    must stay within, a wait before an idle rule is checked — asks for it through this
    function, so a loaded machine widens the margin as it widens every answer limit:
    the plan's ``timeout_scale`` (``--timeout-scale``, or the run's calibration), 1.0
    when the run has none. Only margins that a *correct* implementation needs are scaled;
    a bound a wrong one must break is physical (a sleep lasts at least its length) and
    is never scaled (docs/guide/time.md, "Tests that depend on time").
    """
    scale = current_plan().timeout_scale
    return seconds * (1.0 if scale is None else scale)
