"""Programs and the interpreter's name over every input class (SBX-001, SBX-002, ADP-019):
a program of every class is run and stored as UTF-8, near misses of the interpreter and
sandbox headers fail ``unknown-wit``, the interpreter is named by chunks of exactly 8 MiB.
Helpers: :mod:`._sandbox_texts`.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation

from .._check import (
    SuiteBug,
    call_ok,
    check,
    check_equal,
    error_answer,
    ok_answer,
    suite_premise,
)
from ._runs import check_class
from ._sandbox_texts import (
    TO,
    _class,
    _headers,
    _interpreter,
    _needs_interpreter,
    _program_actor,
    _run,
    _wit_run,
    near,
    near_ids,
)

pytestmark = pytest.mark.profile("sandbox")
CHUNK = 8 * 1024 * 1024


def _quotable(s: str) -> bool:
    """Text that can stand between single quotes of Python source as it is."""
    return tc.is_valid_text(s) and not any(c in s for c in "'\\\n\r\x00\x0b\x0c\x1c\x1d\x1e")


# --------------------------------------------------------------------------- SBX-001.2


#: Samples of every valid class that stand in a string literal unescaped.
LITERALS = [s for s in tc.samples("ascii", "mixed-case", "bmp", "astral") if _quotable(s)]


@pytest.mark.req("SBX-001.2", "SBX-003.2", "ADP-019.3", "ADP-019.7")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.req("ADP-004.11", "ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_a_program_of_every_class_is_run_and_stored_as_utf8(impl: Implementation) -> None:
    """The source, characters of every class written as they are (no escapes), is
    ``/input/main.py`` in UTF-8 and, through ``wit-genesis``, the ``wit`` blob's data."""
    body = "S = [\n" + "".join(f"    '{s}',\n" for s in LITERALS) + "]\n"
    program = (
        "# Grüße, 中文, \ufeff\ue000\uffff, \U0001f600 — a comment of every class\n"
        + body
        + "import hashlib\n"
        "print(hashlib.sha256(open('/input/main.py', 'rb').read()).hexdigest())\n"
        "for s in S:\n    print(s.encode('utf-8').hex())\n"
    )
    got = _run(impl, "a program of every class", program)
    want = [hashlib.sha256(program.encode("utf-8")).hexdigest()]
    want += [s.encode("utf-8").hex() for s in LITERALS]
    lines = bytes.fromhex(str(got.get("stdout", ""))).decode("utf-8", "replace").splitlines()
    check_equal(
        ("SBX-001.2", "SBX-003.2"),
        want,
        lines,
        "the program's lines: the SHA-256 of /input/main.py and its literals of every class, "
        "each the source's UTF-8",
    )
    empty = _run(impl, "the empty program", "")
    check_equal(
        "SBX-001.2",
        {"stdout": "", "core": None, "sends": []},
        {key: empty.get(key) for key in ("stdout", "core", "sends")},
        "the run of the empty program: a program that does nothing",
    )
    # NUL: text, but no Python source (CPython refuses it); the class is the reference's
    for source in ("print(1)\x00", "x = '\x00'\nprint(1)\n"):
        expected = reference_answer("sandbox-run", program=source).error_class
        suite_premise(expected is not None, "the reference refuses a program holding NUL")
        check_class(
            "SBX-001.2",
            expected,
            _class(impl, source),
            f"a program holding NUL {source!r}, as the reference answers",
        )
    # a lone surrogate is no text: no UTF-8 program (ADP-019.3, ADP-004.11)
    for source in ("print('\ud800')", "# \udc00\nprint(1)"):
        reply = impl.call("sandbox-run", check=False, program=source)
        error_answer(
            reply,
            ("ADP-019.3", "ADP-004.11"),
            "bad-request",
            f"sandbox-run of a program holding a lone surrogate {source!r}",
        )

    held = _interpreter(impl, "SBX-001.2")
    runtime = call_ok(impl, "ADP-019.7", "wit-open")["runtime"]
    for source in [program, "", "print(1)\x00", *(f"print('{s}')" for s in LITERALS[::4])]:
        reply = impl.call("wit-genesis", runtime=runtime, program=source)
        made = ok_answer(reply, "ADP-019.7", f"wit-genesis of {source[:40]!r}")
        check_equal(
            ("ADP-019.7", "SBX-001.2"),
            _program_actor(source, held),
            made.get("actor"),
            f"the actor wit-genesis of {source[:40]!r} made: the core whose wit is the "
            "program's UTF-8 with the three headers",
        )
    for source in ("print('\ud800')", "\udfff"):
        reply = impl.call("wit-genesis", check=False, runtime=runtime, program=source)
        error_answer(
            reply,
            "ADP-004.11",
            "bad-request",
            f"wit-genesis of a program holding a lone surrogate {source!r}",
        )
    impl.call("wit-close", runtime=runtime)


# --------------------------------------------------------------------------- SBX-001.3/4


@pytest.mark.req("SBX-001.3", "SBX-001.4", "SBX-002.1", "ADP-019.3", "ADP-004.8")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.req("ADP-004.10", "OBJ-006.2")
@pytest.mark.req("CONV-004")
def test_near_misses_of_the_interpreter_and_sandbox_headers_fail_unknown_wit(
    impl: Implementation,
) -> None:
    """Only the exact text-form id of the interpreter held and the exact value ``1`` run;
    every near miss of either, of every class, fails the transition → ``unknown-wit``, and
    so does a header whose *name* is a near miss (then there is no such header)."""
    held = _interpreter(impl, "SBX-001.3")
    good = _headers(held)
    cases: dict[str, dict[str, str]] = {}
    refused: list[dict[str, str]] = []
    for cls, ids in near_ids(held).items():
        for value in ids:
            if cls == "lone-surrogate":
                refused.append({**good, "interpreter": value})
            else:
                cases[f"interpreter {value!r}"] = {**good, "interpreter": value}
    for cls in tc.TEXT_CLASSES:
        for value in near("1", cls):
            headers = {**good, "sandbox": value}
            if cls == "lone-surrogate":
                refused.append(headers)
            else:
                cases[f"sandbox {value!r}"] = headers
        for name in near("sandbox", cls)[:3] + near("interpreter", cls)[:2]:
            key = "sandbox" if name in near("sandbox", cls) else "interpreter"
            headers = {k: v for k, v in good.items() if k != key}
            headers[name] = good[key]
            if cls in ("lone-surrogate", "empty"):
                refused.append(headers)
            else:
                cases[f"header name {name!r}"] = headers
    program = b"open('n', 'w').write('1')\n"
    runtime = call_ok(impl, "SBX-001.3", "wit-open")["runtime"]

    def genesis(headers: dict[str, str]) -> tuple[str, Any]:
        try:
            wit = g.object_id(g.Blob(data=program, headers=headers))
            actor = g.object_id(g.Tree(entries={"wit": wit})).hex()
        except (g.GritError, UnicodeEncodeError):
            actor = TO  # no such blob: the send is refused before its recipient matters
        content = {"tree": {"wit": {"blob": program.hex(), "headers": headers}}}
        reply = impl.call(
            "wit-send", check=False, runtime=runtime, to=actor, mt="genesis", content=content
        )
        return actor, reply

    fine, sent = genesis(good)
    ok_answer(sent, "SBX-001.3", "wit-send of a genesis whose wit has the right headers")
    actors: dict[str, str] = {}
    for name, headers in cases.items():
        actor, sent = genesis(headers)
        ok_answer(sent, "SBX-001.3", f"wit-send of a genesis whose wit has {name}")
        actors[actor] = name
    for headers in refused:
        _, sent = genesis(headers)
        want = "invalid-object" if "" in headers else "invalid-utf8"
        error_answer(
            sent,
            "OBJ-006.2" if want == "invalid-object" else "ADP-004.8",
            want,
            f"wit-send of a genesis whose wit blob has the headers {headers!r} (a lone "
            "surrogate is no text, ADP-004.8 pass 2; an empty name breaks OBJ-006.2)",
        )
    stepped, failures = _wit_run(impl, runtime, "SBX-001.3")
    check(
        "SBX-001.3",
        fine in stepped,
        expected=f"a step of the control actor, its wit with {good}",
        came=failures,
        what="the failures of the run",
    )
    for actor, name in actors.items():
        check(
            ("SBX-001.3", "SBX-001.4"),
            failures.get(actor) == "unknown-wit",
            expected="its transition failed unknown-wit (the headers' exact bytes)",
            came=f"failure {failures[actor]}"
            if actor in failures
            else f"no failure (stepped: {actor in stepped})",
            what=f"the actor whose wit blob has {name}",
        )
    impl.call("wit-close", runtime=runtime)

    # the interpreter argument of sandbox-run: a near miss is no text-form id (ADP-019.3)
    # (a lone surrogate too: the id form is checked in pass 1, before lone surrogates,
    # ADP-004.10)
    for ids in near_ids(held).values():
        for value in ids:
            reply = impl.call("sandbox-run", check=False, program="print(1)", interpreter=value)
            error_answer(
                reply,
                ("ADP-019.3", "ADP-004.10"),
                "invalid-id",
                f"sandbox-run with interpreter {value!r}, a near miss of a text-form id",
            )


# --------------------------------------------------------------------------- SBX-002.3


def _chunked_id(data: bytes, size: int) -> str:
    """The id of the tree of ``data`` cut into blobs of ``size`` bytes named 000, 001, …"""
    chunks = [data[i : i + size] for i in range(0, len(data), size)]
    entries = {f"{n:03d}": g.object_id(g.Blob(data=c)) for n, c in enumerate(chunks)}
    return g.object_id(g.Tree(entries=entries)).hex()


@pytest.mark.req("SBX-002.3", "ADP-019.5")
@pytest.mark.inputs("largest", "past-largest")
def test_the_interpreter_is_named_by_chunks_of_exactly_8_mib(impl: Implementation) -> None:
    """Every chunk but the last holds exactly 8 388 608 bytes, the largest a chunk may
    hold: the id is computed here from the rule, and the chunkings one byte shorter or
    one byte past the largest (what an off-by-one host makes) name other trees."""
    _needs_interpreter()
    from gritwit.sandbox import INTERPRETER_SHA256, interpreter_path

    path = interpreter_path()
    if path is None:
        raise SuiteBug("suite bug: the harness has its interpreter (checked above)")
    data = path.read_bytes()
    suite_premise(
        hashlib.sha256(data).hexdigest() == INTERPRETER_SHA256, "the interpreter is the pinned one"
    )
    suite_premise(
        len(data) > 2 * CHUNK and len(data) % CHUNK, "the module has full chunks and a tail"
    )
    answered = _interpreter(impl, "SBX-002.3")
    check_equal(
        ("SBX-002.3", "ADP-019.5"),
        _chunked_id(data, CHUNK),
        answered,
        "sandbox-info's interpreter: the id of the tree of the module's 8 MiB chunks 000, 001, …",
    )
    for size, what in ((CHUNK + 1, "one byte past 8 MiB"), (CHUNK - 1, "8 MiB less one byte")):
        check(
            "SBX-002.3",
            answered != _chunked_id(data, size),
            expected=f"not the id of chunks of {what}",
            came=answered,
            what="sandbox-info's interpreter",
        )
