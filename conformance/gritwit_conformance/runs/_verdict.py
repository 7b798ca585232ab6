"""One typed verdict per test, folded once from pytest's phase reports (ADP-020).

pytest reports a test in up to three phases (setup, call, teardown), each passed,
failed or skipped, with the plugin's notes in ``user_properties`` (the requirement
IDs, the rule a broken adapter broke, a time-out, ``since`` notes, the exchange).
:func:`fold` turns them, phase by phase, into one frozen :class:`Verdict`: its
:class:`Outcome` (the report's ten, ADP-020.1), the requirement IDs it is filed
under, and its message.  :class:`VerdictBook` keeps the verdicts of a run on the
controller, and everything that says how a test ended reads them from it: the JSON
report and the JUnit written from it (:mod:`._run_report`), the live progress
lines (:mod:`._progress`), and the mutation worker, which judges a mutant by the
first failing verdict of its run (:meth:`VerdictBook.first_failing`).
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

import pytest

from ..harness._state import NOT_APPLICABLE, NOT_CLAIMED, NOT_RUN

__all__ = ["Outcome", "Verdict", "VerdictBook", "fold", "short_reason"]


class Outcome(StrEnum):
    """How one test ended: the report's outcomes (``gritwit-report/3``, ADP-020.1)."""

    PASSED = "passed"
    FAILED = "failed"
    ERRORED = "errored"
    TIMED_OUT = "timed-out"
    NOT_CLAIMED = "not-claimed"
    NOT_APPLICABLE = "not-applicable"
    EXPECTED_FAILURE = "expected-failure"
    UNEXPECTED_PASS = "unexpected-pass"
    SKIPPED = "skipped"
    NOT_RUN = "not-run"

    @property
    def failing(self) -> bool:
        """It makes its requirements and the run fail (ADP-020.2)."""
        return self in _FAILING


_FAILING = frozenset({Outcome.FAILED, Outcome.ERRORED, Outcome.TIMED_OUT, Outcome.UNEXPECTED_PASS})
#: A test's own failure, which a failing teardown after it does not replace (a time-out
#: too: it stays *timed-out*, ADP-020.1, where it once became *errored*).
_OWN_FAILURE = frozenset({Outcome.FAILED, Outcome.ERRORED, Outcome.TIMED_OUT})
#: The outcomes whose report entry carries the test's exchange (ADP-020.7).
_WITH_EXCHANGE = _FAILING
#: Why a declared known failure that passed fails the run (ADP-005.3).
_XPASS = "a declared known failure passed: remove it from known_failures"


@dataclass(frozen=True, slots=True, kw_only=True)
class Verdict:
    """How one test ended, and what its report entry says."""

    #: The test's id as the report prints it (``suite/codec/test_x.py::test_y[1]``).
    test: str
    #: Until the test's call phase reports, it has not run (a crash then leaves it so).
    outcome: Outcome = Outcome.NOT_RUN
    #: The IDs it is filed under: those it cites, or the rule a broken adapter broke.
    requirements: tuple[str, ...] = ()
    #: Why it did not pass (the bounded failure text, the skip's reason); ``''`` if passed.
    message: str = ""
    #: The profile row of the report (the first name of its closest ``profile`` mark).
    profile: str = "harness"
    duration: float = 0.0
    #: Changes since the claimed spec version of the clauses it cites (ADP-005.5).
    since: tuple[str, ...] = ()
    #: A failing test's requests and answers in order, as JSON (ADP-020.7), or None.
    exchange: str | None = None
    #: ``requirements`` name the rule an adapter broke, not what the test cites.
    blamed: bool = False
    #: A failing test's diagnosis (``rule``, ``words``, ``source``: :mod:`.._diagnoses`),
    #: given once the run has ended, or None (ADP-020.9).
    diagnosis: dict[str, Any] | None = None
    #: What the adapter wrote to standard error during a failing test, its tail within a
    #: bound (ADP-020.7), or None: nothing written, or no adapter process.
    stderr: str | None = None

    def as_result(self) -> dict[str, Any]:
        """The entry of the report's ``results`` (``gritwit-report/3``)."""
        entry: dict[str, Any] = {
            "id": self.test,
            "profile": self.profile,
            "requirements": list(self.requirements),
            "outcome": str(self.outcome),
            "reason": self.message,
            "duration": self.duration,
        }
        if self.since:
            entry["since"] = list(self.since)
        if self.exchange is not None and self.outcome in _WITH_EXCHANGE:
            entry["exchange"] = json.loads(self.exchange)
        if self.diagnosis is not None and self.outcome.failing:
            entry["diagnosis"] = dict(self.diagnosis)
        if self.stderr and self.outcome in _WITH_EXCHANGE:
            entry["stderr"] = self.stderr
        return entry


#: Message lines of a failure kept (a structural diff is a few dozen; bound_message caps bytes).
_E_LINES = 80


def short_reason(text: str) -> str:
    """The message lines (``E …``) of a pytest failure and hypothesis's minimal example."""
    falsifying = re.search(r"Falsifying example:.*?(?=\n\n|\Z)", text, re.DOTALL)
    lines = [line for line in text.splitlines() if line.startswith("E ")]
    core = textwrap.dedent("\n".join(line[2:].rstrip() for line in lines[:_E_LINES]))
    if falsifying:
        core = f"{core}\n{falsifying.group(0)}".strip()
    return (core or text[-1500:]).strip()


def _reason(report: pytest.TestReport) -> str:
    """The bounded text the plugin put in ``longrepr`` (terminal, JUnit, JSON agree)."""
    from ..harness._messages import bound_message, visible_text

    if isinstance(report.longrepr, str):
        return visible_text(report.longrepr)
    return bound_message(short_reason(report.longreprtext or ""))


def _skip_reason(report: pytest.TestReport) -> str:
    """The reason a skipped test gives (``pytest.skip("…")``), without pytest's prefix."""
    from ..harness._messages import visible_text

    reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else ""
    return visible_text(reason.removeprefix("Skipped: "))


def fold(verdict: Verdict, report: pytest.TestReport) -> Verdict:
    """``verdict`` after one more phase ``report`` of its test (a skip is never counted as a pass).

    A skip at any phase is *skipped* (or *not claimed*, when the plugin skipped it at
    setup for an unclaimed profile; *not applicable*, *not run* by their prefixes),
    never *passed*; a test is *passed* only when its call phase passed; a failure
    outside the call phase is *errored* unless the test had already failed.
    """
    from ..harness._messages import visible_text

    props = dict(report.user_properties)
    if "requirements" in props and not verdict.blamed:
        verdict = replace(verdict, requirements=tuple(str(props["requirements"]).split()))
    if "profile" in props:
        verdict = replace(verdict, profile=str(props["profile"]))
    verdict = replace(verdict, duration=verdict.duration + report.duration)
    if "exchange" in props and report.failed and verdict.exchange is None:
        verdict = replace(verdict, exchange=str(props["exchange"]))
    if "stderr" in props and report.failed and verdict.stderr is None:
        verdict = replace(verdict, stderr=str(props["stderr"]))
    if "since" in props and report.failed:
        notes = tuple(n for n in str(props["since"]).splitlines() if n.strip())
        verdict = replace(verdict, since=notes)
    if report.failed:
        if report.when == "teardown" and verdict.outcome in _OWN_FAILURE:
            return verdict  # the test's own failure stays what the report says
        if "blame" in props:
            # Blame the protocol rule that broke, and say what the test was checking.
            checking = ", ".join(verdict.requirements)
            message = _reason(report)
            if "(while checking" not in message:
                message += f"\n(while checking {checking})"
            outcome = Outcome.ERRORED if "broken" in props else Outcome.FAILED
            if "timedOut" in props:  # no answer within the limit (ADP-020.1)
                outcome = Outcome.TIMED_OUT
            blame = tuple(str(props["blame"]).split())
            return replace(
                verdict, requirements=blame, blamed=True, message=message, outcome=outcome
            )
        if report.when != "call":
            return replace(verdict, outcome=Outcome.ERRORED, message=_reason(report))
        if "XPASS(strict)" in (report.longreprtext or ""):
            return replace(verdict, outcome=Outcome.UNEXPECTED_PASS, message=_XPASS)
        return replace(verdict, outcome=Outcome.FAILED, message=_reason(report))
    if report.skipped:
        if hasattr(report, "wasxfail"):
            message = visible_text(report.wasxfail)
            return replace(verdict, outcome=Outcome.EXPECTED_FAILURE, message=message)
        reason = _skip_reason(report)
        unclaimed = report.when == "setup" and reason.startswith(NOT_CLAIMED)
        outcome = Outcome.NOT_CLAIMED if unclaimed else Outcome.SKIPPED
        if reason.startswith(NOT_APPLICABLE):  # left out by --spec-version (ADP-005.6)
            outcome = Outcome.NOT_APPLICABLE
        if reason.startswith(NOT_RUN):  # after the adapter was declared hung (ADP-012.5)
            outcome = Outcome.NOT_RUN
        return replace(verdict, outcome=outcome, message=reason)
    if report.when == "call":
        if hasattr(report, "wasxfail"):  # a non-strict xfail that passed
            return replace(verdict, outcome=Outcome.UNEXPECTED_PASS, message=_XPASS)
        return replace(verdict, outcome=Outcome.PASSED, message="")
    return verdict


class VerdictBook:
    """The verdicts of a run, on the controller (with xdist it sees the workers' reports)."""

    def __init__(self) -> None:
        #: By pytest node id, in the order the tests first reported.
        self.verdicts: dict[str, Verdict] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from ..harness._messages import visible_text

        before = self.verdicts.get(report.nodeid) or Verdict(test=visible_text(report.nodeid))
        self.verdicts[report.nodeid] = fold(before, report)

    def first_failing(self) -> tuple[str, Verdict] | None:
        """The pytest node id and verdict of the first test, in the order the tests first
        reported, whose outcome fails a run (:attr:`Outcome.failing`, ADP-020.2); None
        when none does.

        A run that stops at its first failure (``-x``: the mutation worker) has at most
        this one, its verdict folded over all its phases: a teardown that fails after
        the test's own failure does not replace it, a time-out is *timed-out*
        (ADP-020.1).  The node id is pytest's own (the verdict's ``test`` is the report's
        visible form of it), to select the test again.
        """
        return next(((n, v) for n, v in self.verdicts.items() if v.outcome.failing), None)
