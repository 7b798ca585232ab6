"""Entry names over every input class (SBX-004.1 … SBX-004.3, SBX-011; ID-004): mounted
entry names are the file names, file names left in the core become entry names, near
misses of the code entries are state.  Helpers: :mod:`._sandbox_texts`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.expected import reference_answer
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, error_answer, ok_answer, suite_premise
from ._runs import build, encodings
from ._sandbox_texts import _head_core, _interpreter, _program_actor, _run, _wit_run, near

pytestmark = pytest.mark.profile("sandbox")


# --------------------------------------------------------------------------- SBX-004.1/2


#: Valid entry names of every valid class, and the longest a name may be (255 bytes).
NAMES = [n for n in tc.samples("ascii", "mixed-case", "bmp", "astral") if tc.is_valid_name(n)]
NAMES.append("\U0001f600" * 63 + "é" + "x")
suite_premise(tc.utf8_len(NAMES[-1]) == 255, "the longest name is 255 bytes of UTF-8")
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
    suite_premise(good.count(b"\x62QQ") == 1, "the name QQ is written once in the tree")
    bad = good.replace(b"\x62QQ", raw_name)
    import blake3

    return blake3.blake3(bad).hexdigest(), [bad.hex(), g.encode_object(blob).hex()]


@pytest.mark.req("SBX-004.1", "ADP-019.3", "ID-004")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.req("ADP-019.2", "ENC-014")
@pytest.mark.req("CONV-004")
def test_mounted_entry_names_of_every_class_are_the_file_names(impl: Implementation) -> None:
    """Each entry of a mounted tree is the file or directory of exactly its name — names that
    differ only in case are two files —; an entry name the object rules refuse (NUL, empty,
    a lone surrogate's bytes) fails the run before it starts, with the decoder's class."""
    files: dict[str, Any] = {n: n.encode("utf-8") + b"!" for n in NAMES}
    files["d\U0001f600\ue000"] = {n: n.encode("utf-8") for n in NAMES[::3]}
    files["Straße"] = {"AB": b"1", "ab": b"2", "Ab": b"3", "\uffff": {"\U00010000": b"4"}}
    core, found = build(files)
    got = _run(impl, "a mount of every class", WALKER, core=core, objects=encodings(found, core))
    check_equal("SBX-004.1", core, got.get("core"), "the new core of a run that changes nothing")
    want = sorted(_files(files))
    walked = _walked(str(got.get("stdout", "")))
    check(
        "SBX-004.1",
        walked == want,
        expected="the files under /core: the mounted entries, name for name and byte for byte",
        came=lambda: (
            f"missing {sorted(set(want) - set(walked))[:4]}, "
            f"extra {sorted(set(walked) - set(want))[:4]}"
        ),
        what="the walk of /core",
    )
    for cls, raws in BAD_NAMES.items():
        for raw in raws:
            bad, objects = _bad_tree(raw)
            try:
                g.decode_object(bytes.fromhex(objects[0]))
                want_class = None
            except g.GritError as exc:
                want_class = exc.error_class
            suite_premise(want_class is not None, f"strict decoding refuses a name {cls}")
            reply = impl.call("sandbox-run", check=False, program="print(1)", core=bad,
                              objects=objects)  # fmt: skip
            error_answer(
                reply,
                ("ADP-019.3", "ID-004"),
                str(want_class),
                f"sandbox-run over a core with an entry named {raw[1:]!r} ({cls}): the class "
                "strict decoding gives",
            )


@pytest.mark.req("SBX-004.2", "SBX-004.1", "SBX-004.3")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "empty")
@pytest.mark.req("ADP-019.2", "ENC-014")
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
    check_equal(
        "SBX-004.2",
        core,
        got.get("core"),
        "the new core: the tree of the files left, each under exactly its name (empty "
        "directories dropped; names no UTF-8 refused)",
    )
    lines = bytes.fromhex(str(got.get("stdout", ""))).decode("utf-8", "replace").splitlines()
    check_equal(
        "SBX-004.2",
        [],
        [line for line in lines if line.endswith(" made")],
        "the names made that are no valid UTF-8, or empty",
    )
    # which errno: the reference's (EILSEQ for a name that is no UTF-8); the empty name
    # names no file, whichever error a host gives it
    answer = reference_answer("sandbox-run", program=program)
    suite_premise(answer.ok, "the reference runs the program of names of every class")
    reference = bytes.fromhex(str(answer.result.get("stdout", "")))
    named = [line for line in lines if not line.startswith("'' ")]
    want = [line for line in reference.decode().splitlines() if not line.startswith("'' ")]
    check_equal(
        "SBX-004.2",
        want,
        named,
        "the errors for names that cannot be made (the empty name left out): the reference's",
    )
    check_equal(
        "SBX-004.2", 2 * len(refused), len(lines), "the lines for names that cannot be made"
    )
    again = _run(impl, "the core mounted again", WALKER, core=core, objects=got.get("objects"))
    check_equal(
        ("SBX-004.3", "SBX-004.1"),
        sorted(_files(files)),
        _walked(str(again.get("stdout", ""))),
        "the walk of the new core mounted again: the files left, name for name",
    )


# --------------------------------------------------------------------------- SBX-011.2


def _valid_near(word: str) -> list[str]:
    return [n for cls in VALID_NAME_CLASSES for n in near(word, cls) if tc.is_valid_name(n)]


VALID_NAME_CLASSES = ("ascii", "mixed-case", "bmp", "astral")


@pytest.mark.req("SBX-011.2", "SBX-011.1", "ADP-019.7")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "lone-surrogate", "nul", "empty")
@pytest.mark.req("SBX-004.2")
@pytest.mark.req("CONV-004")
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
    runtime = call_ok(impl, "ADP-019.7", "wit-open")["runtime"]
    hexed = {n: v.hex() for n, v in state.items()}
    reply = impl.call("wit-genesis", runtime=runtime, program=program, state=hexed)
    actor = _program_actor(program, _interpreter(impl, "SBX-011.2"), **state)
    answered = ok_answer(reply, "ADP-019.7", "wit-genesis with state entries near misses of wit")
    check_equal(
        ("ADP-019.7", "SBX-011.2"),
        actor,
        answered.get("actor"),
        "the actor of wit-genesis with state entries named near misses of wit",
    )
    opened = reference_answer("wit-open")
    suite_premise(opened.ok, "the reference opens a runtime")
    ref_runtime = opened.result.get("runtime")
    for cls in ("nul", "empty", "lone-surrogate"):
        for name in [*near("wit", cls), *near("wit_update", cls)][:3]:
            args = {"program": "print(1)", "state": {name: "00"}}
            want = reference_answer("wit-genesis", runtime=ref_runtime, **args).error_class
            got = impl.call("wit-genesis", check=False, runtime=runtime, **args)
            suite_premise(want is not None, f"the reference refuses a state entry {name!r}")
            error_answer(
                got,
                ("ADP-019.7", "SBX-011.1"),
                str(want),
                f"wit-genesis with a state entry named {name!r}: the object rules' class, as "
                "the reference answers",
            )
    reference_answer("wit-close", runtime=ref_runtime)
    stepped, failures = _wit_run(impl, runtime, "SBX-011.2")
    check(
        "SBX-011.2",
        actor in stepped and not failures,
        expected="a step and no failure: a run leaving only near misses of wit and "
        "wit_update at the top of /core succeeds (exact bytes)",
        came=failures,
        what="the failures of the run",
    )
    core = _head_core(impl, runtime, actor, "SBX-011.2")
    want_names = sorted({"wit", "seen", "sub", *state_names, *made})
    check_equal(("SBX-011.2", "SBX-004.2"), want_names, sorted(core), "the names of the new core")
    seen = json.loads(bytes.fromhex(core["seen"]["data"]))
    check_equal(
        "SBX-011.1",
        sorted(state_names),
        seen,
        "the state entries the mount held: every one not exactly wit or wit_update",
    )
    check_equal(
        "SBX-004.2",
        {name: name.encode("utf-8").hex() for name in [*state_names, *made]},
        {name: core[name].get("data") for name in [*state_names, *made]},
        "the data of each entry named a near miss: its name's UTF-8",
    )
    check_equal(
        "SBX-004.2",
        ["wit", "wit_update"],
        sorted(core["sub"].get("entries") or {}),
        "the names in the directory sub: wit and wit_update below the top are state",
    )
    impl.call("wit-close", runtime=runtime)
