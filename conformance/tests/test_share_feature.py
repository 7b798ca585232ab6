"""Shares are a feature claimed in ``hello`` (ADP-005.7): no contradiction with
ADP-002 (an adapter ignores fields it does not know).

An adapter written to spec 0.3.0 — no ``features`` in ``hello``, ``share`` ignored as any
unknown field — gets every test of shares as *not claimed*, none failed, and is never
sent ``share``; the reference, which claims the feature, runs them.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.harness._implementation import InProcess

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]

WITHOUT_SHARES = r"""
import json, sys
from gritwit.adapter import ReferenceAdapter, serve

SENT = sys.argv[1]


class Adapter(ReferenceAdapter):
    def cmd_hello(self, args):
        answer = super().cmd_hello(args)
        answer.pop("features", None)
        answer["implementation"]["spec"] = "0.3.0"
        return answer

    def cmd_rt_open(self, args):
        if "share" in args:  # the harness must never send it (ADP-005.7)
            with open(SENT, "a") as f:
                f.write(json.dumps(args["share"]) + "\n")
        return super().cmd_rt_open({k: v for k, v in args.items() if k != "share"})


raise SystemExit(serve(Adapter()))
"""


#: An adapter claiming shares and not placement (the Node example's claim): it records any
#: ``placement`` the harness sends it, which it must not (ADP-005.7).
SHARES_ONLY = r"""
import json, sys
from gritwit.adapter import ReferenceAdapter, serve

SENT = sys.argv[1]


class Adapter(ReferenceAdapter):
    def cmd_hello(self, args):
        answer = super().cmd_hello(args)
        answer["features"] = ["shares"]
        return answer

    def cmd_rt_genesis(self, args):
        if "placement" in args:  # the harness must never send it (ADP-005.7)
            with open(SENT, "a") as f:
                f.write(json.dumps(args["placement"]) + "\n")
        return super().cmd_rt_genesis({k: v for k, v in args.items() if k != "placement"})


raise SystemExit(serve(Adapter()))
"""


def conform(
    tmp_path: Path, impl: str, name: str, test: str = "test_shares.py"
) -> dict[str, list[str]]:
    out = tmp_path / name
    subprocess.run(
        [*GRITWIT, "conform", "--impl", impl, "--profile", "runtime", "--test", test,
         "--timeout-scale", "1", "--out", str(out)],
        capture_output=True, text=True, cwd=tmp_path, timeout=600, check=False,
    )  # fmt: skip
    report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    outcomes: dict[str, list[str]] = {}
    for result in report["results"]:
        outcomes.setdefault(result["outcome"], []).append(result["reason"])
    return outcomes


@pytest.mark.slow
@pytest.mark.req("ADP-005.7", "ADP-002", "ADP-006", "RUN-021")
def test_an_adapter_without_shares_gets_their_tests_as_not_claimed(tmp_path: Path) -> None:
    script = tmp_path / "without_shares.py"
    script.write_text(WITHOUT_SHARES, encoding="utf-8")
    sent = tmp_path / "sent"
    outcomes = conform(tmp_path, shlex.join([sys.executable, str(script), str(sent)]), "old")
    assert set(outcomes) == {"not-claimed"}, outcomes
    assert len(outcomes["not-claimed"]) >= 6
    assert all(r.startswith("not claimed: feature shares") for r in outcomes["not-claimed"])
    assert not sent.exists(), sent.read_text()


@pytest.mark.req("ADP-005.7", "ADP-005.1")
def test_the_reference_claims_shares() -> None:
    impl = InProcess()
    try:
        # tokens (ADP-021.4) comes with the http profile, which the serve extra gives
        assert impl.features - {"tokens"} == {"placement", "shares"}
    finally:
        impl.close()
    hello = ReferenceAdapter().handle({"seq": 1, "cmd": "hello", "protocol": 1})
    assert [f for f in hello["features"] if f != "tokens"] == ["placement", "shares"]


@pytest.mark.slow
@pytest.mark.req("ADP-005.7", "ADP-015", "RUN-021.7")
def test_an_adapter_with_shares_without_placement_gets_its_tests_as_not_claimed(
    tmp_path: Path,
) -> None:
    script = tmp_path / "shares_only.py"
    script.write_text(SHARES_ONLY, encoding="utf-8")
    sent = tmp_path / "sent"
    impl = shlex.join([sys.executable, str(script), str(sent)])
    outcomes = conform(tmp_path, impl, "shares-only", "test_placement.py")
    assert set(outcomes) == {"not-claimed"}, outcomes
    assert len(outcomes["not-claimed"]) >= 8
    assert all(r.startswith("not claimed: feature placement") for r in outcomes["not-claimed"])
    assert not sent.exists(), sent.read_text()
