"""Sends and the input file over every input class (SBX-004.5, SBX-010, SBX-012, WIT-005):
``sends.json`` of every class, the input file's key order and headers, senders by
unsigned id bytes, and only the exact genesis or update ``mt`` failing a send.  Helpers:
:mod:`._sandbox_texts`.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, check_error_class, ok_answer, suite_premise
from ._sandbox_texts import (
    TO,
    Json,
    _class,
    _head_core,
    _interpreter,
    _program_actor,
    _run,
    _wit_run,
    near,
    near_ids,
)

pytestmark = pytest.mark.profile("sandbox")
OUTSIDE = "00" * 32


# --------------------------------------------------------------------------- SBX-004.5


def _sends_program(text: str) -> str:
    return f"open('/out/sends.json', 'w', encoding='utf-8').write({text!a})\n"


#: Header names and values of every valid class (names non-empty: OBJ-006.2).
HEADER_TEXTS = tc.samples("ascii", "mixed-case", "bmp", "astral", "nul")


@pytest.mark.req("SBX-004.5", "SBX-012.2", "ADP-019.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.req("ENC-014")
@pytest.mark.req("CONV-004")
def test_sends_json_of_every_class(impl: Implementation) -> None:
    """Header names and values of every valid class come back exactly — names that differ
    only in case are two headers, an empty value is a value —, written as raw UTF-8 or as
    ``\\u`` escapes (astral ones as surrogate pairs); ``data`` is strict base64.  A key
    other than ``to``, ``headers``, ``data`` (a near miss of one, of any class), a ``to``
    that is no text-form id, a header name or value with a lone surrogate, or ``data``
    that is no base64 → ``invalid-transition``."""
    headers = {name: HEADER_TEXTS[(i * 7 + 3) % len(HEADER_TEXTS)] for i, name in
               enumerate(HEADER_TEXTS)}  # fmt: skip
    headers["mt"] = ""
    payloads = [b"", b"\x00", bytes(range(256)), "中\U0001f600".encode()]
    sends: list[Json] = [
        {"to": TO, "headers": headers, "data": base64.b64encode(payloads[0]).decode()},
        *(
            {"to": OUTSIDE, "headers": {"mt": s, "MT": s.upper()},
             "data": base64.b64encode(p).decode()}
            for s, p in zip(("Mt", "\ue000\U00010000", "a\x00"), payloads[1:], strict=True)
        ),
        {"to": TO},
        {"to": TO, "headers": {}, "data": ""},
    ]  # fmt: skip
    want = [
        {"to": s["to"], "headers": s.get("headers", {}),
         "data": base64.b64decode(s.get("data", "")).hex()} for s in sends
    ]  # fmt: skip
    for ensure_ascii in (False, True):
        text = json.dumps(sends, ensure_ascii=ensure_ascii)
        got = _run(impl, "sends of every class", _sends_program(text))
        check_equal(
            "SBX-004.5",
            want,
            got["sends"],
            f"the sends of /out/sends.json ({'escaped' if ensure_ascii else 'raw UTF-8'}) "
            f"are not the declared ones, exactly: {got['sends']!r:.300}",
        )
    # an empty header name: text, so the run's answer keeps it as the reference does
    empty = _sends_program(json.dumps([{"to": TO, "headers": {"": "x", "a": ""}}]))
    reply = impl.call("sandbox-run", program=empty)
    known = reference_answer("sandbox-run", program=empty)
    suite_premise(known.ok, f"the reference runs the empty header name's program: {known}")
    want_sends = dict(known.result)["sends"]
    ran_empty = ok_answer(reply, "SBX-004.5", "a run whose send has an empty header name")
    check_equal(
        "SBX-004.5",
        want_sends,
        ran_empty["sends"],
        "the sends with an empty header name (the reference's)",
    )
    bad: list[str] = []
    for cls in tc.TEXT_CLASSES:
        for key in ("to", "headers", "data"):
            for miss in near(key, cls)[:2]:
                bad.append(
                    "[{" + json.dumps(miss) + ": " + json.dumps(TO) + "}]"
                    if key == "to"
                    else json.dumps([{"to": TO, miss: {} if key == "headers" else ""}])
                )
        for miss in near_ids(TO)[cls][:1]:
            bad.append(json.dumps([{"to": miss}]))
    for lone in ("\ud800", "a\udc00", "\udfff\ud800"):
        bad.append(json.dumps([{"to": TO, "headers": {"mt": lone}}]))
        bad.append(json.dumps([{"to": TO, "headers": {lone: "x"}}]))
    for data in ("AA==\n", " AA==", "ＡＡ==", "AA\U0001f600==", "AA\x00==", "A", "AA=", "-_8="):
        bad.append(json.dumps([{"to": TO, "data": data}]))
    for text in bad:
        got_class = _class(impl, _sends_program(text))
        check_error_class(
            "SBX-004.5",
            "invalid-transition",
            got_class,
            f"/out/sends.json {text!r:.120}: expected invalid-transition, got {got_class}",
        )


# --------------------------------------------------------------------------- SBX-010.4

#: Key sets whose code-point order differs from each wrong order's (one set per rule).
KEY_SETS = tc.separating_sets("codepoint")
WRONG_KEY_ORDERS = tc.wrong_rules("codepoint")
suite_premise(set(WRONG_KEY_ORDERS) == {
    "canonical", "utf16", "casefold", "signed-bytes", "length-first-codepoints",
    "length-first-utf16", "canonical-utf16", "canonical-casefold", "canonical-signed-bytes",
}, "the inputs markers below name these rules: update them")  # fmt: skip
#: Values of every valid class, and each character SBX-010.4 names.
VALUES = [*tc.samples(), '"', "\\", "\b\t\n\f\r", "\x7f\x1f\u0080\u2028", "\U0010ffff"]
PRINT_INPUT = "import sys\nsys.stdout.buffer.write(open('/input/transition.json', 'rb').read())\n"


def _canonical_json(value: Any) -> bytes:
    """SBX-010.4's bytes: sorted keys, no white space, ``\\u`` escapes beyond ASCII."""
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


@pytest.mark.req("SBX-010.4", "SBX-003.3", "ADP-019.2")
@pytest.mark.inputs(
    "ascii", "mixed-case", "bmp", "astral", "nul", "empty", "order:canonical", "order:utf16",
    "order:casefold", "order:signed-bytes", "order:length-first-codepoints",
    "order:length-first-utf16", "order:canonical-utf16", "order:canonical-casefold",
    "order:canonical-signed-bytes",
)  # fmt: skip
@pytest.mark.req("ENC-014")
def test_the_input_file_sorts_keys_of_every_class_by_code_point(impl: Implementation) -> None:
    """Messages whose keys, given in reverse order, sort otherwise under each wrong rule
    (UTF-16 units, case folding, signed bytes, length first …), nested, with values of
    every class: ``/input/transition.json`` is exactly the canonical JSON text."""
    suite_premise(
        all(
            any(tc.orders_differ(keys, "codepoint", rule) for keys in KEY_SETS)
            for rule in WRONG_KEY_ORDERS
        ),
        "every wrong key order sorts one of the key sets otherwise",
    )
    messages: list[Json] = []
    for index, keys in enumerate(KEY_SETS):
        ordered = list(reversed(tc.sort_by("codepoint", keys)))
        messages.append({k: VALUES[(index + i) % len(VALUES)] for i, k in enumerate(ordered)})
    everything = list(reversed(tc.sort_by("codepoint", KEY_SETS[-1])))
    messages.append({"\U0001f600": {k: [k, None, 1.5, -2, True] for k in everything},
                     "\uffff": VALUES, "": {}, "\x00": []})  # fmt: skip
    got = _run(impl, "messages of every class", PRINT_INPUT, messages=messages)
    want = _canonical_json({"format": "gritwit-sandbox/1", "core": None, "messages": messages})
    have = bytes.fromhex(got["stdout"])
    at = next((i for i, (a, b) in enumerate(zip(have, want, strict=False)) if a != b), None)
    check_equal(
        "SBX-010.4",
        want,
        have,
        "/input/transition.json is not the JSON text with keys sorted by code point and "
        f"non-ASCII as \\u escapes of UTF-16 units; first difference at byte "
        f"{at}: {have[max(0, (at or 0) - 40) :][:200]!r}",
    )


@pytest.mark.req("SBX-010.4", "SBX-010.2", "SBX-010.3", "ADP-019.7")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
@pytest.mark.req("CONV-004")
def test_the_input_file_of_a_transition_holds_headers_of_every_class(
    impl: Implementation,
) -> None:
    """An actor's transition receives messages whose ``mt`` is of every class (a lone
    surrogate is refused by ``wit-send``): the input file is exactly the canonical JSON of
    them, the mounted core's id and the contents' data in base64."""
    program = (
        "import os\nt = open('/input/transition.json', 'rb').read()\nopen('t', 'wb').write(t)\n"
    )
    runtime = call_ok(impl, "SBX-010.4", "wit-open")["runtime"]
    actor = call_ok(impl, "SBX-010.4", "wit-genesis", runtime=runtime, program=program)["actor"]
    stepped, failures = _wit_run(impl, runtime)
    check(
        "SBX-010.4",
        actor in stepped and not failures,
        expected=f"the genesis transition of {actor[:12]}… adopted, no failure",
        came=failures,
    )
    first = _head_core(impl, runtime, actor)["t"]["data"]
    mounted = g.object_id(g.Tree(entries={"t": g.object_id(g.Blob(data=bytes.fromhex(first)))}))
    mts = [v for cls in tc.VALID_CLASSES for v in near("ping", cls)]
    sent: list[Json] = []
    for index, mt in enumerate(mts):
        data = (mt.encode("utf-8") + bytes([index]) * index)[:40]
        reply = impl.call("wit-send", runtime=runtime, to=actor, mt=mt,
                          content={"blob": data.hex()})  # fmt: skip
        message = ok_answer(reply, "SBX-010.4", f"wit-send with mt {mt!a}")["message"]
        sent.append({"id": message, "from": OUTSIDE, "headers": {"mt": mt},
                     "content": g.object_id(g.Blob(data=data)).hex(),
                     "data": base64.b64encode(data).decode()})  # fmt: skip
    for lone in near("ping", "lone-surrogate"):
        reply = impl.call("wit-send", check=False, runtime=runtime, to=actor, mt=lone,
                          content={"blob": "00"})  # fmt: skip
        check_error_class(
            "SBX-010.4", "invalid-utf8", reply.error_class, f"wit-send with mt {lone!r}: {reply}"
        )
    stepped, failures = _wit_run(impl, runtime)
    check(
        "SBX-010.4",
        actor in stepped and not failures,
        expected=f"the transition of {actor[:12]}… reading the messages adopted, no failure",
        came=failures,
    )
    have = bytes.fromhex(_head_core(impl, runtime, actor)["t"]["data"])
    want = _canonical_json({"format": "gritwit-sandbox/1", "core": mounted.hex(), "messages": sent})
    check_equal(
        ("SBX-010.2", "SBX-010.4"),
        want,
        have,
        "the transition's /input/transition.json is not the canonical JSON of its messages "
        f"(SBX-010.2 … SBX-010.4): {have[:300]!r}",
    )
    impl.call("wit-close", runtime=runtime)


# --------------------------------------------------------------------------- SBX-010.2

#: Records, per transition, each message's sender and mt (one line each) in ``log``.
LOGGER = (
    "import json, os\nt = json.load(open('/input/transition.json'))\n"
    "log = open('log').read() if os.path.exists('log') else ''\n"
    "for m in t['messages']:\n"
    "    log += m['from'] + ' ' + ascii(m['headers'].get('mt')) + '\\n'\n"
    "open('log', 'w').write(log)\n"
)


def _sender_program(to: str, salt: int, mts: list[str]) -> str:
    sends = json.dumps([{"to": to, "headers": {"mt": mt}} for mt in mts])
    return f"# sender {salt}\n" + _sends_program(sends) + "open('sent', 'w').write('1')\n"


@pytest.mark.req("SBX-010.2", "WIT-005", "ADP-019.7")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
def test_senders_are_listed_by_unsigned_id_bytes(impl: Implementation) -> None:
    """Two actors whose ids start with a byte of 0x80 or more, and one below, send to a
    logger while the outside (64 zeros) sends too: ``messages`` lists the senders in
    ascending order of their ids' bytes, unsigned — signed bytes would put 0x80… before
    the outside and 0x7f… — each sender's oldest first.  The logger's id is above the
    senders', so one round runs the senders' geneses and then the logger, all pending."""
    held = _interpreter(impl, "SBX-010.2")
    salt = 0
    logger = _program_actor(LOGGER, held)
    while int(logger[:2], 16) < 0xF0:
        salt += 1
        logger = _program_actor(f"# logger {salt}\n" + LOGGER, held)
    runtime = call_ok(impl, "SBX-010.2", "wit-open")["runtime"]
    reply = impl.call("wit-genesis", runtime=runtime, program=f"# logger {salt}\n" + LOGGER
                      if salt else LOGGER)  # fmt: skip
    made = ok_answer(reply, "SBX-010.2", "wit-genesis of the logger")
    check_equal("SBX-010.2", logger, made["actor"], "the logger's id (its genesis core's)")
    stepped, failures = _wit_run(impl, runtime)
    check(
        "SBX-010.2",
        logger in stepped and not failures,
        expected="the logger's genesis transition adopted, no failure",
        came=failures,
    )
    tags: dict[str, list[str]] = {OUTSIDE: ["o-1", "o-2"]}
    programs: list[str] = []
    wanted = {"low": 1, "high": 2}
    while any(wanted.values()):
        salt += 1
        mts = [f"s{salt}-1", f"s{salt}-2"]
        program = _sender_program(logger, salt, mts)
        actor = _program_actor(program, held)
        kind = "high" if int(actor[:2], 16) >= 0x80 else "low"
        if wanted[kind] and actor < logger:
            wanted[kind] -= 1
            tags[actor] = mts
            programs.append(program)
    for mt in tags[OUTSIDE]:
        call_ok(
            impl, "SBX-010.2", "wit-send", runtime=runtime, to=logger, mt=mt, content={"blob": ""}
        )
    for program in programs:
        call_ok(impl, "SBX-010.2", "wit-genesis", runtime=runtime, program=program)
    stepped, failures = _wit_run(impl, runtime)
    check(
        "SBX-010.2",
        set(tags) - {OUTSIDE} <= stepped and logger in stepped and not failures,
        expected="the senders' geneses and the logger's transition adopted, no failure",
        came=lambda: f"stepped {sorted(stepped)}, failures {failures}",
    )
    log = bytes.fromhex(_head_core(impl, runtime, logger)["log"]["data"]).decode()
    order = sorted(tags, key=bytes.fromhex)
    # the ids' bytes compared as C `char`s (and length first, all 32 bytes) order otherwise
    signed = sorted(tags, key=lambda a: [b - 256 if b >= 128 else b for b in bytes.fromhex(a)])
    suite_premise(signed != order, "the senders' ids order otherwise as signed bytes")
    want = [f"{OUTSIDE} 'genesis'"] + [f"{sender} {t!a}" for sender in order for t in tags[sender]]
    check_equal(
        "SBX-010.2",
        want,
        log.splitlines(),
        "the transition's messages are not listed by sender in ascending order of the ids' "
        f"bytes (unsigned), each sender's oldest first:\n{log}\nexpected\n" + "\n".join(want),
    )
    impl.call("wit-close", runtime=runtime)


# --------------------------------------------------------------------------- SBX-012.3


@pytest.mark.req("SBX-012.3", "SBX-012.2", "SBX-004.5", "SBX-013.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.req("CONV-004")
def test_only_the_exact_mt_genesis_or_update_fails_a_send(impl: Implementation) -> None:
    """A program sends near misses of ``genesis`` and ``update`` of every class as
    ``mt``: the transition succeeds and the recipient receives each, exactly, in order.
    The exact words fail the transition → ``invalid-transition``; so does an ``mt``
    holding a lone surrogate (no text, SBX-004.5)."""
    mts = [m for cls in tc.VALID_CLASSES for w in ("genesis", "update") for m in near(w, cls)]
    mts = list(dict.fromkeys(mts))
    runtime = call_ok(impl, "SBX-012.3", "wit-open")["runtime"]
    logger = call_ok(impl, "SBX-012.3", "wit-genesis", runtime=runtime, program=LOGGER)["actor"]
    stepped, failures = _wit_run(impl, runtime)
    check(
        "SBX-012.3",
        logger in stepped and not failures,
        expected="the logger's genesis transition adopted, no failure",
        came=failures,
    )
    sender_program = _sender_program(logger, 0, mts)
    made = call_ok(impl, "SBX-012.3", "wit-genesis", runtime=runtime, program=sender_program)
    sender = made["actor"]
    refused = {}
    for index, mt in enumerate(["genesis", "update", *near("genesis", "lone-surrogate"),
                                *near("update", "lone-surrogate")]):  # fmt: skip
        program = _sender_program(logger, index + 1, ["ping", mt])
        made = call_ok(impl, "SBX-012.3", "wit-genesis", runtime=runtime, program=program)
        refused[made["actor"]] = mt
    stepped, failures = _wit_run(impl, runtime)
    check(
        "SBX-012.3",
        sender in stepped and logger in stepped,
        expected="the transitions of a program sending near misses of genesis and update (an "
        "mt fails a send by its exact bytes) and of their recipient adopted",
        came=failures,
    )
    for actor, mt in refused.items():
        check_error_class(
            ("SBX-012.3", "SBX-004.5"),
            "invalid-transition",
            failures.get(actor),
            f"a program sending mt {mt!r} must fail → invalid-transition (SBX-012.3, "
            f"SBX-004.5); got {failures.get(actor)!r}",
        )
    check_equal("SBX-012.3", set(refused), set(failures), f"other failures: {failures}")
    log = bytes.fromhex(_head_core(impl, runtime, logger)["log"]["data"]).decode()
    want = [f"{OUTSIDE} 'genesis'"] + [f"{sender} {mt!a}" for mt in mts]
    check_equal(
        "SBX-012.2",
        want,
        log.splitlines(),
        "the recipient did not receive exactly the declared mt values, in order: "
        f"{log.splitlines()[:6]} …",
    )
    impl.call("wit-close", runtime=runtime)
