"""``seq`` and ``hello``'s ``protocol`` are integers of the protocol too (ADP-004.12).

ADP-004.12 refuses an integer argument written with a fraction or an exponent
(``4099.0``), whose value a JSON reader that keeps numbers as doubles cannot tell from
``4099``.  Its list covers a request's ``seq`` and ``hello``'s ``protocol`` as well:

* a line whose ``seq`` is ``7.0`` (or ``7e0``) has no integer ``seq``, so it is
  answered as a line without one (ADP-004.4): ``seq: null`` and ``bad-request``, never
  an answer carrying ``seq`` 7, and the adapter goes on serving;
* ``hello`` with ``protocol`` ``1.0`` is ``bad-request``: an argument's fault, found
  before ADP-005.2 compares versions, so neither accepted as version 1 nor refused
  ``unsupported-protocol``; ``true`` and ``"1"``, of the wrong JSON type, are
  ``bad-request`` for the same reason (ADP-004.6).

The other side, that ``seq`` 7 and ``protocol`` 1 are accepted, is every other test.
The raw lines go to a separate process of the adapter (``_raw.py``); an in-process
implementation reads no lines, and its ``seq`` tests are skipped.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._messages import ProtocolViolation, parse_response
from gritwit_conformance.harness._transport import AdapterBroken

from .._check import error_answer
from ._raw import assert_still_serving, send_raw, separate_process

pytestmark = pytest.mark.profile("protocol")

#: A ``hash`` request whose ``seq`` is a whole number written as no integer.
WHOLE_SEQ_LINES = {
    "fraction": b'{"seq": 7.0, "cmd": "hash", "bytes": ""}',
    "exponent": b'{"seq": 7e0, "cmd": "hash", "bytes": ""}',
}


@pytest.mark.smoke
@pytest.mark.req("ADP-004.12", "ADP-004.4")
@pytest.mark.parametrize("written", sorted(WHOLE_SEQ_LINES))
@pytest.mark.req("CONV-004")
def test_a_seq_written_with_a_fraction_is_no_integer_seq(
    impl: Implementation, written: str
) -> None:
    line = WHOLE_SEQ_LINES[written]
    what = f"(a seq written {line[8:11].decode()})"
    with separate_process(impl) as process:
        first = send_raw(process, line, what)
        try:
            answer = parse_response(first, None, what)  # type: ignore[arg-type]
        except ProtocolViolation as exc:
            if exc.requirement != "ADP-003.1":  # not even a response: a broken adapter
                raise AdapterBroken(str(exc), process.stderr_tail(), exc.requirement) from None
            pytest.fail(
                f"ADP-004.12, ADP-004.4: a seq written {line[8:11].decode()} is no integer seq, "
                f"so the line is answered with seq null and bad-request; the adapter answered "
                f"{first[:200]!r} ({exc})"
            )
        error_answer(
            answer,
            ("ADP-004.12", "ADP-004.4"),
            "bad-request",
            f"a seq written {line[8:11].decode()} is no integer seq: seq null and bad-request",
        )
        assert_still_serving(process, "ADP-004.4")


#: ``protocol`` values that are no integer: (value, the clause that refuses it).
NOT_INTEGERS = {
    "1.0": (1.0, "ADP-004.12"),
    "true": (True, "ADP-004.6"),
    "text 1": ("1", "ADP-004.6"),
}


@pytest.mark.smoke
@pytest.mark.req("ADP-004.12", "ADP-004.6", "ADP-005.2")
@pytest.mark.parametrize("written", sorted(NOT_INTEGERS))
@pytest.mark.req("CONV-004")
def test_hello_with_a_protocol_that_is_no_integer_is_bad_request(
    impl: Implementation, written: str
) -> None:
    value, clause = NOT_INTEGERS[written]
    reply = impl.probe_hello(value)
    error_answer(
        reply,
        clause,
        "bad-request",
        f"hello with protocol {written} ({value!r}) names no integer version: refused before "
        "ADP-005.2 compares versions (neither accepted as version 1 nor unsupported-protocol)",
    )
