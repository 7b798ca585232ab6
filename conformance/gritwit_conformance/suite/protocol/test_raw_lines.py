"""Lines that are no request: answered ``seq: null`` and ``bad-request`` (ADP-004.4).

The harness never sends such lines in a run, so these tests write raw lines to a
separate adapter process (``_raw.py``).
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import ProtocolViolation, parse_response
from gritwit_conformance.harness._transport import AdapterBroken

from .._check import error_answer, fail
from ._raw import FOLLOW_SEQ, assert_still_serving, send_raw, separate_process

pytestmark = pytest.mark.profile("protocol")

BAD_LINES = {
    "not-json": b"this is not JSON",
    "cut-off": b'{"seq": 1, "cmd": "hash", "bytes": ""',
    "array": b'[1, "hash"]',
    "no-seq": b'{"cmd": "hash", "bytes": ""}',
    "text-seq": b'{"seq": "7", "cmd": "hash", "bytes": ""}',
    "fraction-seq": b'{"seq": 7.5, "cmd": "hash", "bytes": ""}',
    "boolean-seq": b'{"seq": true, "cmd": "hash", "bytes": ""}',
}


@pytest.mark.smoke
@pytest.mark.req("ADP-004.4", "ADP-003.1")
@pytest.mark.parametrize("name", list(BAD_LINES))
@pytest.mark.req("CONV-004")
def test_unreadable_lines_are_answered_with_seq_null(impl: Implementation, name: str) -> None:
    with separate_process(impl) as process:
        line = send_raw(process, BAD_LINES[name], "(a bad line)")
        if f'"seq":{FOLLOW_SEQ}'.encode() in line.replace(b" ", b"") and process.answered_on_stderr(
            "null"
        ):
            raise AdapterBroken(
                f"no answer to a {name} line on standard output: "
                "the adapter wrote it to standard error",
                process.stderr_tail(),
                "ADP-001.2",
            )
        try:
            first = parse_response(line, None, "(a bad line)")  # type: ignore[arg-type]
        except ProtocolViolation as exc:
            if exc.requirement != "ADP-003.1":  # not even a response: a broken adapter
                raise AdapterBroken(str(exc), process.stderr_tail(), exc.requirement) from None
            fail(
                "ADP-004.4",
                expected="an answer with seq null and bad-request",
                came=str(exc),
                what=f"a {name} line",
            )
        error_answer(first, "ADP-004.4", "bad-request", f"a {name} line: seq null and bad-request")
        assert_still_serving(process, "ADP-004.4")
