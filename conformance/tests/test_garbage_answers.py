"""An adapter that answers garbage is *errored* in every test, never *failed* (ADP-001.4).

The adapter here shakes hands properly and then answers every request with a line
that is no JSON.  The tests that write raw lines to a separate process (the
precedence and input-class tests of ``suite/protocol``, ``rt-open`` with a number
past the largest) read those answers themselves: each must report the adapter's
break as the harness's transport does, *errored* with ADP-001.4, naming the request
that got the answer (not the handshake's ``hello``).
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]

GARBAGE = r"""
import json, sys

HELLO = {"protocol": 1, "profiles": ["codec", "store", "runtime"], "implementation": {
    "name": "garbage", "version": "0", "language": "python", "homepage": "", "spec": "0.3.0"}}
for line in sys.stdin:
    try:
        request = json.loads(line)
    except ValueError:
        request = {}
    if request.get("cmd") == "hello":
        print(json.dumps({"seq": request["seq"], "ok": True, **HELLO}), flush=True)
    elif request.get("cmd") == "shutdown":
        print(json.dumps({"seq": request["seq"], "ok": True}), flush=True)
        break
    else:
        print("Traceback (most recent call last): oops", flush=True)
"""


@pytest.mark.req("ADP-001.4", "ADP-012", "ADP-020.1")
def test_garbage_answers_are_errored_in_the_raw_line_tests(tmp_path: Path) -> None:
    script = tmp_path / "garbage_adapter.py"
    script.write_text(GARBAGE, encoding="utf-8")
    out = tmp_path / "out"
    done = subprocess.run(
        [
            *GRITWIT,
            "conform",
            "--impl",
            shlex.join([sys.executable, str(script)]),
            "--out",
            str(out),
            "--timeout-scale",
            "1",
            "--test",
            "test_precedence.py::test_a_line_that_repeats_a_key",
            "--test",
            "test_results_are_members_of_the_response_itself",
            "--test",
            "test_a_key_of_any_class_repeated_is_a_bad_request",
            "--test",
            "test_answers_holding_text_of_every_class_are_one_line",
            "--test",
            "test_rt_open_seconds.py",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    report = json.loads((out.with_suffix(".json")).read_text(encoding="utf-8"))
    ran = [r for r in report["results"] if r["outcome"] not in ("skipped", "not-claimed")]
    assert len(ran) >= 10, done.stdout + done.stderr
    wrong = [(r["id"], r["outcome"], r["reason"][:300]) for r in ran if r["outcome"] != "errored"]
    assert not wrong, wrong
    raw = [r for r in ran if "/protocol/test_precedence.py" in r["id"] or "seconds" in r["id"]]
    assert raw, [r["id"] for r in ran]
    for record in ran:
        assert "ADP-001.4" in record["requirements"], record
        assert "is not JSON" in record["reason"], record
        assert '"cmd":"hello"' not in record["reason"], record["reason"]
    for record in raw:
        assert "\nrequest: " in record["reason"], record["reason"]
