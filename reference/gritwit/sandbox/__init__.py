"""Untrusted Python as a Wit: CPython on WASI, the core tree as its filesystem (spec/09-sandbox.md).

``run_python(source, store=..., core=...)`` runs a program once in a fresh
interpreter instance and returns its output and the new core's id, or raises a
typed error (SBX-008).  The interpreter is the optional extra ``gritwit[sandbox]``.
"""

from __future__ import annotations

from ._interpreter import INSTALL_HINT, INTERPRETER_SHA256, interpreter_path
from ._run import INPUT_FORMAT, SandboxLimits, SandboxResult, Send, run_python
from ._wit import RUNTIME, SANDBOX_VERSION, program_of, wit_blob

__all__ = [
    "INPUT_FORMAT",
    "INSTALL_HINT",
    "INTERPRETER_SHA256",
    "RUNTIME",
    "SANDBOX_VERSION",
    "SandboxLimits",
    "SandboxResult",
    "Send",
    "interpreter_path",
    "program_of",
    "run_python",
    "wit_blob",
]
