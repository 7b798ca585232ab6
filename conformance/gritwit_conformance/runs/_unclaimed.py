"""Why a profile is *not claimed*, and what to run next: the lines under the summary.

A profile is *not claimed* when the implementation's ``hello`` does not list it (ADP-006):
its tests do not run and fail nothing.  The summary's table shows how many; these lines
say why, since the two causes call for different work.  The reference claims ``sandbox``
only with the pinned interpreter of the ``sandbox`` extra (ADP-019.1, SBX-002.1) and
``http`` only with the service of the ``serve`` extra (ADP-021), so on a machine without
the extra the fix is an install.  Any other unclaimed profile is the adapter's choice,
and the fix is to implement the profile's commands and claim it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["EXTRAS", "Extra", "sandbox_note", "unclaimed_notes"]


def _sandbox_available() -> bool:
    from gritwit.adapter import _sandbox

    return _sandbox.sandbox_available()


def _serve_available() -> bool:
    from gritwit.adapter._http import http_available

    return http_available()


@dataclass(frozen=True)
class Extra:
    """What the reference needs to claim a profile, and how to get it."""

    #: The extra of ``gritwit`` that brings it.
    extra: str
    #: What it brings, in words.
    what: str
    #: The requirement that makes the claim depend on it.
    rule: str
    #: Whether this machine has it (read when the line is written).
    available: Callable[[], bool]
    #: Another way to name it than the install, if any.
    alternative: str = ""
    #: Whether another implementation may need it too: the sandbox's pinned interpreter
    #: is a file any adapter can run (the Node example does); the service is the
    #: reference's own, so an adapter that leaves ``http`` out has chosen to.
    shared: bool = False

    def hint(self) -> str:
        hint = f"pip install 'gritwit[{self.extra}]'"
        return f"{hint} or {self.alternative}" if self.alternative else hint


#: The profiles the reference claims only with an extra installed.
EXTRAS: dict[str, Extra] = {
    "sandbox": Extra(
        "sandbox",
        "the pinned interpreter of the sandbox extra",
        "SBX-002.1",
        _sandbox_available,
        "set GRITWIT_SANDBOX_PYTHON to that file",
        shared=True,
    ),
    "http": Extra(
        "serve",
        "the HTTP service of the serve extra (Starlette, uvicorn)",
        "ADP-021",
        _serve_available,
    ),
}


def _unclaimed(document: dict[str, Any]) -> list[str]:
    return [name for name, entry in document["profiles"].items() if not entry["claimed"]]


def _tests(document: dict[str, Any], profile: str) -> int:
    """The tests of ``profile`` reported *not claimed*."""
    return sum(
        r.get("profile") == profile and r.get("outcome") == "not-claimed"
        for r in document.get("results", ())
    )


def _missing_extra_note(profile: str, reference: bool) -> str:
    """One line when the profile's extra is missing here; ``''`` when it is here."""
    extra = EXTRAS.get(profile)
    if extra is None or extra.available() or not (reference or extra.shared):
        return ""
    then = f"then gritwit conform --profile {profile}"
    if reference:
        return (
            f"{profile} not claimed: the reference needs {extra.what}, missing here "
            f"({extra.rule}): {extra.hint()}, {then}"
        )
    return (
        f"{profile} not claimed by the adapter; this machine has no {extra.what} either, "
        f"which the reference needs ({extra.rule}): {extra.hint()}"
    )


def sandbox_note(document: dict[str, Any], reference: bool) -> str:
    """One line on why ``sandbox`` is not claimed, when this machine lacks its extra.

    ``''`` when the profile is claimed, was not part of the run, or the interpreter is
    here (then the adapter chose not to claim it, and :func:`unclaimed_notes` says so).
    """
    summary = document["profiles"].get("sandbox")
    if summary is None or summary["claimed"]:
        return ""
    return _missing_extra_note("sandbox", reference)


def unclaimed_notes(document: dict[str, Any], *, reference: bool, impl: str = "") -> list[str]:
    """A line per profile not claimed for want of an extra here, and one line for the
    profiles the implementation's ``hello`` left out by choice (ADP-006).

    ``impl`` is the ``--impl`` command, for the command the line suggests.
    """
    lines: list[str] = []
    chosen: list[str] = []
    for profile in _unclaimed(document):
        note = _missing_extra_note(profile, reference)
        if note:
            lines.append(note)
        else:
            chosen.append(profile)
    if chosen:
        counts = ", ".join(f"{p} ({_tests(document, p)} tests)" for p in chosen)
        who = "the reference's" if reference else "the adapter's"
        target = "" if reference or not impl else f' --impl "{impl}"'
        lines.append(
            f"not claimed: {counts}: {who} hello does not list them (ADP-006), so these "
            "tests did not run; to check one, implement its commands (spec chapter 5), "
            f"list it in hello's profiles and run gritwit conform --profile NAME{target}"
        )
    return lines
