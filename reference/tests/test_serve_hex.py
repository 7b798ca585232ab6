"""The hex check of byte strings over HTTP (HTTP-002.2): the same language as before, in
memory linear in the text.

A byte string is lowercase hexadecimal, two digits a byte.  The service once judged it with
``(?:[0-9a-f]{2})*`` and ``fullmatch``: Python's regex engine keeps a record per repetition
of a group, so a 15 MiB blob took 963 MiB and 9 s of CPU while it held the GIL.  The check
now accepts exactly what that pattern accepted (compared on small texts, where the old
pattern is cheap) and holds no more than the bytes it returns.
"""

from __future__ import annotations

import re
import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit.adapter._args import BadRequest, _hex
from gritwit.serve._content import hex_bytes
from gritwit.serve._problems import HttpProblem

#: The pattern the check once used, kept here as the reference language.
_OLD = re.compile(r"(?:[0-9a-f]{2})*")
#: Characters near the language's edge: upper case, whitespace bytes.fromhex skips,
#: digits of other scripts, full-width letters, and a lone surrogate.
_NEAR = "0123456789abcdefABCDEFgx \t\n\r\x0b\x0c\u0663\uff41\ud800"


def _service_accepted(value: str) -> bool:
    try:
        hex_bytes(value, "a blob's data")
    except HttpProblem as problem:
        assert problem.status == 400 and problem.error_class == "bad-request"
        assert "HTTP-002.2" in str(problem)
        return False
    return True


def _adapter_accepted(value: str) -> bool:
    try:
        _hex({"bytes": value}, "bytes")
    except BadRequest as refusal:
        assert "ADP-004.2" in str(refusal)
        return False
    return True


#: The service's check of a body's byte strings (HTTP-002.2) and the adapter's of its
#: arguments' (ADP-004.2): each refuses with its own class and clause, the same language.
_CHECKS = {"service": _service_accepted, "adapter": _adapter_accepted}


@pytest.mark.parametrize(
    "check",
    [
        pytest.param("service", marks=pytest.mark.req("HTTP-002.2")),
        pytest.param("adapter", marks=pytest.mark.req("ADP-004.2")),
    ],
)
@given(value=st.text(alphabet=_NEAR, max_size=12))
def test_the_check_accepts_what_the_old_pattern_accepted(check: str, value: str) -> None:
    assert _CHECKS[check](value) == (_OLD.fullmatch(value) is not None), repr(value)


@pytest.mark.req("HTTP-002.2")
@given(st.binary(max_size=64))
def test_every_byte_string_reads_back(data: bytes) -> None:
    assert hex_bytes(data.hex(), "a blob's data") == data


@pytest.mark.req("HTTP-002.2")
@pytest.mark.parametrize("value", [" ab", "ab ", "a b", "AB", "abc", "ab\n", "\u0663\u0663", 7])
def test_what_bytes_fromhex_forgives_is_refused(value: object) -> None:
    """``bytes.fromhex`` skips whitespace and reads upper case: the check must not."""
    with pytest.raises(HttpProblem, match=r"HTTP-002\.2"):
        hex_bytes(value, "a blob's data")


@pytest.mark.req("HTTP-002.2", "HTTP-013")
def test_a_long_byte_string_is_judged_without_a_record_per_byte() -> None:
    """4 MiB of hex text: the check's Python allocations peak within twice the text (the
    2 MiB it returns and small change), not at a record per digit pair (the old pattern
    peaked near 300 MB here).  tracemalloc counts allocations, so this is deterministic."""
    text = "5a" * (2 << 20)
    tracemalloc.start()
    try:
        data = hex_bytes(text, "a blob's data")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(data) == 2 << 20
    assert peak < 2 * len(text), f"the hex check of {len(text)} digits peaked at {peak} bytes"
