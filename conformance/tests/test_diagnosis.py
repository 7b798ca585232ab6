"""Diagnosis, not only difference; the adapter's standard error of a failed test (ADP-020.7,
ADP-020.9).

* :func:`gritwit_conformance.diff.diagnose` says where an implementation's encoding first
  parts from the expected one, in words, and names the rule the reference's strict
  decoder finds it breaks (ENC-010 for keys out of order, ENC-007.2 for a long head);
  canonical bytes of another value name no rule;
* a failing test's diagnosis comes from its exchange (a codec answer against the
  reference's), from its message (the suite's own strict reading), or from the
  implementation's encoder when the test compared ids it computed — never blamed on the
  encoder for a test that compared none;
* the triage ranks diagnosed rules first and groups by them; a check that gives no words
  is grouped by the command whose answer it read, never as ``(…,``;
* a run against a Python adapter that sorts map keys as plain strings and writes to its
  standard error: every failure is diagnosed ENC-010, the report, JUnit, the terminal
  and ``gritwit replay`` carry the standard error; the reference, run alike, passes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import cbor2
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import gritwit as g
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.diff import Diagnosis, diagnose
from gritwit_conformance.harness._implementation import Subprocess
from gritwit_conformance.report import load_report
from gritwit_conformance.report._triage import first_difference_key, groups, triage_lines
from gritwit_conformance.runs._answers import compares_ids, diagnose_failure
from gritwit_conformance.runs._diagnoses import add_diagnoses, needs_encoder
from gritwit_conformance.runs._probe import encoder_diagnosis
from gritwit_conformance.runs._verdict import Outcome, Verdict

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]
#: What the wrong adapter says on its standard error at each encode, as a copy of the
#: Node example outside its clone did, when it looked for its test actors in the clone.
ENOENT = "cannot open /nowhere/actors/echo.wasm: ENOENT"
#: A Python adapter with the key-order bug of the Node copy: map keys sorted as plain
#: strings (code points, no length rule) in every encoding it answers, and a line on its
#: standard error at each encode.
PLAIN_KEYS = textwrap.dedent(
    f"""
    import sys

    import cbor2

    import gritwit as g
    from gritwit.adapter import ReferenceAdapter, serve


    def plain(value):
        if isinstance(value, dict):
            return {{key: plain(value[key]) for key in sorted(value)}}
        if isinstance(value, list):
            return [plain(item) for item in value]
        return value


    class KeysAsPlainStrings(ReferenceAdapter):
        def handle(self, request):
            answer = super().handle(request)
            if request.get("cmd") == "encode" and answer.get("ok"):
                print({ENOENT!r}, file=sys.stderr, flush=True)
                data = cbor2.dumps(plain(cbor2.loads(bytes.fromhex(answer["bytes"]))))
                answer = {{**answer, "bytes": data.hex(), "id": g.compute_id(data).hex()}}
            return answer


    serve(KeysAsPlainStrings())
    """
)
#: Two codec tests that encode objects whose keys a plain sort puts out of order.
TESTS = ("test_a_header_value_that_looks_like_an_id_stays_text", "test_encode_generated_objects")


def plain_order(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: plain_order(value[key]) for key in sorted(value)}
    return value


keys = st.text(st.characters(codec="utf-8"), min_size=1, max_size=6)


@given(st.dictionaries(keys, st.integers(0, 2**40), min_size=2, max_size=8))
@pytest.mark.req("ADP-020.9", "ENC-010")
def test_keys_sorted_as_plain_strings_are_diagnosed_enc_010(mapping: dict[str, Any]) -> None:
    expected = g.encode_value(mapping)
    came = cbor2.dumps(plain_order(mapping))
    assume(came != expected)  # a plain sort that happens to be canonical breaks nothing
    found = diagnose(expected, came)
    assert found is not None, "bytes that differ: a diagnosis, never None"
    assert found.rule == "ENC-010", f"expected the key-order rule ENC-010, came {found}"
    assert "at byte" in found.words and "as its key" in found.words, (
        f"expected the first difference in words (byte, key), came {found.words!r}"
    )
    assert "sorted as plain strings" in found.words, (
        f"expected the order the keys came in named, came {found.words!r}"
    )
    assert diagnose(expected, expected) is None, "equal bytes: no diagnosis"


@pytest.mark.req("ADP-020.9", "ENC-007.2")
def test_a_long_head_and_another_value_are_told_apart() -> None:
    # [5] canonically; the same 5 in a two-byte head; then a canonical [6]
    long_head = diagnose(bytes.fromhex("8105"), bytes.fromhex("811805"))
    assert long_head is not None and long_head.rule == "ENC-007.2", (
        f"expected ENC-007.2 for a non-shortest head, came {long_head}"
    )
    assert "has the head 1805 where the expected encoding has 05" in long_head.words, (
        f"expected both heads shown, came {long_head.words!r}"
    )
    other = diagnose(bytes.fromhex("8105"), bytes.fromhex("8106"))
    assert other is not None and other.rule is None, (
        f"expected no rule for canonical bytes of another value, came {other}"
    )
    assert "expected unsigned 5, came unsigned 6" in other.words and "canonical" in other.words


def _record(reason: str, exchanges: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    return reason, {"dropped": 0, "exchanges": exchanges}


BLOB = {"type": "blob", "headers": {"c": "1", "bb": "2"}, "data": ""}


def _plain_encode(description: dict[str, Any]) -> str:
    canonical = g.encode_object(g.object_from_json(description))
    return str(cbor2.dumps(plain_order(cbor2.loads(canonical))).hex())


@pytest.mark.req("ADP-020.9", "ENC-010")
def test_a_failures_diagnosis_comes_from_its_exchange_its_message_or_the_encoder() -> None:
    came = _plain_encode(BLOB)
    oid = g.compute_id(bytes.fromhex(came)).hex()
    encode = {
        "request": {"seq": 7, "cmd": "encode", "object": BLOB},
        "answer": {"seq": 7, "ok": True, "bytes": came, "id": oid},
    }
    found = diagnose_failure(*_record("KeyError: 'object'", [encode]))
    assert found is not None and found.rule == "ENC-010" and found.source == "answer", found
    assert "the answer to encode (exchange 1)" in found.words, found.words
    # a stored object's bytes (wit-object) the strict decoder refuses
    stored = {
        "request": {"seq": 8, "cmd": "wit-object", "runtime": "w1", "id": "ab" * 32},
        "answer": {"seq": 8, "ok": True, "bytes": came},
    }
    found = diagnose_failure(*_record("step ids differ", [stored]))
    assert found is not None and found.rule == "ENC-010", found
    # the suite's own reading in the message, never the adapter's words
    reading = "got  fa95… (undecodable: [ENC-010] unsorted-keys: map key 'type' is out of order"
    assert diagnose_failure(reading, None) == Diagnosis(
        rule="ENC-010",
        words="the test read the implementation's bytes with the reference's strict decoder, "
        "which refuses the bytes that came: unsorted-keys (ENC-010): map key 'type' is out "
        "of order",
        source="message",
    )
    adapters_words = '<answer to decode: {"ok":false,"error":{"message":"[ENC-010] x"}}>'
    assert diagnose_failure(adapters_words, None) is None, "the adapter's words choose nothing"
    quoted = "ids differ\nits answer:   {'message': 'undecodable: [ENC-010] unsorted-keys: x'}"
    assert diagnose_failure(quoted, None) is None, "nor do they on the line that quotes them"


class _Answer:
    """An implementation's answer as the probe reads it: ``ok`` and ``result``."""

    def __init__(self, answer: dict[str, Any]) -> None:
        self.ok, self.result = answer["ok"], answer


def _reference_call(cmd: str, **args: Any) -> _Answer:
    return _Answer(ReferenceAdapter().handle({"seq": 1, "cmd": cmd, **args}))


def _plain_keys_call(cmd: str, **args: Any) -> _Answer:
    answer = _reference_call(cmd, **args)
    if cmd == "encode" and answer.ok:
        answer.result["bytes"] = _plain_encode(args["object"])
    return answer


@pytest.mark.req("ADP-020.9", "ENC-010", "ID-001")
def test_the_encoders_fault_is_given_only_to_tests_that_compared_its_ids() -> None:
    encoder = encoder_diagnosis(_plain_keys_call)
    assert encoder is not None and encoder.rule == "ENC-010" and encoder.source == "encoder", (
        f"expected the probe to find ENC-010 in a plain-string key order, came {encoder}"
    )
    assert encoder_diagnosis(_reference_call) is None, "the reference's encoder: no fault"
    sent = {
        "request": {"seq": 3, "cmd": "wit-send", "runtime": "w1"},
        "answer": {"seq": 3, "ok": True, "message": "cd" * 32},
    }
    assert compares_ids([sent])
    found = diagnose_failure(*_record("message ids differ", [sent]), encoder)
    assert found is not None and found.rule == "ENC-010", found
    assert "compares ids or encodings the implementation computed" in found.words
    named = f"rt-genesis answers {'ef' * 32}, not its core's id (WIT-002)"
    found = diagnose_failure(named, None, encoder)
    assert found is not None and found.rule == "ENC-010", "an id in the message: compared"
    closed = {"request": {"seq": 4, "cmd": "store-close"}, "answer": {"seq": 4, "ok": True}}
    assert not compares_ids([closed])
    assert diagnose_failure(*_record("store not closed", [closed]), encoder) is None, (
        "a failure that compared no id is not blamed on the encoder"
    )


@pytest.mark.req("ADP-020.9", "ENC-010", "OBJ-016")
def test_a_refusal_where_key_order_decides_waits_for_the_encoders_finding() -> None:
    # Names "a" and "/a": the plain order checks "/a" (invalid-name) first, the
    # canonical one "a", whose id is short (invalid-id): the implementation refuses for
    # another rule because it checks in its own key order.
    tree = {"type": "tree", "entries": {"a": "01" * 31, "/a": "a1" * 32}}
    refused = {
        "request": {"seq": 2, "cmd": "encode", "object": tree},
        "answer": {"seq": 2, "ok": False, "error": {"class": "invalid-name"}},
    }
    other = {
        "request": {"seq": 2, "cmd": "store-close", "store": "s1"},
        "answer": {"seq": 2, "ok": False, "error": {"class": "bad-request"}},
    }
    records = {
        name: Verdict(
            test=name,
            outcome=Outcome.FAILED,
            message="expected invalid-id",
            exchange=json.dumps({"dropped": 0, "exchanges": [entry]}),
        )
        for name, entry in (("order", refused), ("other", other))
    }
    add_diagnoses(records, None)
    first = records["order"].diagnosis or {}
    assert first.get("rule") == "OBJ-005", f"expected the reference's rule first, came {first}"
    assert records["other"].diagnosis is None, "nothing to diagnose in a store-close"
    assert needs_encoder(records), "the refusal depends on key order: the probe may tell"
    add_diagnoses(records, encoder_diagnosis(_plain_keys_call))
    second = records["order"].diagnosis or {}
    assert second.get("rule") == "ENC-010", f"expected the key order named, came {second}"
    assert "checks made in another key order" in second["words"], second["words"]
    assert records["other"].diagnosis is None, "the encoder is not blamed for it"
    del records["order"]
    assert not needs_encoder(records), "a failure that compared no id asks for no probe"


def _result(test: str, reason: str, diagnosis: dict[str, Any] | None = None) -> dict[str, Any]:
    record = {"id": test, "requirements": ["OBJ-018.1"], "outcome": "failed", "reason": reason}
    return record | ({"diagnosis": diagnosis} if diagnosis else {})


@pytest.mark.req("ADP-020.9")
def test_triage_ranks_and_groups_by_diagnosis_and_names_wordless_checks() -> None:
    words = "at byte {0}, the map at $ has …; the reference's strict decoder refuses the "
    words += "bytes that came: unsorted-keys at byte {0} (ENC-010): map key {1!r} is out of "
    words += "canonical order"
    results = [
        _result(
            f"t{i}",
            f"({i}, <answer to encode: …>)",
            {"rule": "ENC-010", "words": words.format(i, key), "source": "answer"},
        )
        for i, key in enumerate(("type", "c", "headers"))
    ]
    results.append(
        _result("u1", 'KeyError: \'object\'\nlast request: {"seq":1,"cmd":"decode","bytes":"00"}')
    )
    results.append(
        _result(
            "u2",
            "AssertionError: ('header-name', <answer to wit-send: {\"ok\":true}>)\n"
            "assert (True and 'a' == 'b'",
        )
    )
    lines = triage_lines({"results": results})
    assert lines[0] == "triage: diagnosed causes by failing tests: ENC-010 ×3, (undiagnosed) ×2", (
        lines
    )
    keys = [key for key, _ in groups(results)]
    assert keys[0] == "diagnosed ENC-010: unsorted-keys in the implementation's bytes", keys
    assert not any(key.startswith(("(", "KeyError")) for key in keys), keys
    assert first_difference_key(results[3]["reason"]).startswith(
        "the answer to decode lacks a field the test read"
    )
    assert first_difference_key(results[4]["reason"]) == (
        "the answer to wit-send failed a check that gives no words of its own"
    )


@pytest.mark.req("ADP-020.7")
def test_a_tests_standard_error_is_what_the_adapter_wrote_during_it(tmp_path: Path) -> None:
    script = tmp_path / "loud.py"
    script.write_text(
        "import sys\nfrom gritwit.adapter import ReferenceAdapter, serve\n"
        "class Loud(ReferenceAdapter):\n"
        "    def handle(self, request):\n"
        "        print('said at', request.get('cmd'), file=sys.stderr, flush=True)\n"
        "        return super().handle(request)\n"
        "serve(Loud())\n",
        encoding="utf-8",
    )
    impl = Subprocess(f"{sys.executable} {script}")
    try:
        impl.call("hash", bytes="00")
        impl.reset()  # a new test starts
        assert impl.stderr_of_test() == "", "nothing written since the test started"
        impl.call("id", bytes="a0")
        assert impl.stderr_of_test() == "said at id\n", (
            f"expected only this test's line, came {impl.stderr_of_test()!r}"
        )
        impl.kill()  # a test that restarts the adapter keeps both processes' lines
        impl.call("decode-value", bytes="00")
        assert impl.stderr_of_test() == "said at id\nsaid at hello\nsaid at decode-value\n"
    finally:
        impl.close()


def gritwit(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GRITWIT, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def _run(tmp_path: Path, impl: str, name: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path / name
    selection = [arg for test in TESTS for arg in ("--test", test)]
    done = gritwit(
        tmp_path, "conform", "--impl", impl, "--profile", "codec", *selection, "--out", str(out)
    )
    return done, out


@pytest.mark.slow
@pytest.mark.req("ADP-020.7", "ADP-020.9", "ENC-010", "ADP-020.4", "ADP-020.6")
def test_a_key_order_bug_is_diagnosed_and_its_stderr_reported(tmp_path: Path) -> None:
    script = tmp_path / "plain_keys.py"
    script.write_text(PLAIN_KEYS, encoding="utf-8")
    done, out = _run(tmp_path, f"{sys.executable} {script}", "plain")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    load_report(out.with_suffix(".json"))  # valid against report.schema.json
    document = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    failing = [r for r in document["results"] if r["outcome"] == "failed"]
    assert len(failing) == len(TESTS), [r["id"] for r in failing]
    for record in failing:
        diagnosis = record.get("diagnosis") or {}
        assert diagnosis.get("rule") == "ENC-010", (
            f"{record['id']}: expected a diagnosis naming ENC-010, came {diagnosis}"
        )
        assert "sorted as plain strings" in diagnosis["words"], diagnosis["words"]
        assert ENOENT in record.get("stderr", ""), (
            f"{record['id']}: expected the adapter's standard error, came {record.get('stderr')!r}"
        )
    assert "diagnosis (ENC-010): " in done.stdout, done.stdout[-3000:]
    assert "adapter stderr (1 lines, in the report):" in done.stdout and ENOENT in done.stdout
    assert "triage: diagnosed causes by failing tests: ENC-010 ×2" in done.stdout
    cases = ET.parse(out.with_suffix(".xml")).getroot().iter("testcase")
    errs = [case.find("system-err") for case in cases if case.find("failure") is not None]
    assert len(errs) == 2 and all(e is not None and ENOENT in (e.text or "") for e in errs)
    # the HTML page and the site show the diagnosis with the test, the page the stderr too
    page = tmp_path / "page.html"
    assert (
        gritwit(tmp_path, "report", str(out.with_suffix(".json")), "-o", str(page)).returncode == 0
    )
    html = page.read_text(encoding="utf-8")
    assert '<p class="diagnosis">diagnosis (ENC-010): ' in html and ENOENT in html
    site = tmp_path / "site"
    assert gritwit(tmp_path, "site", str(out.with_suffix(".json")), "-o", str(site)).returncode == 0
    pages = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))
    assert '<p class="diagnosis">diagnosis (ENC-010): ' in pages, "the site shows the diagnosis"
    # replay: the run's standard error and diagnosis, and the replay's own standard error
    replayed = gritwit(tmp_path, "replay", str(out.with_suffix(".json")), TESTS[0])
    assert replayed.returncode == 1, replayed.stdout + replayed.stderr
    assert "in the run: diagnosis (ENC-010): " in replayed.stdout, replayed.stdout
    assert "adapter stderr in the run (1 lines):" in replayed.stdout, replayed.stdout
    assert "adapter stderr during the replay" in replayed.stdout, replayed.stdout
    assert replayed.stdout.count(ENOENT) == 2, replayed.stdout
    # the control: the reference, run alike, passes; nothing to diagnose
    control, out = _run(tmp_path, "reference", "reference")
    assert control.returncode == 0, control.stdout[-3000:]
    assert "diagnosis" not in out.with_suffix(".json").read_text(encoding="utf-8")
