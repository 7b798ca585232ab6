"""Untrusted Python as a Wit: CPython on WASI, the core tree as its filesystem (spec/09-sandbox.md).

``run_python(source, store=..., core=...)`` runs a program once in a fresh
interpreter instance and returns its output and the new core's id, or raises a
typed error (SBX-008).  :class:`SandboxWits` makes such a program an actor's Wit, one
run per transition (SBX-010 … SBX-015), and the executor dispatches ``wit`` blobs of
runtime ``python-wasi`` to it.  A :class:`Deadline` stops a run by wall-clock time
(``time-limit``, SBX-006.10).  The interpreter is the optional extra ``gritwit[sandbox]``.
"""

from __future__ import annotations

from ._actor import CODE_ENTRIES, SandboxWit, SandboxWits, interpreter_id, message_json
from ._interpreter import INSTALL_HINT, INTERPRETER_SHA256, interpreter_path
from ._run import INPUT_FORMAT, SandboxLimits, SandboxResult, Send, run_python
from ._stop import Deadline, TimeLimit
from ._wit import RUNTIME, SANDBOX_VERSION, program_of, wit_blob

__all__ = [
    "CODE_ENTRIES",
    "INPUT_FORMAT",
    "INSTALL_HINT",
    "INTERPRETER_SHA256",
    "RUNTIME",
    "SANDBOX_VERSION",
    "Deadline",
    "SandboxLimits",
    "SandboxResult",
    "SandboxWit",
    "SandboxWits",
    "Send",
    "TimeLimit",
    "interpreter_id",
    "interpreter_path",
    "message_json",
    "program_of",
    "run_python",
    "wit_blob",
]
