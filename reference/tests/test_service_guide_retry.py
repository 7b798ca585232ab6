"""The guide's advice on retrying a send carries the condition HTTP-005.4 puts on it.

HTTP-005.4 lets a client retry a send with the same key at another service on the same
store only once no request with that key is still under way at another service: a
service cannot find a send another has not committed, and a key sent to two services at
once was delivered twice for 8 keys of 10.  The guide's "Retrying a send" once said
"to this service or another on the same store: it is delivered once", without the
condition; a reader following it would deliver twice.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide" / "serve.md"


def _section(title: str) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    found = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", text, re.M | re.S)
    assert found, f"docs/guide/serve.md has no section {title!r}"
    return " ".join(found.group(1).split())


@pytest.mark.req("HTTP-005.4")
def test_the_retry_advice_names_the_condition_on_another_service() -> None:
    advice = _section("Retrying a send")
    assert "HTTP-005.4" in advice
    assert "no other request with that key is still under way at another service" in advice, (
        "the guide's retry advice leaves out HTTP-005.4's condition on retrying elsewhere"
    )
    assert "two services at once" in advice and "twice" in advice, (
        "the guide does not say what sending one key to two services at once does"
    )
    # the old unconditional promise is gone
    assert "to this service or another on the same store: it is delivered once" not in advice
