"""A secret the operator gives in a form PORT-009.1 does not allow is refused when the
runtime opens, and the refusal does not quote it (PORT-009.1, ADP-024.1).

A secret's name is 1 to 64 characters of ``a-z``, ``0-9``, ``_`` and ``-``; its value
non-empty text without control characters.  Each case breaks one of these and nothing
else; the value of each is a text the suite looks for in the refusal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check, error_answer, ok_answer

pytestmark = pytest.mark.profile("port")

VALUE = "s3cr3t-Form-41d7"


@pytest.mark.req("PORT-009.1", "ADP-024.1", "PORT-009.3")
@pytest.mark.parametrize(
    ("what", "secrets"),
    [
        ("an uppercase letter in the name", {"Token": VALUE}),
        ("a dot in the name", {"to.ken": VALUE}),
        ("a name of 65 characters", {"t" * 65: VALUE}),
        ("an empty name", {"": VALUE}),
        ("an empty value", {"token": ""}),
        ("a line feed in the value", {"token": VALUE + "\n"}),
        ("a value that is not text", {"token": 41}),
        ("a DEL in the value", {"token": VALUE + "\x7f"}),
        ("a unit separator in the value", {"token": "\x1f" + VALUE}),
        ("secrets that are a list", [VALUE]),
    ],
)
@pytest.mark.req("CONV-004")
def test_a_secret_of_a_bad_form_is_refused_as_the_runtime_opens(
    impl: Implementation, tmp_path: Path, what: str, secrets: object
) -> None:
    path = tmp_path / "rt"
    path.mkdir()
    reply = impl.call("rt-open", path=str(path), clock=1_000_000, port={"secrets": secrets})
    error_answer(reply, "PORT-009.1", "bad-request", f"rt-open with a secret of {what}")
    check(
        "PORT-009.3",
        VALUE not in str(reply.error),
        expected="a refusal that does not quote the secret's value",
        came=reply.error,
    )


@pytest.mark.req("PORT-009.1", "ADP-024.1")
@pytest.mark.parametrize(
    ("what", "secrets"),
    [
        ("a space in the value", {"token": "Bearer " + VALUE}),
        ("a name of 64 characters, digits, _ and -", {"t0_-" * 16: VALUE}),
        ("a value of one character past the controls", {"token": "!"}),
        ("a value of non-ASCII text", {"token": "s\u00e9cr\u00e8t"}),
    ],
)
def test_a_secret_of_a_good_form_is_taken(
    impl: Implementation, tmp_path: Path, what: str, secrets: dict[str, object]
) -> None:
    path = tmp_path / "rt"
    path.mkdir()
    reply = impl.call("rt-open", path=str(path), clock=1_000_000, port={"secrets": secrets})
    ok_answer(reply, "PORT-009.1", f"rt-open with a secret of {what}")
