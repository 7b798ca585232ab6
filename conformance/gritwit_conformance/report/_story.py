"""What every report form says about a run as a whole (ADP-020): its verdict and versions.

The terminal summary, the JUnit file and the HTML page each call these on the
same JSON document, so they cannot tell different stories.  Pure functions.
"""

from __future__ import annotations

import re
from typing import Any, Final

from ..data._versions import is_older_than
from ._model import FAILING

__all__ = ["older", "run_status", "selection_line", "version_lines", "version_note"]

_SEMVER: Final = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


def _version(text: str) -> tuple[int, int, int] | None:
    found = _SEMVER.match(text)
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def older(claimed: str, suite: str) -> bool:
    """``claimed`` is an earlier spec version than ``suite``, as the harness judges it
    (ADP-005.5): a development version by its ``N`` and its text's label (CONV-003.8,
    :func:`~gritwit_conformance.data._versions.is_older_than`); other pre-release tags
    ignored."""
    if is_older_than(claimed, suite):
        return True
    mine, theirs = _version(claimed), _version(suite)
    return mine is not None and theirs is not None and mine < theirs


def run_status(document: dict[str, Any]) -> str:
    """``pass``, ``fail`` or ``incomplete``: the verdict of a report, as every output shows it.

    A run that did not finish is *incomplete* whatever its tests said; a complete run
    passes only when no test failed, errored, timed out or passed unexpectedly
    (ADP-020.2); *not applicable*, *not claimed* and *skipped* tests fail nothing.
    """
    if document.get("incomplete") or document.get("interrupted"):
        return "incomplete"
    bad = any(
        entry["failed"] or entry["errored"] or entry.get("timedOut") or entry["unexpectedPasses"]
        for entry in document["profiles"].values()
    )
    return "fail" if bad else "pass"


def version_lines(
    *, claimed: str, applied: str, suite: str, failing: int, marked: int, left_out: int
) -> list[str]:
    """One or two lines on the spec versions, when the claimed or applied one is not the suite's.

    ``claimed``: the version the implementation claims (``''``: none); ``applied``:
    the ``--spec-version`` given (``''``: none); ``failing``: failing tests, ``marked``
    of them with ``since`` notes; ``left_out``: tests *not applicable*.  ``[]`` when
    the implementation claims the suite's version (or none) and no version was
    applied (ADP-020.3).
    """
    lines = []
    if claimed and older(claimed, suite):
        lines.append(
            f"implementation claims spec {claimed}; this suite is {suite}: {marked} of the "
            f"{failing} failing test(s) concern clauses added or changed since {claimed} "
            "(marked 'since')"
        )
    elif claimed and claimed != suite:
        lines.append(
            f"implementation claims spec {claimed}; this suite is {suite} and checks "
            f"{suite}'s rules"
        )
    if applied:
        lines.append(
            f"--spec-version {applied} applied: {left_out} test(s) of clauses added since "
            f"{applied} left out as not applicable"
        )
    elif claimed and older(claimed, suite):
        lines.append(f"--spec-version {claimed} leaves out tests of clauses added since {claimed}")
    return lines


def version_note(document: dict[str, Any]) -> list[str]:
    """:func:`version_lines` of a JSON report document."""
    results = document["results"]
    failing = [r for r in results if r["outcome"] in FAILING]
    return version_lines(
        claimed=document.get("claimedSpec") or "",
        applied=document.get("appliedSpec") or "",
        suite=str(document["specVersion"]),
        failing=len(failing),
        marked=sum(bool(r.get("since")) for r in failing),
        left_out=sum(r["outcome"] == "not-applicable" for r in results),
    )


def selection_line(document: dict[str, Any]) -> str:
    """``selected N of M tests: …`` for a run of chosen tests; ``''`` for a whole run.

    ``gritwit conform --rerun/--requirement/--test`` (:mod:`..runs._select`): the line says
    what chose them and how many were left out, so that a run of a few tests is never
    read as a run of the suite (ADP-020).
    """
    chosen = document.get("selection")
    if not chosen:
        return ""
    why = []
    if chosen.get("rerun"):
        why.append(f"the failing tests of {chosen['rerun']}")
    if chosen.get("requirements"):
        why.append(f"citing {' or '.join(chosen['requirements'])} (or a sub-clause)")
    if chosen.get("tests"):
        why.append("named like " + " or ".join(repr(name) for name in chosen["tests"]))
    left = chosen["of"] - chosen["selected"]
    line = f"selected {chosen['selected']} of {chosen['of']} tests: {', '.join(why)}"
    line += f"; {left} left out"
    missing = chosen.get("missing") or []
    if missing:
        line += f"; {len(missing)} re-run test(s) no longer in the suite: {', '.join(missing[:5])}"
        line += " …" if len(missing) > 5 else ""
    return line
