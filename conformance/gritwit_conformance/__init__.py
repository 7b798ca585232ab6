"""gritwit_conformance — the conformance suite for Grit/Wit implementations.

The suite drives any implementation through the adapter protocol (spec chapter
*adapter protocol*) and checks it against the golden vectors and, by
differential testing, against the reference.  It is a pytest plugin
(:mod:`gritwit_conformance.plugin`, registered under the ``pytest11`` entry
point) plus the ``gritwit conform`` command.  Importing this package is cheap.
"""

from __future__ import annotations

#: The suite's version: the package's and the spec's, one number (CONV-003.4).
SUITE_VERSION = "0.4.0.dev0"
#: The profiles (ADP-006), each a test folder of the suite; ``protocol`` always runs.
PROFILES = ("codec", "store", "wit", "runtime", "wasm", "perf", "sandbox", "http")

__all__ = ["PROFILES", "SUITE_VERSION"]
