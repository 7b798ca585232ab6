"""Helpers of chapter 09's tests over every input class and both sides of its limits
(``test_program_and_interpreter_texts``, ``test_run_limits_at_the_edge``,
``test_entry_names_of_every_class``, ``test_sends_and_input_file_texts``; split by
behaviour).

A host that works on the ASCII of the worked examples can still break on another class of
input: it may compare header values case-insensitively or after trimming, stop a name at
NUL, store a file name as UTF-16, sort JSON keys by UTF-16 units, cut the interpreter into
chunks one byte too long, or let a limit pass one unit over.  So each rule here is fed the
classes of :mod:`gritwit_conformance.data._classes` — ASCII, mixed case, the BMP (U+E000–U+FFFF
among it), astral code points, lone surrogates, NUL and the empty string — and each limit
both its largest allowed value and one past it, through every command that takes the input:

* the program's source (SBX-001.2) through ``sandbox-run`` and ``wit-genesis``;
* the ``interpreter`` and ``sandbox`` headers (SBX-001.3, SBX-001.4) through ``wit-send``
  of a genesis and ``wit-run``, and the ``interpreter`` argument of ``sandbox-run``;
* the interpreter's chunks (SBX-002.3) through ``sandbox-info``;
* entry names mounted at ``/core`` and file names left there (SBX-004.1, SBX-004.2) through
  ``sandbox-run`` (a tree the test builds, or one whose names the object rules refuse) and
  ``wit-genesis`` ``state`` with ``wit-run``;
* ``/out/sends.json``'s keys, header names and values, ``to`` and ``data`` (SBX-004.5);
* the exact fuel and memory a run needs (SBX-006.1, SBX-006.2) and standard error at its
  limit (SBX-007.2);
* the bytes of ``/input/transition.json`` (SBX-010.4), keys in code-point order, and the
  senders' order (SBX-010.2) where signed bytes would order them otherwise;
* near misses of ``wit``/``wit_update`` (SBX-011.2) and of ``genesis``/``update`` as a
  send's ``mt`` (SBX-012.3) through ``wit-run``.

Expected answers come from the rules, computed here (ids of the cores and blobs, the JSON
text, the sort orders); where a rule leaves the answer to Python or to the object rules
(which errno a refused name gets, which decoder class a bad entry name is), from the
in-process reference.  Many inputs share one run so that the file stays fast.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, call_ok, check, fail, ok_answer, suite_premise
from ._runs import returned_objects

Json = dict[str, Any]
TO = "ab" * 32


# --------------------------------------------------------------------------- helpers


def _fullwidth(ch: str) -> str:
    return chr(0xFF00 + ord(ch) - 0x20) if "!" <= ch <= "~" else ch


def near(word: str, cls: str) -> list[str]:
    """Near misses of ``word`` in the text class ``cls`` (never ``word`` itself)."""
    w = word
    variants = {
        "ascii": [w + " ", " " + w, w + "\n", w + "\t", w[:-1] + "x" if w[-1] != "x" else "y"],
        "mixed-case": [w.capitalize(), w.upper(), w[:-1] + w[-1].upper(), w + "Ab"],
        "bmp": [w + "\u00a0", "\ufeff" + w, _fullwidth(w[0]) + w[1:], w + "\ue000", w + "\uffff"],
        "astral": [w + "\U0001f600", "\U00010000" + w, w[:-1] + "\U0001d41e"],
        "lone-surrogate": [w + "\ud800", "\udc00" + w],
        "nul": [w + "\x00", "\x00" + w, w[:1] + "\x00" + w[1:]],
        "empty": [""],
    }[cls]
    return list(dict.fromkeys(v for v in variants if v != w))


def near_ids(held: str) -> dict[str, list[str]]:
    """Near misses of the text-form id ``held``, by text class (none a text-form id)."""
    bad = tc.bad_text_ids(held)
    out = {
        "ascii": [bad[k] for k in ("trailing-newline", "trailing-space", "one-short", "one-long")],
        "mixed-case": [bad["upper-case"], bad["one-upper-digit"]],
        "bmp": [bad["fullwidth-digit"], bad["trailing-nbsp"], held[:-1] + "\ue000"],
        "astral": [held + "\U0001f600", held[:-1] + "\U0001d7ce"],
        "lone-surrogate": [held + "\ud800", held[:-1] + "\udc00"],
        "nul": [bad["trailing-nul"], held[:-1] + "\x00"],
        "empty": [""],
    }
    suite_premise(
        not any(tc.is_text_id(v) for vs in out.values() for v in vs),
        "no near miss of an id is a text-form id",
    )
    return out


def _run(
    impl: Implementation, where: str, program: str, *, rule: Clause = "ADP-019.2", **args: Any
) -> Json:
    """A ``sandbox-run`` that must succeed; ``rule``: the clause a failure breaks (ADP-019.2,
    or the limit's clause for a run at a limit)."""
    reply = impl.call("sandbox-run", program=program, **args)
    result = ok_answer(reply, rule, where)
    returned_objects(where, reply)
    return result


def _class(impl: Implementation, program: str, **args: Any) -> str | None:
    reply = impl.call("sandbox-run", program=program, **args)
    return None if reply.ok else reply.error_class


def _interpreter(impl: Implementation, clause: Clause) -> str:
    """The interpreter ``sandbox-info`` answers (ADP-019.5); a refusal breaks ``clause``,
    the calling test's rule, which needs the interpreter's id."""
    return str(call_ok(impl, clause, "sandbox-info").get("interpreter"))


def _headers(held: str) -> dict[str, str]:
    return {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}


def _program_actor(program: str, held: str, **state: bytes) -> str:
    """The id of the core ``wit-genesis`` builds of ``program`` (ADP-019.7, SBX-001)."""
    wit = g.Blob(data=program.encode("utf-8"), headers=_headers(held))
    entries = {"wit": g.object_id(wit)}
    entries.update({k: g.object_id(g.Blob(data=v)) for k, v in state.items()})
    return g.object_id(g.Tree(entries=entries)).hex()


def _object(impl: Implementation, runtime: str, oid: str, clause: Clause = "ADP-019.1") -> Json:
    data = call_ok(impl, clause, "wit-object", runtime=runtime, id=oid)["bytes"]
    return dict(g.object_to_json(g.decode_object(bytes.fromhex(data))))


def _head_core(
    impl: Implementation, runtime: str, actor: str, clause: Clause = "ADP-019.1"
) -> Json:
    """The head step's core of ``actor``: ``{name: description}`` one level deep.  A
    refused command breaks ``clause``: by default ADP-019.1, the wit commands a sandbox
    implementation answers."""
    step = call_ok(impl, clause, "wit-head", runtime=runtime, actor=actor).get("step")
    if not isinstance(step, str):
        fail(clause, expected="a step id", came=step, what=f"wit-head of {actor[:12]}…")
    core = _object(impl, runtime, _object(impl, runtime, step, clause)["core"], clause)
    return {name: _object(impl, runtime, oid, clause) for name, oid in core["entries"].items()}


def _wit_run(
    impl: Implementation, runtime: str, clause: Clause = "ADP-019.1"
) -> tuple[set[str], dict[str, str]]:
    """The actors that stepped and the failures of a ``wit-run`` that must end quiescent."""
    run = call_ok(impl, clause, "wit-run", runtime=runtime, max_steps=200)
    check(clause, run.get("quiescent"), expected="quiescent", came=run, what="wit-run")
    return {a for a, _ in run["steps"]}, dict(map(tuple, run["failures"]))


def _wit_genesis(
    impl: Implementation, program: str, clause: Clause, adopted: str
) -> tuple[str, str]:
    """A fresh ``wit-open`` runtime and the actor of ``program`` in it, its genesis run
    and checked adopted with no failure (``adopted`` says what the genesis does)."""
    runtime = call_ok(impl, clause, "wit-open")["runtime"]
    actor = call_ok(impl, clause, "wit-genesis", runtime=runtime, program=program)["actor"]
    stepped, failures = _wit_run(impl, runtime, clause)
    check(
        clause,
        actor in stepped and not failures,
        expected=f"{adopted} adopted, no failure",
        came=failures,
        what="the first wit-run's failures",
    )
    return runtime, actor


def _needs_interpreter() -> None:
    from gritwit.sandbox import interpreter_path

    if interpreter_path() is None:
        pytest.skip("the harness has no interpreter to compute the expected answer with")
