"""The ``wit`` blob of a sandboxed program (SBX-001): build it, and read it back."""

from __future__ import annotations

from typing import Final

from .._errors import GritError, UnknownWit
from .._ids import ObjectId
from .._objects import Blob

__all__ = ["RUNTIME", "SANDBOX_VERSION", "program_of", "wit_blob"]

RUNTIME: Final = "python-wasi"
SANDBOX_VERSION: Final = "1"


def wit_blob(source: str, interpreter: ObjectId) -> Blob:
    """The ``wit`` blob running ``source`` on ``interpreter`` (SBX-001.1 … SBX-001.3)."""
    return Blob(
        data=source.encode("utf-8"),
        headers={
            "runtime": RUNTIME,
            "sandbox": SANDBOX_VERSION,
            "interpreter": interpreter.hex(),
        },
    )


def program_of(blob: Blob, held: ObjectId) -> str:
    """The program of ``blob``, checked against the interpreter this host holds (``held``).

    → ``unknown-wit`` for another runtime or version, no or another interpreter
    (SBX-001.4, SBX-002.1), or data that is not UTF-8 (SBX-001.2).
    """
    headers = blob.headers
    if headers.get("runtime") != RUNTIME:
        raise UnknownWit("SBX-001.1", f"runtime {headers.get('runtime')!r} is not {RUNTIME!r}")
    if headers.get("sandbox") != SANDBOX_VERSION:
        raise UnknownWit("SBX-001.4", f"sandbox version {headers.get('sandbox')!r} is unknown")
    text = headers.get("interpreter")
    if text is None:
        raise UnknownWit("SBX-001.4", "the blob names no interpreter")
    try:
        named = ObjectId.from_hex(text)
    except (GritError, ValueError):
        raise UnknownWit("SBX-001.3", f"interpreter {text!r:.80} is not an id") from None
    if named != held:
        raise UnknownWit("SBX-002.1", f"interpreter {text} is not held by this runtime")
    try:
        return blob.data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnknownWit("SBX-001.2", "the program is not UTF-8") from None
