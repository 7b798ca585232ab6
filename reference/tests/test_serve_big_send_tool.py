"""``python -m asv_bench.tools.serve_big_send --tokens``: the hostile table of a service
whose store holds a token — the 15 MiB sends carrying it, then guessing (HTTP-021.2),
100 ``Authorization`` headers and a token in the URL (HTTP-018.1) — each row with its
answers, the memory and the probe's longest wait."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[test]'")
sys.path.insert(0, str(ROOT))
from asv_bench.tools import serve_big_send  # noqa: E402

pytestmark = [pytest.mark.req("HTTP-018.1", "HTTP-021.2"), pytest.mark.slow]


def test_the_door_rows_follow_the_sends(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_big_send.main(["--tokens"]) == 0
    rows = {
        line.split("|")[1].split(" (")[0].strip(): line.split("|")[2].strip()
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("| ") and not line.startswith("| case")
    }
    assert rows.get("one 15 MiB send") == "202", f"HTTP-018.1: the token's send, got {rows}"
    assert rows.get("three at once") == "202/202/202", rows
    guesses = rows.get("4 clients guessing tokens for 5 s", "")
    assert "×401" in guesses and "×429" in guesses, (
        f"HTTP-021.2: expected 401s, then 429s once the guesses pass the bound; got {guesses!r}"
    )
    assert rows.get("100 Authorization headers") == "401", rows
    assert rows.get("the token in the URL") == "401", f"HTTP-018.1: got {rows}"
