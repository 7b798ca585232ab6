"""Chapter 09's text, name, size and order clauses over every input class (issue 24, item 3).

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

import base64
import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation

from ._runs import build, encodings, returned_objects

pytestmark = pytest.mark.profile("sandbox")

Json = dict[str, Any]
OUTSIDE = "00" * 32
TO = "ab" * 32
CHUNK = 8 * 1024 * 1024


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
    assert not any(tc.is_text_id(v) for vs in out.values() for v in vs)
    return out


def _run(impl: Implementation, where: str, program: str, **args: Any) -> Json:
    reply = impl.call("sandbox-run", program=program, **args)
    result = reply.expect_ok(where)
    returned_objects(where, reply)
    return result


def _class(impl: Implementation, program: str, **args: Any) -> str | None:
    reply = impl.call("sandbox-run", program=program, **args)
    return None if reply.ok else reply.error_class


def _interpreter(impl: Implementation) -> str:
    reply = impl.call("sandbox-info")
    assert reply.ok, f"sandbox-info failed: {reply}"
    return str(reply.result["interpreter"])


def _headers(held: str) -> dict[str, str]:
    return {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}


def _program_actor(program: str, held: str, **state: bytes) -> str:
    """The id of the core ``wit-genesis`` builds of ``program`` (ADP-019.7, SBX-001)."""
    wit = g.Blob(data=program.encode("utf-8"), headers=_headers(held))
    entries = {"wit": g.object_id(wit)}
    entries.update({k: g.object_id(g.Blob(data=v)) for k, v in state.items()})
    return g.object_id(g.Tree(entries=entries)).hex()


def _object(impl: Implementation, runtime: str, oid: str) -> Json:
    reply = impl.call("wit-object", runtime=runtime, id=oid)
    assert reply.ok, f"wit-object {oid[:12]}…: {reply}"
    return dict(g.object_to_json(g.decode_object(bytes.fromhex(reply.result["bytes"]))))


def _head_core(impl: Implementation, runtime: str, actor: str) -> Json:
    """The head step's core of ``actor``: ``{name: description}`` one level deep."""
    step = impl.call("wit-head", runtime=runtime, actor=actor).result["step"]
    assert step, f"actor {actor[:12]}… has no step"
    core = _object(impl, runtime, _object(impl, runtime, step)["core"])
    return {name: _object(impl, runtime, oid) for name, oid in core["entries"].items()}


def _wit_run(impl: Implementation, runtime: str) -> tuple[set[str], dict[str, str]]:
    reply = impl.call("wit-run", runtime=runtime, max_steps=200)
    assert reply.ok and reply.result["quiescent"], f"wit-run: {reply}"
    return {a for a, _ in reply.result["steps"]}, dict(map(tuple, reply.result["failures"]))


def _needs_interpreter() -> None:
    from gritwit.sandbox import interpreter_path

    if interpreter_path() is None:
        pytest.skip("the harness has no interpreter to compute the expected answer with")


def _quotable(s: str) -> bool:
    """Text that can stand between single quotes of Python source as it is."""
    return tc.is_valid_text(s) and not any(c in s for c in "'\\\n\r\x00\x0b\x0c\x1c\x1d\x1e")


# --------------------------------------------------------------------------- SBX-001.2


#: Samples of every valid class that stand in a string literal unescaped.
LITERALS = [s for s in tc.samples("ascii", "mixed-case", "bmp", "astral") if _quotable(s)]


@pytest.mark.req("SBX-001.2", "SBX-003.2", "ADP-019.3", "ADP-019.7")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
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
    lines = bytes.fromhex(got["stdout"]).decode().splitlines()
    assert lines == want, (
        "the program's literals of every class, or /input/main.py itself, are not the "
        f"source's UTF-8 (SBX-001.2, SBX-003.2): {lines[:3]} … expected {want[:3]} …"
    )
    empty = _run(impl, "the empty program", "")
    assert (empty["stdout"], empty["core"], empty["sends"]) == ("", None, []), (
        f"the empty program is a program that does nothing (SBX-001.2): {empty}"
    )
    # NUL: text, but no Python source (CPython refuses it); the class is the reference's
    for source in ("print(1)\x00", "x = '\x00'\nprint(1)\n"):
        expected = reference_answer("sandbox-run", program=source).error_class
        assert expected is not None
        assert _class(impl, source) == expected, (
            f"a program holding NUL {source!r}: expected {expected} as the reference answers"
        )
    # a lone surrogate is no text: no UTF-8 program (ADP-019.3, ADP-004.11)
    for source in ("print('\ud800')", "# \udc00\nprint(1)"):
        reply = impl.call("sandbox-run", check=False, program=source)
        assert reply.error_class == "bad-request", (
            f"sandbox-run of a program holding a lone surrogate {source!r}: expected "
            f"bad-request (ADP-019.3), got {reply}"
        )

    held = _interpreter(impl)
    runtime = impl.call("wit-open").result["runtime"]
    for source in [program, "", "print(1)\x00", *(f"print('{s}')" for s in LITERALS[::4])]:
        reply = impl.call("wit-genesis", runtime=runtime, program=source)
        assert reply.ok and reply.result["actor"] == _program_actor(source, held), (
            f"wit-genesis of {source[:40]!r}: the actor is not the core whose wit is the "
            f"program's UTF-8 with the three headers (SBX-001.2, ADP-019.7): {reply}"
        )
    for source in ("print('\ud800')", "\udfff"):
        reply = impl.call("wit-genesis", check=False, runtime=runtime, program=source)
        assert reply.error_class == "bad-request", (
            f"wit-genesis of a program holding a lone surrogate: expected bad-request "
            f"(ADP-004.11), got {reply}"
        )
    impl.call("wit-close", runtime=runtime)


# --------------------------------------------------------------------------- SBX-001.3/4


@pytest.mark.req("SBX-001.3", "SBX-001.4", "SBX-002.1", "ADP-019.3", "ADP-004.8")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_near_misses_of_the_interpreter_and_sandbox_headers_fail_unknown_wit(
    impl: Implementation,
) -> None:
    """Only the exact text-form id of the interpreter held and the exact value ``1`` run;
    every near miss of either, of every class, fails the transition → ``unknown-wit``, and
    so does a header whose *name* is a near miss (then there is no such header)."""
    held = _interpreter(impl)
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
    runtime = impl.call("wit-open").result["runtime"]

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
    assert sent.ok, f"wit-send of a genesis: {sent}"
    actors: dict[str, str] = {}
    for name, headers in cases.items():
        actor, sent = genesis(headers)
        assert sent.ok, f"wit-send of a genesis whose wit has {name}: {sent}"
        actors[actor] = name
    for headers in refused:
        _, sent = genesis(headers)
        want = "invalid-object" if "" in headers else "invalid-utf8"
        assert sent.error_class == want, (
            f"a wit blob with headers {headers!r}: wit-send must fail → {want} (a lone "
            f"surrogate is no text, ADP-004.8 pass 2; an empty name, OBJ-006.2); got {sent}"
        )
    stepped, failures = _wit_run(impl, runtime)
    assert fine in stepped, f"the control actor with {good} did not step: {failures}"
    for actor, name in actors.items():
        assert failures.get(actor) == "unknown-wit", (
            f"a wit blob with {name} must fail its transition → unknown-wit (SBX-001.3, "
            f"SBX-001.4: exact bytes); got {failures.get(actor)!r}, stepped: {actor in stepped}"
        )
    impl.call("wit-close", runtime=runtime)

    # the interpreter argument of sandbox-run: a near miss is no text-form id (ADP-019.3)
    # (a lone surrogate too: the id form is checked in pass 1, before lone surrogates,
    # ADP-004.10)
    for ids in near_ids(held).values():
        for value in ids:
            reply = impl.call("sandbox-run", check=False, program="print(1)", interpreter=value)
            assert reply.error_class == "invalid-id", (
                f"sandbox-run with interpreter {value!r}: expected invalid-id (ADP-019.3, "
                f"ADP-004.10, SBX-001.3), got {reply}"
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
    assert path is not None
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == INTERPRETER_SHA256
    assert len(data) > 2 * CHUNK and len(data) % CHUNK, "the module has full chunks and a tail"
    answered = _interpreter(impl)
    assert answered == _chunked_id(data, CHUNK), (
        "sandbox-info's id is not the tree of the module's 8 MiB chunks 000, 001, … (SBX-002.3)"
    )
    for size, what in ((CHUNK + 1, "one byte past 8 MiB"), (CHUNK - 1, "8 MiB less one byte")):
        assert answered != _chunked_id(data, size), f"the id is that of chunks of {what}"


# --------------------------------------------------------------------------- SBX-006, SBX-007


#: A program whose fuel and memory the reference measures: it allocates, loops and prints.
MEASURED = "b = bytearray(24 << 20)\nfor i in range(2000):\n    pass\nprint(len(b))\n"


def _reference_run(program: str, **limits: int) -> tuple[str | None, int]:
    """The reference's class (``None`` for a success) and fuel used of ``program``."""
    from gritwit.sandbox import SandboxLimits, run_python

    with g.Store.memory() as store:
        try:
            result = run_python(program, store=store, limits=SandboxLimits(**limits))
        except g.GritError as exc:
            return exc.error_class, -1
    return None, result.fuel


@pytest.mark.req("SBX-006.1", "SBX-006.4", "SBX-006.5", "ADP-019.2")
@pytest.mark.inputs("largest", "past-largest")
def test_a_run_may_use_exactly_its_fuel_and_not_one_unit_more(impl: Implementation) -> None:
    """The fuel a run needs, as the reference meters it (WASM-019 and SBX-006.5's rates,
    counted from the snapshot point): with exactly that fuel it passes, with one less it
    fails → ``fuel-exhausted``."""
    _needs_interpreter()
    for program in (MEASURED, "import os\nprint(len(os.listdir('.')), os.urandom(8).hex())\n"):
        error, fuel = _reference_run(program)
        assert error is None and fuel > 0
        got = _run(impl, "a run with exactly its fuel", program, limits={"fuel": fuel})
        want = bytes.fromhex(reference_answer("sandbox-run", program=program).result["stdout"])
        assert bytes.fromhex(got["stdout"]) == want
        assert _class(impl, program, limits={"fuel": fuel - 1}) == "fuel-exhausted", (
            f"{program!r} needs {fuel} fuel: with {fuel - 1} it must fail → fuel-exhausted "
            "(SBX-006.1)"
        )


@pytest.mark.req("SBX-006.2", "ADP-019.2")
@pytest.mark.inputs("largest", "past-largest")
def test_a_run_may_use_exactly_its_memory_and_not_one_byte_more(impl: Implementation) -> None:
    """The least memory limit the run passes with (found on the reference, a whole number of
    64 KiB pages): that limit passes, one byte less fails → ``memory-limit``."""
    _needs_interpreter()
    page = 64 * 1024
    low, high = 16 << 20, 64 << 20  # fails with low, passes with high (checked below)
    assert _reference_run(MEASURED, memory_bytes=low)[0] == "memory-limit"
    assert _reference_run(MEASURED, memory_bytes=high)[0] is None
    low, high = low // page, high // page
    while high - low > 1:
        mid = (low + high) // 2
        if _reference_run(MEASURED, memory_bytes=mid * page)[0] is None:
            high = mid
        else:
            low = mid
    least = high * page
    assert _reference_run(MEASURED, memory_bytes=least - 1)[0] == "memory-limit"
    got = _run(impl, "a run with exactly its memory", MEASURED, limits={"memory": least})
    assert bytes.fromhex(got["stdout"]) == b"%d\n" % (24 << 20)
    assert _class(impl, MEASURED, limits={"memory": least - 1}) == "memory-limit", (
        f"the program needs {least} bytes of linear memory: with one byte less it must fail "
        "→ memory-limit (SBX-006.2)"
    )


@pytest.mark.req("SBX-007.2", "SBX-012.4", "ADP-019.2")
@pytest.mark.inputs("largest", "past-largest")
def test_standard_error_at_the_limit_passes_one_byte_over_fails(impl: Implementation) -> None:
    program = "import sys\nsys.stderr.write('e' * 700)\nsys.stdout.write('o' * 300)\n"
    got = _run(impl, "standard error at the output limit", program, limits={"output": 700})
    assert bytes.fromhex(got["stdout"]) == b"o" * 300, "stderr is never part of stdout"
    assert _class(impl, program, limits={"output": 699}) == "output-too-large", (
        "700 bytes on standard error with an output limit of 699 must fail → output-too-large "
        "(SBX-007.2: standard output *or* standard error, each on its own)"
    )


# --------------------------------------------------------------------------- SBX-004.1/2


#: Valid entry names of every valid class, and the longest a name may be (255 bytes).
NAMES = [n for n in tc.samples("ascii", "mixed-case", "bmp", "astral") if tc.is_valid_name(n)]
NAMES.append("\U0001f600" * 63 + "é" + "x")
assert tc.utf8_len(NAMES[-1]) == 255
#: Raw names (CBOR text heads included) that the object rules refuse as entry names.
BAD_NAMES = {
    "nul": [b"\x62a\x00", b"\x61\x00"],
    "empty": [b"\x60"],
    "lone-surrogate": [b"\x63\xed\xa0\x80", b"\x64a\xed\xb0\x80"],
}

#: Lists every file under /core: one ascii() line per file, (path, data as hex).
WALKER = """\
import os
def walk(d):
    for name in os.listdir(d):
        p = name if d == '.' else d + '/' + name
        if os.path.isdir(p):
            walk(p)
        else:
            print(ascii((p, open(p, 'rb').read().hex())))
walk('.')
"""


def _files(node: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for name, value in node.items():
        if isinstance(value, Mapping):
            yield from _files(value, f"{prefix}{name}/")
        else:
            yield f"{prefix}{name}", value.hex()


def _walked(stdout: str) -> list[tuple[str, str]]:
    import ast

    return sorted(ast.literal_eval(line) for line in bytes.fromhex(stdout).decode().splitlines())


def _bad_tree(raw_name: bytes) -> tuple[str, list[str]]:
    """A tree with one entry whose name is ``raw_name`` (a CBOR text, head included) and
    its blob: the tree's id and the objects' encodings."""
    blob = g.Blob(data=b"x")
    good = g.encode_object(g.Tree(entries={"QQ": g.object_id(blob)}))
    assert good.count(b"\x62QQ") == 1
    bad = good.replace(b"\x62QQ", raw_name)
    import blake3

    return blake3.blake3(bad).hexdigest(), [bad.hex(), g.encode_object(blob).hex()]


@pytest.mark.req("SBX-004.1", "ADP-019.3", "ID-004")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_mounted_entry_names_of_every_class_are_the_file_names(impl: Implementation) -> None:
    """Each entry of a mounted tree is the file or directory of exactly its name — names that
    differ only in case are two files —; an entry name the object rules refuse (NUL, empty,
    a lone surrogate's bytes) fails the run before it starts, with the decoder's class."""
    files: dict[str, Any] = {n: n.encode("utf-8") + b"!" for n in NAMES}
    files["d\U0001f600\ue000"] = {n: n.encode("utf-8") for n in NAMES[::3]}
    files["Straße"] = {"AB": b"1", "ab": b"2", "Ab": b"3", "\uffff": {"\U00010000": b"4"}}
    core, found = build(files)
    got = _run(impl, "a mount of every class", WALKER, core=core, objects=encodings(found, core))
    assert got["core"] == core, "a run that changes nothing leaves the core it was given"
    want = sorted(_files(files))
    walked = _walked(got["stdout"])
    assert walked == want, (
        "the files under /core are not the mounted entries, name for name and byte for byte "
        f"(SBX-004.1): missing {sorted(set(want) - set(walked))[:4]}, "
        f"extra {sorted(set(walked) - set(want))[:4]}"
    )
    for cls, raws in BAD_NAMES.items():
        for raw in raws:
            bad, objects = _bad_tree(raw)
            try:
                g.decode_object(bytes.fromhex(objects[0]))
                want_class = None
            except g.GritError as exc:
                want_class = exc.error_class
            assert want_class is not None
            reply = impl.call("sandbox-run", check=False, program="print(1)", core=bad,
                              objects=objects)  # fmt: skip
            assert reply.error_class == want_class, (
                f"a core with an entry named {raw[1:]!r} ({cls}): expected {want_class}, the "
                f"class strict decoding gives (ADP-019.3, ID-004), got {reply}"
            )


@pytest.mark.req("SBX-004.2", "SBX-004.1", "SBX-004.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "empty")
def test_file_names_of_every_class_left_in_core_become_entry_names(impl: Implementation) -> None:
    """What a program leaves under /core is the new core, each name exactly as written —
    one entry per case variant —; a name that is no UTF-8 (what a lone surrogate becomes
    through Python's surrogateescape, or its WTF-8 bytes) or the empty name cannot be made,
    the run goes on, and nothing of it reaches the core.  Mounted again, the same names."""
    files: dict[str, Any] = {n: n.encode("utf-8") for n in NAMES}
    files["sub\ue000"] = {n: n.encode("utf-8") * 2 for n in NAMES[1::3]}
    layout = [(n, v) for n, v in _files(files)]
    refused: list[Any] = ["\udcff", "x\udc80y", b"\xed\xa0\x80", b"a\xed\xbf\xbf", b"\xf0\x90\x80",
                          "sub\ue000/\udcfe", ""]  # fmt: skip
    program = (
        f"import errno, os\nLAYOUT = {layout!a}\nREFUSED = {refused!a}\n"
        "os.mkdir('sub\\ue000')\nos.mkdir('empty\\U0001f600')\n"
        "for path, data in LAYOUT:\n"
        "    with open(path, 'wb') as f:\n"
        "        f.write(bytes.fromhex(data))\n"
        "for path in REFUSED:\n"
        "    for make in (lambda p: open(p, 'wb'), os.mkdir):\n"
        "        try:\n"
        "            make(path)\n"
        "            print(ascii(path), 'made')\n"
        "        except OSError as e:\n"
        "            print(ascii(path), errno.errorcode.get(e.errno, e.errno))\n"
    )
    got = _run(impl, "names of every class left in /core", program)
    core, _ = build(files)
    assert got["core"] == core, (
        "the new core is not the tree of the files left, each under exactly its name "
        "(SBX-004.2; empty directories dropped; names no UTF-8 refused)"
    )
    lines = bytes.fromhex(got["stdout"]).decode().splitlines()
    assert not [line for line in lines if line.endswith(" made")], (
        f"a name that is no valid UTF-8, or the empty name, was made: {lines}"
    )
    # which errno: the reference's (EILSEQ for a name that is no UTF-8); the empty name
    # names no file, whichever error a host gives it
    reference = bytes.fromhex(reference_answer("sandbox-run", program=program).result["stdout"])
    named = [line for line in lines if not line.startswith("'' ")]
    want = [line for line in reference.decode().splitlines() if not line.startswith("'' ")]
    assert named == want and len(lines) == 2 * len(refused), (
        f"the errors for names that cannot be made are not the reference's: {lines} vs {want}"
    )
    again = _run(impl, "the core mounted again", WALKER, core=core, objects=got["objects"])
    assert _walked(again["stdout"]) == sorted(_files(files))


# --------------------------------------------------------------------------- SBX-004.5


def _sends_program(text: str) -> str:
    return f"open('/out/sends.json', 'w', encoding='utf-8').write({text!a})\n"


#: Header names and values of every valid class (names non-empty: OBJ-006.2).
HEADER_TEXTS = tc.samples("ascii", "mixed-case", "bmp", "astral", "nul")


@pytest.mark.req("SBX-004.5", "SBX-012.2", "ADP-019.2")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
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
        assert got["sends"] == want, (
            f"the sends of /out/sends.json ({'escaped' if ensure_ascii else 'raw UTF-8'}) "
            f"are not the declared ones, exactly (SBX-004.5): {got['sends']!r:.300}"
        )
    # an empty header name: text, so the run's answer keeps it as the reference does
    empty = _sends_program(json.dumps([{"to": TO, "headers": {"": "x", "a": ""}}]))
    reply = impl.call("sandbox-run", program=empty)
    want_sends = reference_answer("sandbox-run", program=empty).result["sends"]
    assert reply.ok and reply.result["sends"] == want_sends, (
        f"sends with an empty header name: expected {want_sends} as the reference, got {reply}"
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
        assert got_class == "invalid-transition", (
            f"/out/sends.json {text!r:.120}: expected invalid-transition (SBX-004.5), "
            f"got {got_class}"
        )


# --------------------------------------------------------------------------- SBX-010.4

#: Key sets whose code-point order differs from each wrong order's (one set per rule).
KEY_SETS = tc.separating_sets("codepoint")
WRONG_KEY_ORDERS = tc.wrong_rules("codepoint")
assert set(WRONG_KEY_ORDERS) == {
    "canonical", "utf16", "casefold", "signed-bytes", "length-first-codepoints",
    "length-first-utf16", "canonical-utf16", "canonical-casefold", "canonical-signed-bytes",
}, "the inputs markers below name these rules: update them"  # fmt: skip
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
def test_the_input_file_sorts_keys_of_every_class_by_code_point(impl: Implementation) -> None:
    """Messages whose keys, given in reverse order, sort otherwise under each wrong rule
    (UTF-16 units, case folding, signed bytes, length first …), nested, with values of
    every class: ``/input/transition.json`` is exactly the canonical JSON text."""
    assert all(
        any(tc.orders_differ(keys, "codepoint", rule) for keys in KEY_SETS)
        for rule in WRONG_KEY_ORDERS
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
    assert have == want, (
        "/input/transition.json is not the JSON text with keys sorted by code point and "
        f"non-ASCII as \\u escapes of UTF-16 units (SBX-010.4); first difference at byte "
        f"{at}: {have[max(0, (at or 0) - 40) :][:200]!r}"
    )


@pytest.mark.req("SBX-010.4", "SBX-010.2", "SBX-010.3", "ADP-019.7")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
def test_the_input_file_of_a_transition_holds_headers_of_every_class(
    impl: Implementation,
) -> None:
    """An actor's transition receives messages whose ``mt`` is of every class (a lone
    surrogate is refused by ``wit-send``): the input file is exactly the canonical JSON of
    them, the mounted core's id and the contents' data in base64."""
    program = (
        "import os\nt = open('/input/transition.json', 'rb').read()\nopen('t', 'wb').write(t)\n"
    )
    runtime = impl.call("wit-open").result["runtime"]
    actor = impl.call("wit-genesis", runtime=runtime, program=program).result["actor"]
    stepped, failures = _wit_run(impl, runtime)
    assert actor in stepped and not failures, f"the genesis transition: {failures}"
    first = _head_core(impl, runtime, actor)["t"]["data"]
    mounted = g.object_id(g.Tree(entries={"t": g.object_id(g.Blob(data=bytes.fromhex(first)))}))
    mts = [v for cls in tc.VALID_CLASSES for v in near("ping", cls)]
    sent: list[Json] = []
    for index, mt in enumerate(mts):
        data = (mt.encode("utf-8") + bytes([index]) * index)[:40]
        reply = impl.call("wit-send", runtime=runtime, to=actor, mt=mt,
                          content={"blob": data.hex()})  # fmt: skip
        assert reply.ok, f"wit-send with mt {mt!r}: {reply}"
        sent.append({"id": reply.result["message"], "from": OUTSIDE, "headers": {"mt": mt},
                     "content": g.object_id(g.Blob(data=data)).hex(),
                     "data": base64.b64encode(data).decode()})  # fmt: skip
    for lone in near("ping", "lone-surrogate"):
        reply = impl.call("wit-send", check=False, runtime=runtime, to=actor, mt=lone,
                          content={"blob": "00"})  # fmt: skip
        assert reply.error_class == "invalid-utf8", f"wit-send with mt {lone!r}: {reply}"
    stepped, failures = _wit_run(impl, runtime)
    assert actor in stepped and not failures, f"the transition: {failures}"
    have = bytes.fromhex(_head_core(impl, runtime, actor)["t"]["data"])
    want = _canonical_json({"format": "gritwit-sandbox/1", "core": mounted.hex(), "messages": sent})
    assert have == want, (
        "the transition's /input/transition.json is not the canonical JSON of its messages "
        f"(SBX-010.2 … SBX-010.4): {have[:300]!r}"
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
    held = _interpreter(impl)
    salt = 0
    logger = _program_actor(LOGGER, held)
    while int(logger[:2], 16) < 0xF0:
        salt += 1
        logger = _program_actor(f"# logger {salt}\n" + LOGGER, held)
    runtime = impl.call("wit-open").result["runtime"]
    reply = impl.call("wit-genesis", runtime=runtime, program=f"# logger {salt}\n" + LOGGER
                      if salt else LOGGER)  # fmt: skip
    assert reply.ok and reply.result["actor"] == logger, f"wit-genesis of the logger: {reply}"
    stepped, failures = _wit_run(impl, runtime)
    assert logger in stepped and not failures
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
        assert impl.call("wit-send", runtime=runtime, to=logger, mt=mt, content={"blob": ""}).ok
    for program in programs:
        assert impl.call("wit-genesis", runtime=runtime, program=program).ok
    stepped, failures = _wit_run(impl, runtime)
    assert set(tags) - {OUTSIDE} <= stepped and logger in stepped and not failures, (
        f"the senders' geneses and the logger's transition: {stepped}, {failures}"
    )
    log = bytes.fromhex(_head_core(impl, runtime, logger)["log"]["data"]).decode()
    order = sorted(tags, key=bytes.fromhex)
    # the ids' bytes compared as C `char`s (and length first, all 32 bytes) order otherwise
    signed = sorted(tags, key=lambda a: [b - 256 if b >= 128 else b for b in bytes.fromhex(a)])
    assert signed != order
    want = [f"{OUTSIDE} 'genesis'"] + [f"{sender} {t!a}" for sender in order for t in tags[sender]]
    assert log.splitlines() == want, (
        "the transition's messages are not listed by sender in ascending order of the ids' "
        f"bytes (unsigned), each sender's oldest first (SBX-010.2):\n{log}\nexpected\n"
        + "\n".join(want)
    )
    impl.call("wit-close", runtime=runtime)


# --------------------------------------------------------------------------- SBX-011.2


def _valid_near(word: str) -> list[str]:
    return [n for cls in VALID_NAME_CLASSES for n in near(word, cls) if tc.is_valid_name(n)]


VALID_NAME_CLASSES = ("ascii", "mixed-case", "bmp", "astral")


@pytest.mark.req("SBX-011.2", "SBX-011.1", "ADP-019.7")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_near_misses_of_the_code_entries_are_state(impl: Implementation) -> None:
    """Only entries named exactly ``wit`` and ``wit_update`` are code: near misses of
    every class given as ``state`` are mounted and kept, and a run that leaves near misses
    at the top of /core (or the exact names below it) succeeds, its core those files plus
    the unchanged ``wit``.  Names that are no entry names (NUL, empty, a lone surrogate)
    are refused by ``wit-genesis`` as the object rules say, or cannot be made by the run."""
    state_names = _valid_near("wit")
    state = {n: n.encode("utf-8") for n in state_names}
    made = [n for n in _valid_near("wit_update") if n not in state]
    program = (
        f"import errno, json, os\nMADE = {made!a}\n"
        "seen = json.dumps(sorted(os.listdir('.')))\nopen('seen', 'w').write(seen)\n"
        "for n in MADE:\n"
        "    open(n, 'w').write(n)\n"
        "os.mkdir('sub')\nopen('sub/wit', 'w').write('1')\nopen('sub/wit_update', 'w').write('2')\n"
        "for n in ('wit\\udcff', '\\udcffwit', 'wit\\x00', 'wit_update\\x00', ''):\n"
        "    try:\n        open(n, 'w').write('x')\n"
        "    except (OSError, ValueError):\n        pass\n"
    )
    runtime = impl.call("wit-open").result["runtime"]
    hexed = {n: v.hex() for n, v in state.items()}
    reply = impl.call("wit-genesis", runtime=runtime, program=program, state=hexed)
    actor = _program_actor(program, _interpreter(impl), **state)
    assert reply.ok and reply.result["actor"] == actor, (
        f"wit-genesis with state entries named near misses of wit: {reply}"
    )
    ref_runtime = reference_answer("wit-open").result["runtime"]
    for cls in ("nul", "empty", "lone-surrogate"):
        for name in [*near("wit", cls), *near("wit_update", cls)][:3]:
            args = {"program": "print(1)", "state": {name: "00"}}
            want = reference_answer("wit-genesis", runtime=ref_runtime, **args).error_class
            got = impl.call("wit-genesis", check=False, runtime=runtime, **args)
            assert want is not None and got.error_class == want, (
                f"wit-genesis with a state entry named {name!r}: expected {want} (the object "
                f"rules), got {got}"
            )
    reference_answer("wit-close", runtime=ref_runtime)
    stepped, failures = _wit_run(impl, runtime)
    assert actor in stepped and not failures, (
        f"a run that leaves only near misses of wit and wit_update at the top of /core must "
        f"succeed (SBX-011.2: exact bytes); failures: {failures}"
    )
    core = _head_core(impl, runtime, actor)
    seen = json.loads(bytes.fromhex(core["seen"]["data"]))
    assert seen == sorted(state_names), (
        f"the mount must hold every state entry that is not exactly wit or wit_update "
        f"(SBX-011.1): saw {seen!r}"
    )
    want_names = sorted({"wit", "seen", "sub", *state_names, *made})
    assert sorted(core) == want_names, (
        f"the new core holds {sorted(core)!r}, expected {want_names!r} (SBX-011.2, SBX-004.2)"
    )
    for name in [*state_names, *made]:
        assert bytes.fromhex(core[name]["data"]) == name.encode("utf-8"), name
    assert sorted(core["sub"]["entries"]) == ["wit", "wit_update"]
    impl.call("wit-close", runtime=runtime)


# --------------------------------------------------------------------------- SBX-012.3


@pytest.mark.req("SBX-012.3", "SBX-012.2", "SBX-004.5", "SBX-013.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
def test_only_the_exact_mt_genesis_or_update_fails_a_send(impl: Implementation) -> None:
    """A program sends near misses of ``genesis`` and ``update`` of every class as
    ``mt``: the transition succeeds and the recipient receives each, exactly, in order.
    The exact words fail the transition → ``invalid-transition``; so does an ``mt``
    holding a lone surrogate (no text, SBX-004.5)."""
    mts = [m for cls in tc.VALID_CLASSES for w in ("genesis", "update") for m in near(w, cls)]
    mts = list(dict.fromkeys(mts))
    runtime = impl.call("wit-open").result["runtime"]
    logger = impl.call("wit-genesis", runtime=runtime, program=LOGGER).result["actor"]
    stepped, failures = _wit_run(impl, runtime)
    assert logger in stepped and not failures
    sender_program = _sender_program(logger, 0, mts)
    sender = impl.call("wit-genesis", runtime=runtime, program=sender_program).result["actor"]
    refused = {}
    for index, mt in enumerate(["genesis", "update", *near("genesis", "lone-surrogate"),
                                *near("update", "lone-surrogate")]):  # fmt: skip
        program = _sender_program(logger, index + 1, ["ping", mt])
        refused[impl.call("wit-genesis", runtime=runtime, program=program).result["actor"]] = mt
    stepped, failures = _wit_run(impl, runtime)
    assert sender in stepped and logger in stepped, (
        f"a program sending near misses of genesis and update must succeed (SBX-012.3: exact "
        f"bytes) and its messages reach their recipient: {failures}"
    )
    for actor, mt in refused.items():
        assert failures.get(actor) == "invalid-transition", (
            f"a program sending mt {mt!r} must fail → invalid-transition (SBX-012.3, "
            f"SBX-004.5); got {failures.get(actor)!r}"
        )
    assert set(failures) == set(refused), f"other failures: {failures}"
    log = bytes.fromhex(_head_core(impl, runtime, logger)["log"]["data"]).decode()
    want = [f"{OUTSIDE} 'genesis'"] + [f"{sender} {mt!a}" for mt in mts]
    assert log.splitlines() == want, (
        "the recipient did not receive exactly the declared mt values, in order (SBX-012.2): "
        f"{log.splitlines()[:6]} …"
    )
    impl.call("wit-close", runtime=runtime)
