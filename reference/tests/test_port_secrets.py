"""Secrets: read from the operator's file, substituted only on the wire, redacted from what
comes back, never shown (PORT-009).

Expected values are written from the clause's forms: a reference is ``${secret:NAME}``; a
redacted text holds the reference where the value was.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit.runtime._port_secrets import SecretError, Secrets, load_secrets, parse_secrets

VALUE = "hunter2-XYZ"
NAMES = st.from_regex(r"[a-z0-9_-]{1,64}", fullmatch=True)
VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=40)


@pytest.mark.req("PORT-009.2")
@given(NAMES, VALUES, st.text(max_size=20), st.text(max_size=20))
def test_a_reference_is_replaced_by_its_value_and_back(
    name: str, value: str, before: str, after: str
) -> None:
    secrets = Secrets({name: value})
    header = f"{before}${{secret:{name}}}{after}"
    sent = secrets.substitute(header)
    assert sent == before + value + after
    # what comes back with the value is stored with the reference (PORT-009.4)
    assert value.encode() not in secrets.redact(sent.encode()) or value in f"${{secret:{name}}}"


@pytest.mark.req("PORT-009.4")
def test_a_value_within_another_is_redacted_whole() -> None:
    secrets = Secrets({"short": "abc", "long": "xxabcxx"})
    assert secrets.redact(b"1 xxabcxx 2 abc") == b"1 ${secret:long} 2 ${secret:short}"
    assert secrets.redact_text("Bearer abc") == "Bearer ${secret:short}"


@pytest.mark.req("PORT-009.2")
def test_a_reference_to_no_secret_is_named_never_valued() -> None:
    secrets = Secrets({"token": VALUE})
    assert secrets.unknown("${secret:token} ${secret:other}") == ["other"]
    with pytest.raises(SecretError, match=r"PORT-009\.2") as info:
        secrets.substitute("${secret:other}")
    assert VALUE not in str(info.value)


@pytest.mark.req("PORT-009.3")
def test_secrets_show_their_names_only() -> None:
    secrets = Secrets({"token": VALUE})
    assert VALUE not in repr(secrets) and VALUE not in str(secrets) and "token" in repr(secrets)


@pytest.mark.req("PORT-009.1")
def test_the_operators_file_is_read_and_bad_ones_refused_without_values(tmp_path: Path) -> None:
    good = tmp_path / "secrets.json"
    good.write_text(json.dumps({"token": VALUE, "b_2-x": "v"}))
    assert dict(load_secrets(good)) == {"token": VALUE, "b_2-x": "v"}
    for bad in ({"Token": VALUE}, {"t": ""}, {"t": "a\nb"}, {"t": 1}, [VALUE], {"x" * 65: "v"}):
        with pytest.raises(SecretError, match=r"PORT-009\.1") as info:
            parse_secrets(bad)
        assert VALUE not in str(info.value)
    broken = tmp_path / "broken.json"
    broken.write_text('{"token": "' + VALUE)  # not JSON: the error must not quote it
    with pytest.raises(SecretError, match=r"PORT-009\.1") as info:
        load_secrets(broken)
    assert VALUE not in str(info.value)
