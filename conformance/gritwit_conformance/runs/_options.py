"""The suite run as plain ``pytest``: its options, and the plan built from them once.

``gritwit conform`` builds its :class:`~..harness._plan.ConformPlan` from its own
arguments and hands it to pytest; a plain ``pytest`` run of the suite chooses the same
things with these options (``--impl``, ``--gritwit-*``), and :func:`plan_from_options`
turns them into the same plan, checked the same way, before any test runs.  Each
problem is a :class:`pytest.UsageError` naming the option (pytest's exit status 4).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..harness._plan import ConformPlan, PlanError, Selection, default_examples

__all__ = ["add_options", "applied_version", "plan_from_options"]


def add_options(parser: pytest.Parser) -> None:
    """The gritwit options of a plain ``pytest`` run (the plugin's ``pytest_addoption``)."""
    group = parser.getgroup("gritwit", "gritwit conformance suite")
    group.addoption(
        "--impl",
        dest="gritwit_impl",
        default="reference",
        help="implementation under test: a command line that starts its adapter, "
        "or 'reference' (default) for the in-process reference",
    )
    group.addoption(
        "--gritwit-timeout",
        type=float,
        default=10.0,
        help="base answer limit in seconds, before its scale (ADP-012.1; default: 10)",
    )
    group.addoption(
        "--gritwit-timeout-scale",
        type=float,
        default=None,
        help="multiply every answer limit by this (ADP-012.2; default: calibrated "
        "once per run from this machine's speed and load, between 1 and 10)",
    )
    group.addoption("--gritwit-examples", type=int, default=None, help="hypothesis examples")
    group.addoption("--gritwit-smoke", action="store_true", help="only the smoke tests")
    group.addoption(
        "--gritwit-vectors",
        default=None,
        help="golden vectors directory (gritwit conform --vectors; default: the checkout's "
        "vectors/, else those installed with the suite)",
    )
    group.addoption("--gritwit-json", default=None, help="write the JSON report here")
    group.addoption(
        "--gritwit-junit",
        default=None,
        help="write the JUnit XML here, from the JSON report (needs --gritwit-json; ADP-020.4)",
    )
    group.addoption("--gritwit-progress", action="store_true", help="one progress line per profile")
    group.addoption(
        "--gritwit-spec-version",
        default=None,
        metavar="X",
        help="leave out, as not applicable, tests whose every cited clause was added after "
        "spec version X (ADP-005.6)",
    )
    group.addoption(
        "--gritwit-select",
        default=None,
        metavar="FILE",
        help="keep only the tests a selection file names (the JSON of gritwit conform's "
        "--rerun, --requirement and --test; ADP-020.8)",
    )
    group.addoption(
        "--gritwit-only-profiles",
        default=None,
        help="comma-separated profiles: deselect protocol tests that need any other (ADP-006)",
    )


def applied_version(version: str | None, option: str = "--gritwit-spec-version") -> str | None:
    """A version ``spec/clauses.json`` records, or PlanError naming ``option`` (ADP-005.6)."""
    if version is None:
        return None
    from ..data._versions import UnknownSpecVersion, spec_history

    history = spec_history()
    if history is None:
        raise PlanError(
            f"{option} {version}: no spec/clauses.json and spec/CHANGES.md "
            "to read the versions from (ADP-005.6)"
        )
    try:
        return history.check_applied(version)
    except UnknownSpecVersion as exc:
        raise PlanError(str(exc)) from None


def plan_from_options(config: pytest.Config) -> ConformPlan:
    """The plan a plain ``pytest`` run's options choose; UsageError for a bad one."""
    from ..harness._limits import check_scale

    impl = str(config.getoption("gritwit_impl"))
    timeout = float(config.getoption("gritwit_timeout"))
    if not impl.strip():
        raise pytest.UsageError("--impl: empty command; give the adapter's command or 'reference'")
    if not 0 < timeout < float("inf"):
        raise pytest.UsageError(f"--gritwit-timeout must be more than 0, not {timeout}")
    scale = config.getoption("gritwit_timeout_scale")
    examples = config.getoption("gritwit_examples")
    if examples is not None and examples < 1:
        raise pytest.UsageError(f"--gritwit-examples must be at least 1, not {examples}")
    json_path = config.getoption("gritwit_json")
    junit = config.getoption("gritwit_junit")
    if junit and not json_path:
        raise pytest.UsageError(
            "--gritwit-junit is written from the JSON report: add --gritwit-json"
        )
    vectors = config.getoption("gritwit_vectors")
    chosen = config.getoption("gritwit_select")
    only = config.getoption("gritwit_only_profiles")
    try:
        if scale is not None:
            scale = check_scale(scale, "--gritwit-timeout-scale")
        return ConformPlan(
            impl=impl,
            timeout=timeout,
            timeout_scale=scale,
            scale_note="given" if scale is not None else "",
            smoke=bool(config.getoption("gritwit_smoke")),
            spec_version=applied_version(config.getoption("gritwit_spec_version")),
            vectors=Path(vectors) if vectors else None,
            selection=Selection.read(Path(chosen)) if chosen else None,
            profiles=tuple(sorted(set(only.split(",")))) if only else (),
            json_report=Path(json_path) if json_path else None,
            junit_report=Path(junit) if junit else None,
            progress=bool(config.getoption("gritwit_progress")),
            examples=default_examples() if examples is None else int(examples),
        )
    except (PlanError, ValueError, OSError, KeyError) as exc:
        raise pytest.UsageError(str(exc)) from None
