"""Failure messages are bounded and the same everywhere; known failures match report ids.

* A failure message never carries a 16 MiB answer: long byte strings are cut to
  their first bytes and their length, the message is capped, and the text is the
  same in the terminal summary, the JSON report, JUnit and the HTML page.  It
  names the command and its arguments in protocol form.  Acceptance: an adapter
  that answers the size-limit test with the whole 16 MiB value yields a JUnit
  file under 1 MB.
* ``known_failures`` entries (ADP-005.3) match the test ids the report prints, in
  the forms the guide shows; an entry that matches nothing is reported as stale.
"""

from __future__ import annotations

import html
import json
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.harness._messages import (
    MESSAGE_LIMIT,
    Response,
    bound_message,
    protocol_form,
    visible_text,
)
from gritwit_conformance.runs._conform import SUITE_DIR, _failures
from gritwit_conformance.runs._run_report import known_failure_matches, render_summary

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]
#: Acceptance: the JUnit file of a run with a 16 MiB wrong answer stays under this.
JUNIT_LIMIT = 1_000_000
MIB16 = 16 * 1024 * 1024

#: Answers every codec command "ok", echoing what it got: wrong for anything over 16 MiB.
NO_LIMIT = r"""
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    seq, cmd = r["seq"], r["cmd"]
    if cmd == "hello":
        a = {"protocol": 1, "profiles": ["codec"], "implementation": {"name": "no-limit",
             "version": "0", "language": "python", "homepage": "", "spec": "0.1.0"}}
    elif cmd == "decode-value":
        a = {"bytes": r["bytes"]}
    elif cmd == "encode":
        a = {"bytes": r["object"]["data"], "id": "00" * 32}
    elif cmd == "shutdown":
        a = {}
    else:
        a = None
    out = {"seq": seq, "ok": a is not None, **(a or {})}
    if a is None:
        out["error"] = {"class": "unsupported-command", "message": cmd}
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()
    if cmd == "shutdown":
        break
"""

#: The reference over stdio, declaring known failures in its handshake.
WITH_KNOWN = r"""
import sys
from gritwit.adapter import ReferenceAdapter, serve

KNOWN = [
    {"test": "test_protocol.py::test_unknown_request_fields_are_ignored", "reason": "guide form"},
    {"test": "suite/protocol/test_protocol.py::test_handshake", "reason": "report id form"},
    {"test": "test_a_test_that_was_renamed", "reason": "stale"},
]


class Known(ReferenceAdapter):
    def handle(self, request):
        answer = super().handle(request)
        if request.get("cmd") == "hello" and answer.get("ok"):
            answer["known_failures"] = KNOWN
        return answer


sys.exit(serve(Known()))
"""


def run_suite(
    tmp_path: Path, script: str, *tests: str, options: tuple[str, ...] = ()
) -> tuple[dict[str, Any], Path, str]:
    """``pytest --impl`` on some suite tests, the way ``gritwit conform`` runs it."""
    adapter = tmp_path / "adapter.py"
    adapter.write_text(script, encoding="utf-8")
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    json_path, junit = tmp_path / "out.json", tmp_path / "out.xml"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(SUITE_DIR.parent),
         "-p", "no:cacheprovider", "-q", "--tb=no",
         "--impl", shlex.join([sys.executable, str(adapter)]), "--gritwit-timeout", "60",
         "--gritwit-json", str(json_path), "--junitxml", str(junit), *options,
         *(str(SUITE_DIR / t) for t in tests)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert json_path.is_file(), done.stdout + done.stderr
    return json.loads(json_path.read_text("utf-8")), junit, done.stdout + done.stderr


@pytest.mark.req("ENC-013.1", "ENC-013.2", "CONV-004")
def test_a_16_mib_wrong_answer_gives_a_small_readable_report(tmp_path: Path) -> None:
    document, junit, _ = run_suite(
        tmp_path, NO_LIMIT, "codec/test_differential.py::test_size_limit"
    )
    size = junit.stat().st_size
    assert size < JUNIT_LIMIT, f"JUnit file of {size} bytes"
    (record,) = document["results"]
    assert record["outcome"] == "failed", record
    reason = record["reason"]
    assert len(reason) <= MESSAGE_LIMIT
    assert "decode-value" in reason, "the message does not name the command"
    assert f"…({MIB16 + 1} bytes)" in reason, "the cut byte string does not say its length"
    assert '"cmd":"decode-value","bytes":"' in reason, "no request in protocol form"
    assert not re.search(r"[0-9a-f]{200}", reason), "a long hex run was left in the message"
    # JUnit carries the very same text.
    failure = ET.parse(junit).getroot().find(".//failure")
    assert failure is not None and failure.text == reason
    # The terminal summary prints the first lines of that text, unchanged.
    printed = [line.strip() for line in _failures(document, 10)]
    assert reason.splitlines()[0].strip() in printed
    # The HTML page shows it whole.
    page = tmp_path / "page.html"
    subprocess.run(
        [*GRITWIT, "report", str(tmp_path / "out.json"), "-o", str(page)], check=True, timeout=120
    )
    assert html.escape(reason, quote=True) in page.read_text("utf-8")


@pytest.mark.req("ADP-005.3")
def test_known_failures_match_report_ids_and_stale_entries_are_reported(tmp_path: Path) -> None:
    document, _, _ = run_suite(tmp_path, WITH_KNOWN, "protocol/test_protocol.py")
    outcomes = {r["id"].rsplit("::", 1)[-1]: r["outcome"] for r in document["results"]}
    # Both tests pass on the reference: a matching entry turns them into unexpected passes.
    assert outcomes["test_unknown_request_fields_are_ignored"] == "unexpected-pass", outcomes
    assert outcomes["test_handshake"] == "unexpected-pass", outcomes
    assert document.get("staleKnownFailures") == [
        {"test": "test_a_test_that_was_renamed", "reason": "stale"}
    ]
    summary = render_summary(document)
    assert "stale known failure 'test_a_test_that_was_renamed'" in summary
    # The report with its new field is a valid report.
    from gritwit_conformance.report import load_report

    assert load_report(tmp_path / "out.json").stale_known_failures == (
        ("test_a_test_that_was_renamed", "stale"),
    )


#: A known failure naming a test the smoke run leaves out (it is no smoke test).
NOT_SMOKE = "test_vectors_were_found"
BOTH = ("protocol/test_protocol.py", f"codec/test_vectors.py::{NOT_SMOKE}")


@pytest.mark.req("ADP-005.3")
def test_a_smoke_run_calls_no_known_failure_stale(tmp_path: Path) -> None:
    """A narrowed run leaves tests out: an entry naming one is not stale, only unjudged."""
    script = WITH_KNOWN.replace(
        '    {"test": "test_a_test_that_was_renamed", "reason": "stale"},',
        f'    {{"test": "{NOT_SMOKE}", "reason": "not smoke"}},',
    )
    assert NOT_SMOKE in script
    for name in ("whole", "smoke"):
        (tmp_path / name).mkdir()
    whole, _, _ = run_suite(tmp_path / "whole", script, *BOTH)
    assert NOT_SMOKE in {r["id"].rsplit("::", 1)[-1] for r in whole["results"]}
    assert "staleKnownFailures" not in whole  # the entry names a test of the run
    smoke, _, output = run_suite(tmp_path / "smoke", script, *BOTH, options=("--gritwit-smoke",))
    assert NOT_SMOKE not in {r["id"].rsplit("::", 1)[-1] for r in smoke["results"]}, output
    assert "staleKnownFailures" not in smoke, smoke.get("staleKnownFailures")
    assert "stale known failure" not in render_summary(smoke)


TEST_ID = "suite/store/test_store.py::test_corruption_is_detected_on_read[memory]"


@pytest.mark.req("ADP-005.3")
@pytest.mark.parametrize(
    ("entry", "matches"),
    [
        (TEST_ID, True),
        ("suite/store/test_store.py::test_corruption", True),
        ("store/test_store.py::test_corruption_is_detected_on_read", True),
        ("test_store.py::test_corruption_is_detected_on_read", True),  # the guide's form
        ("test_corruption_is_detected_on_read", True),  # the test's name
        ("suite/store/", True),
        ("test_store.py", True),
        ("", False),
        ("test_store_boundaries.py::test_corruption", False),
        ("suite/codec/test_store.py::test_corruption", False),
        ("ore/test_store.py::test_corruption", False),  # not at a directory boundary
        ("detected_on_read", False),  # not a prefix of anything
        ("test_store.py::test_corruption_is_detected_on_read[sqlite]", False),
    ],
)
def test_known_failure_matching(entry: str, matches: bool) -> None:
    assert known_failure_matches(entry, TEST_ID) is matches


@pytest.mark.req("CONV-004")
@given(
    st.lists(
        st.one_of(
            st.text(max_size=200),
            st.integers(1, 40_000).map(lambda n: "ab" * n),
            st.integers(1, 5_000).map(lambda n: "\\x00" * n),
            st.integers(1, 3_000).map(lambda n: '{"a":[1,2]}' * n),
        ),
        max_size=12,
    )
)
def test_bound_message_is_bounded(parts: list[str]) -> None:
    text = " ".join(parts)
    bounded = bound_message(text)
    assert len(bounded) <= MESSAGE_LIMIT
    assert not re.search(r"[0-9a-fA-F]{129}", bounded)
    shown = visible_text(text)  # controls and lone surrogates become escapes, always
    if len(shown) <= MESSAGE_LIMIT and not re.search(r"[0-9a-fA-F]{129}|\S{1501}", shown):
        assert bounded == shown, "a short message must be left alone"


@pytest.mark.req("CONV-004")
def test_a_diff_survives_next_to_a_huge_token() -> None:
    """Long tokens are cut first: a few dozen lines of structural diff stay whole."""
    diff = "\n".join(f"  entries/{i}/name: expected 'a{i}', got 'b{i}'" for i in range(40))
    text = f"encode answered {'00' * MIB16}\n{diff}"
    bounded = bound_message(text)
    assert diff in bounded and f"…({MIB16} bytes)" in bounded


def test_a_response_shows_its_command_in_protocol_form() -> None:
    answer = Response(seq=7, ok=True, result={"bytes": "ff" * MIB16}, cmd="encode")
    shown = repr(answer)
    assert shown.startswith("<answer to encode: ") and len(shown) < 300
    assert f'{{"seq":7,"ok":true,"bytes":"{"ff" * 32}…({MIB16} bytes)"}}' in shown
    assert protocol_form({"cmd": "put", "bytes": "0" * 300}).endswith('…(150 bytes)"}')


def test_a_protocol_form_answer_of_a_kilobyte_stays_whole() -> None:
    """Compact JSON has no spaces: the long-token rule must not eat an ordinary answer."""
    events = [{"event": "restored", "actor": f"{i:064x}", "reason": "message"} for i in range(8)]
    answer = Response(seq=1, ok=True, result={"events": events}, cmd="rt-events")
    text = f"events differ\nits answer: {answer!r}"
    assert len(repr(answer)) > 800 and bound_message(text) == text


@pytest.mark.req("ADP-003", "CONV-004")
def test_expect_ok_returns_the_result_or_names_request_and_answer() -> None:
    """``Response.expect_ok`` (the suite's one "must succeed" helper): the result of an
    ``ok`` answer as a new dict; any other answer fails naming where, the request as
    sent (long values cut) and the answer."""
    good = Response(seq=1, ok=True, result={"id": "ab"}, cmd="put", request={"bytes": "00"})
    got = good.expect_ok()
    assert got == {"id": "ab"} and got is not good.result
    bad = Response(
        seq=2,
        ok=False,
        error={"class": "not-found", "message": "no such object"},
        cmd="get",
        request={"store": "s", "id": "ab" * MIB16},
    )
    with pytest.raises(AssertionError) as caught:
        bad.expect_ok("reading back")
    text = str(caught.value)
    assert text.startswith('reading back: expected success of {"cmd":"get","store":"s"')
    assert f"…({MIB16} bytes)" in text and "not-found" in text and "<answer to get:" in text
    assert len(text) < 1000
