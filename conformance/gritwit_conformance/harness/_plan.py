"""The plan of one conformance run: every choice made once, frozen, read through one accessor.

A run is chosen in one of two ways: ``gritwit conform`` builds a :class:`ConformPlan`
from its arguments and hands it to pytest (:class:`PlanPlugin`,
``pytest.main(args, plugins=[PlanPlugin(plan)])``); a plain ``pytest`` run has the
plugin build it from its ``--impl``/``--gritwit-*`` options.  Either way the plan is
checked when it is made (:class:`PlanError`, before any test runs), completed once by
the plugin (the answer limit's calibrated scale, ADP-012.2), and then only read:
:func:`current_plan` is the one accessor every consumer uses — the plugin, the run's
report, the suite's own modules (golden vectors, hypothesis examples, time margins).

An xdist worker is a new process that pytest's ``plugins=`` does not reach: the
controller's plan crosses to it whole, as JSON, in xdist's ``workerinput`` (the same
channel xdist hands its own settings through), and the worker reads it back whole —
it never rebuilds it from options, so every worker runs the controller's plan.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Final

import pytest

__all__ = [
    "PLAN_KEY",
    "WORKER_KEY",
    "ConformPlan",
    "PlanError",
    "PlanPlugin",
    "Selection",
    "cites",
    "current_plan",
    "default_examples",
    "install_plan",
    "installed",
    "uninstall_plan",
]

#: Where the plan of a session lives in its ``pytest.Config`` (set before any test).
PLAN_KEY: Final = pytest.StashKey["ConformPlan"]()
#: The key of xdist's ``workerinput`` that carries the controller's plan, as JSON.
WORKER_KEY: Final = "gritwit_plan"
#: Hypothesis examples per property when neither the plan nor the environment says.
_EXAMPLES_DEFAULT: Final = 100


class PlanError(ValueError):
    """A plan that cannot run: the message is one line naming the option and its rule."""


def cites(wanted: str, rid: str) -> bool:
    """``rid`` is the requirement ``wanted`` or one of its sub-clauses (``RUN-021.3``)."""
    return rid == wanted or rid.startswith(f"{wanted}.")


@dataclass(frozen=True, slots=True)
class Selection:
    """Which tests a run keeps (``--rerun``, ``--requirement``, ``--test``); an empty kind
    keeps every test (ADP-020.8)."""

    #: Ids (as the report prints them) of the tests to run again; ``None``: no re-run.
    tests: tuple[str, ...] | None = None
    #: The report the ids come from, and how many tests it had.
    rerun: str | None = None
    rerun_of: int = 0
    requirements: tuple[str, ...] = ()
    names: tuple[str, ...] = ()

    def keeps(self, test_id: str, cited: set[str]) -> bool:
        if self.tests is not None and test_id not in self.tests:
            return False
        if self.requirements and not any(
            cites(want, rid) for want in self.requirements for rid in cited
        ):
            return False
        return not self.names or any(name in test_id for name in self.names)

    def record(
        self, selected: list[str], collected: int, present: frozenset[str] | None = None
    ) -> dict[str, Any]:
        """The report's ``selection``: counts, the selectors, and re-run tests not found.

        ``of``: the tests the run collected before this selection; for a re-run, the
        tests of the earlier report (only the files of its failing tests are collected).
        ``present``: every test id the suite collected before any filter; a re-run test
        among them is *not missing* even when another selector (``--requirement``,
        ``--test``, ``--profile``, ``--smoke``) left it out: only a test the suite no
        longer has is reported so (ADP-020.8: otherwise every test a ``--requirement``
        left out would be called "no longer in the suite").
        """
        of = self.rerun_of if self.tests is not None else collected
        found: dict[str, Any] = {
            "selected": len(selected),
            "of": max(of, len(selected)),
            "rerun": self.rerun,
            "requirements": list(self.requirements),
            "tests": list(self.names),
        }
        if self.tests is not None:
            there = set(selected) if present is None else present | set(selected)
            found["missing"] = [t for t in self.tests if t not in there]
        return found

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Selection:
        tests = data["tests"]
        return cls(
            tests=None if tests is None else tuple(tests),
            rerun=data["rerun"],
            rerun_of=int(data["rerun_of"]),
            requirements=tuple(data["requirements"]),
            names=tuple(data["names"]),
        )

    @classmethod
    def read(cls, path: Path) -> Selection:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def default_examples() -> int:
    """``GRITWIT_CONFORMANCE_EXAMPLES``, else 100: the examples of a plan that names none."""
    return int(os.environ.get("GRITWIT_CONFORMANCE_EXAMPLES", str(_EXAMPLES_DEFAULT)))


@dataclass(frozen=True, slots=True, kw_only=True)
class ConformPlan:
    """Everything a conformance run was asked to do; checked on construction."""

    #: The adapter's command line, or ``reference`` for the in-process reference (ADP-001).
    impl: str = "reference"
    #: The base answer limit in seconds, before its scale (ADP-012.1).
    timeout: float = 10.0
    #: Every answer limit and time margin is multiplied by this (ADP-012.2); ``None``
    #: until the plugin calibrates it, once per run, on the controller.
    timeout_scale: float | None = None
    #: How the scale was chosen (``given``, the calibration's figures), for the header.
    scale_note: str = ""
    #: Hypothesis examples per property.
    examples: int = field(default_factory=default_examples)
    #: Only the ``smoke`` tests.
    smoke: bool = False
    #: ``--spec-version X`` as applied (a recorded version): newer tests are *not
    #: applicable* (ADP-005.6); ``None``: every test applies.
    spec_version: str | None = None
    #: The golden vectors directory; ``None``: the checkout's, else the installed ones.
    vectors: Path | None = None
    #: Which tests the run keeps; ``None``: every test.
    selection: Selection | None = None
    #: ``--profile``: the protocol tests of other profiles are left out (ADP-006); empty:
    #: every profile.
    profiles: tuple[str, ...] = ()
    #: The JSON report (``gritwit-report/3``) and the JUnit XML written from it (ADP-020.4).
    json_report: Path | None = None
    junit_report: Path | None = None
    #: One progress line per profile instead of pytest's letters.
    progress: bool = False
    #: The ``hello`` answer of the handshake checked before the run (JSON), or ``None``.
    hello_json: str | None = None

    def __post_init__(self) -> None:
        if not self.impl.strip():
            raise PlanError("--impl: empty command; give the adapter's command or 'reference'")
        if not (0 < self.timeout < float("inf")):
            raise PlanError(f"--timeout must be more than 0, not {self.timeout} (ADP-012.1)")
        if self.timeout_scale is not None and not (0 < self.timeout_scale < float("inf")):
            raise PlanError(
                "--timeout-scale must be a finite number more than 0, "
                f"not {self.timeout_scale} (ADP-012.2)"
            )
        if self.examples < 1:
            raise PlanError(f"--examples must be at least 1, not {self.examples}")
        if self.junit_report is not None and self.json_report is None:
            raise PlanError("the JUnit XML is written from the JSON report: give the JSON path")
        if self.hello_json is not None and not isinstance(json.loads(self.hello_json), dict):
            raise PlanError("the checked hello must be a JSON object")

    @property
    def hello(self) -> dict[str, Any] | None:
        """The ``hello`` answer checked before the run (ADP-005.1), a fresh copy; or None."""
        if self.hello_json is None:
            return None
        found: dict[str, Any] = json.loads(self.hello_json)
        return found

    def with_hello(self, hello: dict[str, Any]) -> ConformPlan:
        return replace(self, hello_json=json.dumps(hello, sort_keys=True))

    def to_json(self) -> str:
        """The whole plan as one JSON text (for an xdist worker: :data:`WORKER_KEY`)."""
        data = asdict(self)
        for name in ("vectors", "json_report", "junit_report"):
            data[name] = None if data[name] is None else str(data[name])
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ConformPlan:
        data = json.loads(text)
        for name in ("vectors", "json_report", "junit_report"):
            data[name] = None if data[name] is None else Path(data[name])
        selection = data["selection"]
        data["selection"] = None if selection is None else Selection.from_json(selection)
        data["profiles"] = tuple(data["profiles"])
        return cls(**data)


#: The plans of the sessions now configured in this process, innermost last.  Only
#: :func:`install_plan` and :func:`uninstall_plan` change it, and it holds frozen plans,
#: never changed in place: a run's choices are made before it starts.
_INSTALLED: list[ConformPlan] = []
#: What :func:`current_plan` answers outside any run (a suite module imported alone).
_OUTSIDE: Final = ConformPlan()


def current_plan() -> ConformPlan:
    """The plan of the run now in progress, or the defaults when no run is."""
    return _INSTALLED[-1] if _INSTALLED else _OUTSIDE


def install_plan(plan: ConformPlan) -> None:
    """``plan`` is :func:`current_plan` from now on (the plugin, as a session is configured)."""
    _INSTALLED.append(plan)


def uninstall_plan(plan: ConformPlan) -> None:
    """The session of ``plan`` ended: an enclosing run's plan is current again."""
    for index in range(len(_INSTALLED) - 1, -1, -1):
        if _INSTALLED[index] is plan:
            del _INSTALLED[index]
            return


@contextmanager
def installed(plan: ConformPlan) -> Iterator[ConformPlan]:
    """``plan`` is :func:`current_plan` within the block (for code run outside a session)."""
    install_plan(plan)
    try:
        yield plan
    finally:
        uninstall_plan(plan)


class PlanPlugin:
    """Hands a plan built elsewhere (``gritwit conform``) to the session, before the
    gritwit plugin configures it: ``pytest.main(args, plugins=[PlanPlugin(plan)])``."""

    def __init__(self, plan: ConformPlan) -> None:
        self.plan = plan

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[PLAN_KEY] = self.plan
