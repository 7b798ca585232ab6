"""Lines that are no request: answered ``seq: null`` and ``bad-request`` (ADP-004.4).

The harness never sends such lines in a run, so these tests write raw lines to a
separate adapter process.  Each bad line is followed at once by a valid ``hash``
request: an adapter that skips the bad line answers the ``hash`` first, which
shows at once, without waiting for a time-out.
"""

from __future__ import annotations

import json

import pytest

from gritwit_conformance._implementation import Implementation, Subprocess
from gritwit_conformance._messages import ProtocolViolation, parse_response
from gritwit_conformance._transport import AdapterBroken

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
def test_unreadable_lines_are_answered_with_seq_null(impl: Implementation, name: str) -> None:
    if not isinstance(impl, Subprocess):
        return  # an in-process implementation reads no lines
    separate = Subprocess(impl.label, timeout=impl.timeout)
    try:
        separate.info()
        process = separate._proc
        assert process is not None
        follow = {"seq": 4242, "cmd": "hash", "bytes": ""}
        data = BAD_LINES[name] + b"\n" + json.dumps(follow).encode() + b"\n"
        line = process.exchange_raw(data, "(a bad line)", None)
        if b'"seq":4242' in line.replace(b" ", b"") and process.answered_on_stderr("null"):
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
            pytest.fail(f"a {name} line must be answered with seq null and bad-request: {exc}")
        assert first.error_class == "bad-request", (
            f"a {name} line must be answered with seq null and bad-request, got {first}"
        )
        answer = json.loads(process.read_line())  # still serving, in order
        assert answer.get("seq") == 4242 and answer.get("ok") is True, answer
    finally:
        separate.kill()
