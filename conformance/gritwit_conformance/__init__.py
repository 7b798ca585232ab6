"""gritwit_conformance — the conformance suite for Grit/Wit implementations.

The suite drives any implementation through the adapter protocol (spec chapter
*adapter protocol*) and checks it against the golden vectors and, by
differential testing, against the reference.  It is a pytest plugin
(:mod:`gritwit_conformance.plugin`, registered under the ``pytest11`` entry
point) plus the ``gritwit conform`` command.  Importing this package is cheap.
"""

from __future__ import annotations

#: The profiles (ADP-006), each a test folder of the suite; ``protocol`` always runs.
PROFILES = (
    "codec",
    "store",
    "wit",
    "runtime",
    "wasm",
    "perf",
    "sandbox",
    "http",
    "services",
    "port",
)

__all__ = ["PROFILES", "SUITE_VERSION"]


def __getattr__(name: str) -> str:
    """``SUITE_VERSION``: the suite's version, the package's and the spec's, one number
    (CONV-003.4), computed from ``spec/CHANGES.md`` while it is a development version
    (CONV-003.8).  Read on first use: the pytest plugin imports this package in every
    session, and the reference's import is not cheap."""
    if name == "SUITE_VERSION":
        from gritwit._version import __version__

        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
