"""``python -m asv_bench.tools.serve_auth_cost``: the service's CPU per send with a token
against without (HTTP-018.1, HTTP-021.1), side by side.  A short run gives both sides'
figures and their ratio, and the tool refuses to compare a store whose door is not what
it says (a send without a token must answer 401 where the store holds one)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[test]'")
sys.path.insert(0, str(ROOT))
from asv_bench.tools import serve_auth_cost  # noqa: E402

pytestmark = pytest.mark.req("HTTP-018.1")


def test_a_short_run_gives_both_sides_and_their_ratio() -> None:
    got = serve_auth_cost.measure(sends=20, rounds=2)
    per_send = got["cpu_ms_per_send"]
    assert isinstance(per_send, dict) and set(per_send) == {"open", "tokens"}, got
    assert all(v > 0 for v in per_send.values()), f"expected CPU on both sides, got {got}"
    ratio = got["tokens_over_open"]
    assert isinstance(ratio, float) and ratio > 0, got


def test_a_store_whose_door_is_open_is_not_taken_for_one_with_tokens(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the token never issued, the *tokens* side would measure an open door: the
    tool stops, naming the side and the 202 it got where 401 was due."""
    real = serve_auth_cost._gritwit

    def no_token(*args: str) -> str:
        return "not-a-token" if args[:2] == ("token", "add") else real(*args)

    monkeypatch.setattr(serve_auth_cost, "_gritwit", no_token)
    with pytest.raises(SystemExit, match="tokens: a send without a token answered 202, not 401"):
        serve_auth_cost.measure(sends=1, rounds=1)
