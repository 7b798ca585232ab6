"""How thorough a test run is: ``GRITWIT_PROFILE=ci`` (the default) or ``deep`` (style rule 11).

The one switch is read here and nowhere else.  It selects the hypothesis
settings profile (registered in ``conftest.py``: ``max_examples`` 150 or 5000)
and the number of SIGKILLs of the crash tests (:func:`sized`: a few for CI,
hundreds for ``deep``).  A more specific variable always wins:
``GRITWIT_HYPOTHESIS_PROFILE`` for hypothesis, ``GRITWIT_RUNTIME_KILLS`` and
``GRITWIT_CRASH_KILLS`` for the crash tests.

(Named ``profiles`` so as not to shadow the standard library's ``profile``.)
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["PROFILE", "PROFILES", "hypothesis_profile", "sized"]

#: The profiles a run may choose.
PROFILES = ("ci", "deep")


def _profile(environ: Mapping[str, str]) -> str:
    name = environ.get("GRITWIT_PROFILE", "ci") or "ci"
    if name not in PROFILES:
        raise ValueError(f"GRITWIT_PROFILE={name!r}: expected one of {', '.join(PROFILES)}")
    return name


#: The profile of this run.
PROFILE = _profile(os.environ)


def hypothesis_profile(environ: Mapping[str, str] = os.environ) -> str:
    """The hypothesis settings profile: ``GRITWIT_HYPOTHESIS_PROFILE``, else the run's profile."""
    return environ.get("GRITWIT_HYPOTHESIS_PROFILE") or _profile(environ)


def sized(variable: str, *, ci: int, deep: int, environ: Mapping[str, str] = os.environ) -> int:
    """``int(environ[variable])`` when set, else ``ci`` or ``deep`` by the run's profile."""
    explicit = environ.get(variable)
    if explicit:
        return int(explicit)
    return deep if _profile(environ) == "deep" else ci
