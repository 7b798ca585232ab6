"""Raw lines to a separate adapter process: for the tests of lines that are no request.

The harness never sends such lines in a run, so these tests start a second process
of the implementation under test, write a raw line followed at once by a valid
request (``seq`` 4242) of a command no profile has, which every adapter answers
``unsupported-command`` whatever it claims (ADP-008), and read the answers.  An
adapter that skips the bad line answers that request first, which shows at once,
without a time-out.
An in-process implementation reads no lines: the tests are skipped for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from gritwit_conformance.harness._implementation import Implementation, Subprocess
from gritwit_conformance.harness._messages import ProtocolViolation, parse_response
from gritwit_conformance.harness._transport import AdapterBroken, AdapterProcess

from .._check import Clause, SuiteBug, error_answer

__all__ = ["FOLLOW_SEQ", "assert_still_serving", "send_raw", "separate_process"]

#: The ``seq`` of the valid request written after every raw line.
FOLLOW_SEQ = 4242
#: Its command: in no profile, so every adapter answers it alike (ADP-008, ADP-006).
FOLLOW_CMD = "gritwit-no-such-command"


@contextmanager
def separate_process(impl: Implementation) -> Iterator[AdapterProcess]:
    """A second, handshaken process of ``impl``, killed on exit; skip an in-process one."""
    if not isinstance(impl, Subprocess):
        pytest.skip("an in-process implementation reads no lines (ADP-004.4)")
    separate = Subprocess(impl.label, timeout=impl.timeout, scale=impl.scale)
    try:
        separate.info()
        process = separate._proc
        if process is None:
            raise SuiteBug("suite bug: a handshaken Subprocess has a process")
        yield process
    finally:
        separate.kill()


def send_raw(process: AdapterProcess, line: bytes, what: str) -> bytes:
    """Write ``line`` and a valid request; the first line answered."""
    follow = {"seq": FOLLOW_SEQ, "cmd": FOLLOW_CMD}
    return process.exchange_raw(line + b"\n" + json.dumps(follow).encode() + b"\n", what, None)


def assert_still_serving(process: AdapterProcess, clause: Clause) -> None:
    """The request after the raw line is answered next, in order (ADP-004.4, ADP-008):
    a failure names ``clause``, the calling test's rule for the line.

    The answer is checked as every answer is (ADP-003): one that breaks the protocol is
    the adapter's break, reported *errored*, not a failure of this test.
    """
    line = process.read_line()
    try:
        answer = parse_response(line, FOLLOW_SEQ, FOLLOW_CMD)
    except ProtocolViolation as exc:
        raise AdapterBroken(str(exc), process.stderr_tail(), exc.requirement) from None
    error_answer(
        answer,
        clause,
        "unsupported-command",
        f"the request after the raw line, {FOLLOW_CMD}: answered next, the adapter still serving",
    )
