"""Clauses of chapter 09 one by one, each with a check a wrong host fails (issue 9, SBX-*).

The vectors compare whole runs with the reference's; these tests pin single
clauses, with expected answers computed here from the spec's formulas — the wit
blob's headers, the input file's bytes, the random stream, the path numbers, the
write budget — so that a host that breaks one clause fails a test citing it.
Each was written against a wrong adapter of ``gritwit_conformance.wrong``
(``sandbox_*``) that the rest of the profile let through.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from ._runs import build, encodings, failure_class, ran, run_stream

pytestmark = pytest.mark.profile("sandbox")

FIXED_TIME = 946_684_800
OUTSIDE = "00" * 32


_run = ran


def _stdout(impl: Implementation, program: str, **args: Any) -> str:
    return bytes.fromhex(_run(impl, program, **args)["stdout"]).decode("utf-8")


_class = failure_class


def _interpreter(impl: Implementation) -> str:
    reply = impl.call("sandbox-info")
    assert reply.ok, f"sandbox-info failed: {reply}"
    return str(reply.result["interpreter"])


def _number(path: str) -> int:
    """N(p) of SBX-005.11, computed here from the formula."""
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "little") & ((1 << 63) - 1)


# --- naming the code (SBX-001, SBX-002) --------------------------------------------------


@pytest.mark.req("SBX-001.1", "SBX-001.2", "SBX-001.3", "ADP-019.7")
@pytest.mark.inputs("ascii")
def test_the_wit_blob_of_a_program_is_the_source_with_three_headers(impl: Implementation) -> None:
    program = "# Grüße\nprint('x')  \n\n\n"  # non-ASCII, trailing blanks: kept byte for byte
    held = _interpreter(impl)
    blob = g.Blob(
        data=program.encode("utf-8"),
        headers={"interpreter": held, "runtime": "python-wasi", "sandbox": "1"},
    )
    runtime = impl.call("wit-open").result["runtime"]
    reply = impl.call("wit-genesis", runtime=runtime, program=program)
    assert reply.ok, f"wit-genesis of a program failed (ADP-019.7): {reply}"
    core = g.Tree(entries={"wit": g.object_id(blob)})
    assert reply.result["actor"] == g.object_id(core).hex(), (
        "the genesis core is not a tree whose wit is the program's UTF-8 with the headers "
        "interpreter, runtime python-wasi and sandbox 1 (SBX-001.1 … SBX-001.3, WIT-002)"
    )
    found = impl.call("wit-object", runtime=runtime, id=g.object_id(blob).hex())
    assert found.ok and bytes.fromhex(found.result["bytes"]) == g.encode_object(blob)
    impl.call("wit-close", runtime=runtime)


def _genesis_of(impl: Implementation, runtime: str, headers: dict[str, str]) -> str:
    """Send the genesis of a core whose ``wit`` has ``headers``; the actor's id (WIT-002)."""
    wit = g.Blob(data=b"open('n', 'w').write('1')\n", headers=headers)
    actor = g.object_id(g.Tree(entries={"wit": g.object_id(wit)})).hex()
    content = {"tree": {"wit": {"blob": wit.data.hex(), "headers": headers}}}
    reply = impl.call("wit-send", runtime=runtime, to=actor, mt="genesis", content=content)
    assert reply.ok, f"wit-send of a genesis failed: {reply}"
    return actor


@pytest.mark.req("SBX-001.1", "SBX-001.3", "SBX-001.4", "SBX-002.1", "SBX-002.2", "SBX-002.3")
@pytest.mark.inputs("ascii")
def test_a_wit_blob_the_host_cannot_run_fails_unknown_wit(impl: Implementation) -> None:
    held = _interpreter(impl)
    good = {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}
    other = held[:-1] + ("0" if held[-1] != "0" else "1")
    cases = {
        "sandbox 2": {**good, "sandbox": "2"},
        "sandbox 1.0": {**good, "sandbox": "1.0"},
        "no sandbox": {k: v for k, v in good.items() if k != "sandbox"},
        "no interpreter": {k: v for k, v in good.items() if k != "interpreter"},
        "another interpreter": {**good, "interpreter": other},
        "the uppercase id": {**good, "interpreter": held.upper()},
    }
    runtime = impl.call("wit-open").result["runtime"]
    fine = _genesis_of(impl, runtime, good)
    actors = {_genesis_of(impl, runtime, headers): name for name, headers in cases.items()}
    reply = impl.call("wit-run", runtime=runtime, max_steps=50)
    assert reply.ok, f"wit-run failed: {reply}"
    failures = {actor: error for actor, error in reply.result["failures"]}
    stepped = {actor for actor, _ in reply.result["steps"]}
    assert fine in stepped, f"the control actor with {good} did not step: {reply.result}"
    for actor, name in actors.items():
        assert failures.get(actor) == "unknown-wit", (
            f"a wit blob with {name} must fail its transition → unknown-wit (SBX-001.4, "
            f"SBX-002.1); got {failures.get(actor)!r}, stepped: {actor in stepped}"
        )
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-002.1", "SBX-002.2", "ADP-019.3")
def test_a_run_asking_for_another_interpreter_is_refused(impl: Implementation) -> None:
    held = _interpreter(impl)
    other = held[:-1] + ("0" if held[-1] != "0" else "1")
    assert _class(impl, "print(1)", interpreter=other) == "unknown-wit", (
        "a run naming an interpreter the host does not hold must fail → unknown-wit, not run "
        "on another build (SBX-002.1, SBX-002.2)"
    )
    assert _stdout(impl, "print(1)", interpreter=held) == "1\n"


# --- what the program sees (SBX-003, SBX-005) -------------------------------------------


@pytest.mark.req("SBX-003.1", "SBX-004.5", "ADP-019.4")
@pytest.mark.inputs("ascii")
def test_nothing_a_run_leaves_outside_the_core_survives_it(impl: Implementation) -> None:
    to = "cd" * 32
    first = _run(
        impl,
        "import json\nopen('/out/sends.json', 'w').write(json.dumps([{'to': '" + to + "'}]))\n"
        "open('/out/note', 'w').write('x')\n",
    )
    assert first["sends"] == [{"to": to, "headers": {}, "data": ""}]
    second = _run(impl, "import os\nprint(sorted(os.listdir('/out')))\n")
    assert (bytes.fromhex(second["stdout"]), second["sends"]) == (b"[]\n", []), (
        "a run sees what an earlier run left in /out, or answers its sends: every run "
        f"starts fresh (SBX-003.1); got {second}"
    )


@pytest.mark.req("SBX-003.3", "SBX-010.4", "SBX-003.2")
@pytest.mark.inputs("ascii", "bmp")
def test_the_input_file_holds_exactly_the_canonical_json(impl: Implementation) -> None:
    core, objects = build({"n": b"1"})
    messages = [{"z": 1, "a": "Grüezi ☃", "m": {"y": [1, None, True], "b": "\x01"}}, {}]
    program = "import sys\nsys.stdout.buffer.write(open('/input/transition.json', 'rb').read())\n"
    got = _run(impl, program, core=core, objects=encodings(objects, core), messages=messages)
    value = {"format": "gritwit-sandbox/1", "core": core, "messages": messages}
    want = json.dumps(value, sort_keys=True, separators=(",", ":")).encode()
    assert bytes.fromhex(got["stdout"]) == want, (
        "/input/transition.json is not the JSON text with sorted keys, no white space and "
        f"\\u escapes (SBX-003.3, SBX-010.4): {bytes.fromhex(got['stdout'])[:300]!r}"
    )


@pytest.mark.req("SBX-005.2", "SBX-005.1", "SBX-003.2")
def test_nothing_of_the_host_is_visible(impl: Implementation) -> None:
    program = (
        "import os, sys\n"
        "print(sorted(os.environ), sys.argv, repr(sys.stdin.read()))\n"
        "print([os.path.exists(p) for p in ('/tmp', '/etc', '/home', '/', '/core', '/out')])\n"
        "print(os.getcwd(), __name__, sys.flags.isolated, sys.flags.no_site)\n"
    )
    assert _stdout(impl, program) == (
        "[] ['/input/gritwit_prelude.py'] ''\n"
        "[False, False, False, False, True, True]\n"
        "/core __main__ 1 1\n"
    ), "the program sees the host's environment, arguments, input or directories (SBX-005.1, 2)"


@pytest.mark.req("SBX-007.1", "SBX-005.10", "SBX-012.4")
def test_stdout_is_what_the_program_wrote_to_standard_output_only(
    impl: Implementation,
) -> None:
    program = (
        "import os, sys\nprint('out')\nsys.stderr.write('err\\n')\nsys.stdout.flush()\n"
        "sys.stderr.flush()\nos.write(1, b'raw')\nos.write(2, b'raw2')\n"
    )
    assert _stdout(impl, program) == "out\nraw", (
        "stdout is not exactly what descriptor 1 received (SBX-007.1, SBX-005.10)"
    )


@pytest.mark.req("SBX-005.5", "SBX-005.14", "SBX-003.4", "SBX-009.1", "SBX-010.4")
def test_randomness_is_the_seeded_stream(impl: Implementation) -> None:
    program = "import os\nprint(os.urandom(32).hex())\n"
    messages = [{"n": 1}]
    got = _stdout(impl, program, messages=messages).strip()
    again = _stdout(impl, program, messages=messages).strip()
    assert got == again, "os.urandom differs between two identical runs (SBX-005.5, SBX-009.1)"
    stream = run_stream(program, messages, 2048)
    # the start-up draws from its own stream (SBX-005.14); the run's starts at n = 0 at the
    # snapshot point, where the host's runner may draw some before the program's first line
    assert bytes.fromhex(got) in stream, (
        "os.urandom's bytes are not from the stream SHA-256(seed ‖ n) of SBX-005.5, from "
        "the snapshot point on (SBX-005.14; a restored run as a cold one, SBX-003.4)"
    )
    other = _stdout(impl, program, messages=[{"n": 2}]).strip()
    assert other != got, "the seed does not depend on /input/transition.json (SBX-005.5)"


@pytest.mark.req("SBX-005.14", "SBX-003.4")
def test_the_start_up_is_the_same_for_every_run(impl: Implementation) -> None:
    """The hash seed is drawn before the snapshot point, from the start-up stream."""
    first = _stdout(impl, "print(hash('gritwit'))\n", messages=[{"a": 1}])
    other = _stdout(impl, "x = 1\nprint(hash('gritwit'))\n", messages=[{"b": 2}])
    assert first == other, (
        f"hash('gritwit') is {first.strip()} in one run and {other.strip()} in another: the "
        "start-up must draw from the start-up stream, the same in every run (SBX-005.14)"
    )


@pytest.mark.req("SBX-006.4", "SBX-006.1")
def test_the_start_up_is_not_charged_to_the_run(impl: Implementation) -> None:
    # starting CPython costs some 5 x 10**8; printing a line some 10**6
    assert _stdout(impl, "print(1)\n", limits={"fuel": 20_000_000}) == "1\n", (
        "a run of print(1) with 2 x 10**7 fuel fails: the fuel must count from the "
        "snapshot point (SBX-006.4)"
    )
    assert _class(impl, "print(1)\n", limits={"fuel": 10_000}) == "fuel-exhausted"


@pytest.mark.req("SBX-005.7", "SBX-005.11", "SBX-005.12", "SBX-005.13")
def test_what_a_program_reads_about_files_comes_from_the_path_alone(
    impl: Implementation,
) -> None:
    program = (
        "import os\n"
        "for name in ('b', 'a', 'C', '\\u00e9', '_', 'a0'):\n"
        "    open(name, 'w').write(name)\n"
        "os.mkdir('d')\n"
        "open('d/x', 'w').write('xx')\n"
        "os.utime('a', (5, 6))\n"
        "print(os.listdir('.'))\n"
        "print([(e.name, e.inode()) for e in os.scandir('.')])\n"
        "for p in ('a', 'd', 'd/x', '/input/main.py'):\n"
        "    s = os.stat(p)\n"
        "    print(p, s.st_dev, s.st_ino, s.st_nlink, s.st_size if p != 'd' else 0,\n"
        "          s.st_atime_ns, s.st_mtime_ns, s.st_ctime_ns)\n"
        "print(os.stat('d').st_size)\n"
    )
    names = sorted(["b", "a", "C", "é", "_", "a0", "d"], key=lambda n: n.encode())
    fixed = FIXED_TIME * 10**9
    lines = [
        repr(names),
        repr([(n, _number(f"/core/{n}")) for n in names]),
        f"a {_number('/core')} {_number('/core/a')} 1 1 {fixed} {fixed} {fixed}",
        f"d {_number('/core')} {_number('/core/d')} 1 0 {fixed} {fixed} {fixed}",
        f"d/x {_number('/core')} {_number('/core/d/x')} 1 2 {fixed} {fixed} {fixed}",
        f"/input/main.py {_number('/input')} {_number('/input/main.py')} 1 {len(program)} "
        f"{fixed} {fixed} {fixed}",
        "0",
    ]
    got = _stdout(impl, program).splitlines()
    for index, (line, want) in enumerate(zip(got, lines, strict=False)):
        assert line == want, (
            f"line {index}: {line!r}, expected {want!r}: listings in UTF-8 byte order, "
            "device and inode from the path, link count 1, the fixed time, set_times a "
            "no-op (SBX-005.7, SBX-005.11 … SBX-005.13)"
        )
    assert len(got) == len(lines), got


@pytest.mark.req("SBX-005.8", "SBX-008.2")
@pytest.mark.parametrize(
    "attempt",
    ["open('../input/main.py').read()", "os.listdir('..')", "os.stat('d/../../out')"],
)
def test_a_path_out_of_its_preopen_ends_the_run(impl: Implementation, attempt: str) -> None:
    program = (
        f"import os\nos.mkdir('d')\ntry:\n    {attempt}\nexcept OSError:\n    pass\nprint(1)\n"
    )
    assert _class(impl, program) == "forbidden-operation", (
        f"{attempt}: a path above its preopen must end the run → forbidden-operation, "
        "even when the program catches the error (SBX-005.8, SBX-008.2)"
    )


@pytest.mark.req("SBX-005.9")
def test_input_is_read_only_and_the_run_goes_on(impl: Implementation) -> None:
    program = (
        "import errno, os\n"
        "def code(f, *a):\n"
        "    try:\n"
        "        f(*a)\n"
        "        return 'done'\n"
        "    except OSError as e:\n"
        "        return errno.errorcode.get(e.errno, e.errno)\n"
        "print(code(open, '/input/new', 'w'), code(open, '/input/main.py', 'w'),\n"
        "      code(open, '/input/main.py', 'a'), code(os.remove, '/input/main.py'),\n"
        "      code(os.mkdir, '/input/d'), code(os.rename, '/input/main.py', '/input/m'),\n"
        "      code(os.rename, '/input/main.py', '/core/m'))\n"
        "print(open('/input/main.py').read() == open('/input/main.py').read())\n"
    )
    assert _stdout(impl, program) == "EROFS EROFS EROFS EROFS EROFS EROFS EXDEV\nTrue\n", (
        "/input must refuse every change with EROFS, a rename across preopens with EXDEV, "
        "and the run go on (SBX-005.9)"
    )


@pytest.mark.req("SBX-004.6", "SBX-004.4", "SBX-008.2")
@pytest.mark.parametrize(
    "attempt", ["os.symlink('a', 'b')", "os.link('a', 'b')", "os.symlink('a', '/out/b')"]
)
def test_making_a_link_ends_the_run(impl: Implementation, attempt: str) -> None:
    program = f"import os\nopen('a', 'w').write('1')\ntry:\n    {attempt}\nexcept OSError:\n"
    program += "    pass\nprint(1)\n"
    assert _class(impl, program) == "forbidden-operation", (
        f"{attempt}: making a link must end the run → forbidden-operation, even when the "
        "program catches the error (SBX-004.6, SBX-008.2)"
    )


@pytest.mark.req("SBX-004.6")
def test_readlink_fails_with_einval_and_the_run_goes_on(impl: Implementation) -> None:
    program = (
        "import errno, os\nopen('a', 'w').write('1')\n"
        "for p in ('a', '/input/main.py', '.'):\n"
        "    try:\n        os.readlink(p)\n    except OSError as e:\n"
        "        print(errno.errorcode.get(e.errno))\n"
    )
    assert _stdout(impl, program) == "EINVAL\nEINVAL\nEINVAL\n"


# --- limits (SBX-006, SBX-007) ------------------------------------------------------------


@pytest.mark.req("SBX-007.4", "SBX-007.5", "SBX-007.3")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(
    ("writes", "error"),
    [
        # exactly the budget (core 1000 + sends 24), then shrunk: passes
        ("os.write(fd, bytes(1024))\nos.ftruncate(fd, 10)", None),
        ("os.write(fd, bytes(1000))\nos.write(fd, bytes(24))\nos.ftruncate(fd, 10)", None),
        # one byte more, removed afterwards: the write itself fails the run
        ("os.write(fd, bytes(1025))", "output-too-large"),
        ("os.write(fd, bytes(1000))\nos.write(fd, bytes(25))", "output-too-large"),
        # rewriting counts again; shrinking gives nothing back
        ("os.write(fd, bytes(600))\nos.lseek(fd, 0, 0)\nos.write(fd, bytes(600))",
         "output-too-large"),
        ("os.write(fd, bytes(600))\nos.ftruncate(fd, 0)\nos.write(fd, bytes(600))",
         "output-too-large"),
        # a gap counts, and so does growing a file
        ("os.lseek(fd, 1024, 0)\nos.write(fd, b'x')", "output-too-large"),
        ("os.lseek(fd, 1023, 0)\nos.write(fd, b'x')\nos.ftruncate(fd, 10)", None),
        ("os.ftruncate(fd, 1025)", "output-too-large"),
        ("os.ftruncate(fd, 1024)\nos.ftruncate(fd, 10)", None),
    ],
    ids=lambda value: str(value).replace("\n", "; ")[:60],
)  # fmt: skip
def test_writes_are_counted_when_made(impl: Implementation, writes: str, error: str | None) -> None:
    body = "\n".join("    " + line for line in writes.splitlines())
    program = (
        "import os\nfd = os.open('big', os.O_CREAT | os.O_RDWR)\ntry:\n"
        f"{body}\nexcept OSError as e:\n    print(e)\nos.close(fd)\nos.remove('big')\n"
    )
    got = _class(impl, program, limits={"core": 1000, "sends": 24})
    assert got == error, (
        f"writes {writes!r} with a write budget of 1024 bytes: expected {error}, got {got} "
        "(SBX-007.4: counted at each write, also of files later removed; SBX-007.5: gaps and "
        "growth count, shrinking gives nothing back, exactly the budget passes)"
    )


@pytest.mark.req("SBX-006.3", "SBX-007.2", "ADP-019.2")
def test_limits_left_out_are_the_defaults(impl: Implementation) -> None:
    mib = 1 << 20
    exact = f"import sys\nsys.stdout.write('x' * {mib})\n"
    assert len(_run(impl, exact)["stdout"]) == 2 * mib, "1 MiB of output is within the default"
    assert _class(impl, exact.replace(f"{mib})", f"{mib + 1})")) == "output-too-large"
    memory = "b = bytearray(160 << 20)\nprint(len(b) >> 20)\n"
    assert _stdout(impl, memory) == "160\n", "160 MiB is within the default 256 MiB"
    assert _class(impl, "b = bytearray(300 << 20)\n") == "memory-limit"


# --- a program as an actor (SBX-010 … SBX-015) --------------------------------------------


def _core_of_head(impl: Implementation, runtime: str, actor: str) -> dict[str, Any]:
    step = impl.call("wit-head", runtime=runtime, actor=actor).result["step"]
    assert step, f"actor {actor[:12]}… has no step"

    def get(oid: str) -> dict[str, Any]:
        reply = impl.call("wit-object", runtime=runtime, id=oid)
        assert reply.ok, f"wit-object {oid[:12]}…: {reply}"
        return dict(g.object_to_json(g.decode_object(bytes.fromhex(reply.result["bytes"]))))

    core = get(get(step)["core"])
    return {name: get(oid) for name, oid in core["entries"].items()}


@pytest.mark.req("SBX-010.3", "SBX-011.1", "SBX-011.2", "SBX-012.4", "SBX-010.1")
def test_the_mount_is_the_core_without_its_code(impl: Implementation) -> None:
    program = (
        "import json, os\nt = json.load(open('/input/transition.json'))\n"
        "seen = [t['core'], sorted(os.listdir('.'))]\n"
        "open('seen', 'w').write(json.dumps(seen))\n"
        "print('printed, not kept')\n"
    )
    runtime = impl.call("wit-open").result["runtime"]
    actor = impl.call("wit-genesis", runtime=runtime, program=program, state={"x": "01"})
    assert actor.ok, f"wit-genesis: {actor}"
    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok and reply.result["failures"] == [], f"wit-run: {reply}"
    entries = _core_of_head(impl, runtime, actor.result["actor"])
    mounted = g.object_id(g.Tree(entries={"x": g.object_id(g.Blob(data=b"\x01"))})).hex()
    assert sorted(entries) == ["seen", "wit", "x"], (
        f"the new core holds {sorted(entries)}: what the run left plus wit, nothing the "
        "program printed (SBX-011.2, SBX-012.4)"
    )
    seen = json.loads(bytes.fromhex(entries["seen"]["data"]))
    assert seen == [mounted, ["x"]], (
        f"the program saw core {seen[0]!r} and /core {seen[1]}: expected the mounted tree "
        f"{mounted[:12]}… without the code entries (SBX-010.3, SBX-011.1)"
    )
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-011.2", "SBX-013.1")
@pytest.mark.inputs("ascii")
@pytest.mark.parametrize("name", ["wit", "wit_update"])
def test_a_run_that_leaves_a_code_entry_fails(impl: Implementation, name: str) -> None:
    runtime = impl.call("wit-open").result["runtime"]
    program = f"open({name!r}, 'w').write('print(1)')\n"
    actor = impl.call("wit-genesis", runtime=runtime, program=program).result["actor"]
    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok and reply.result["failures"] == [[actor, "invalid-transition"]], (
        f"a run leaving {name} at the top of /core must fail → invalid-transition "
        f"(SBX-011.2); got {reply}"
    )
    assert impl.call("wit-head", runtime=runtime, actor=actor).result["step"] is None
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-015.2", "SBX-015.1")
def test_a_python_wit_update_names_no_update_function(impl: Implementation) -> None:
    runtime = impl.call("wit-open").result["runtime"]
    actor = impl.call("wit-genesis", runtime=runtime, program="open('n', 'w').write('1')\n")
    actor_id = actor.result["actor"]
    assert impl.call("wit-run", runtime=runtime, max_steps=10).result["failures"] == []
    headers = {
        "interpreter": _interpreter(impl),
        "runtime": "python-wasi",
        "sandbox": "1",
    }
    update = {"tree": {"wit_update": {"blob": b"print(1)".hex(), "headers": headers}}}
    sent = impl.call("wit-send", runtime=runtime, to=actor_id, mt="update", content=update)
    assert sent.ok, f"wit-send of an update: {sent}"
    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok and reply.result["failures"] == [[actor_id, "unknown-wit"]], (
        f"an update whose wit_update is a python-wasi blob must fail → unknown-wit "
        f"(SBX-015.2); got {reply}"
    )
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-010.1", "SBX-006.3")
def test_an_actor_runs_under_the_default_limits(impl: Implementation) -> None:
    program = "b = bytearray(160 << 20)\nopen('n', 'w').write(str(len(b) >> 20))\n"
    runtime = impl.call("wit-open").result["runtime"]
    actor = impl.call("wit-genesis", runtime=runtime, program=program).result["actor"]
    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok and reply.result["failures"] == [], (
        f"a transition using 160 MiB fails, within the default 256 MiB (SBX-010.1, "
        f"SBX-006.3): {reply}"
    )
    assert _core_of_head(impl, runtime, actor)["n"]["data"] == b"160".hex()
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-011.3")
def test_the_frozen_entry_is_mounted_and_guarded(impl: Implementation) -> None:
    held = _interpreter(impl)
    headers = {"interpreter": held, "runtime": "python-wasi", "sandbox": "1"}
    runtime = impl.call("wit-open").result["runtime"]
    actors = {}
    for name, program in {
        "reads": "import os\nseen = ' '.join(sorted(os.listdir('.')))\n"
        "open('seen', 'w').write(seen)\n",
        "removes": "import os\nos.remove('frozen')\nopen('n', 'w').write('1')\n",
        "changes": "open('frozen', 'w').write('thawed')\n",
    }.items():
        wit = g.Blob(data=program.encode(), headers=headers)
        frozen = g.Blob(data=b"yes")
        core = g.Tree(entries={"wit": g.object_id(wit), "frozen": g.object_id(frozen)})
        content = {
            "tree": {
                "wit": {"blob": wit.data.hex(), "headers": headers},
                "frozen": {"blob": frozen.data.hex()},
            }
        }
        actor = g.object_id(core).hex()
        sent = impl.call("wit-send", runtime=runtime, to=actor, mt="genesis", content=content)
        assert sent.ok, f"wit-send: {sent}"
        actors[name] = actor
    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok, f"wit-run: {reply}"
    failures = dict(map(tuple, reply.result["failures"]))
    assert failures == {actors["removes"]: "frozen-core", actors["changes"]: "frozen-core"}, (
        f"a run that removes or changes the frozen entry must fail → frozen-core "
        f"(SBX-011.3, WIT-016); failures: {reply.result['failures']}"
    )
    seen = _core_of_head(impl, runtime, actors["reads"])["seen"]["data"]
    assert bytes.fromhex(seen) == b"frozen", "frozen is mounted like any state entry"
    impl.call("wit-close", runtime=runtime)


@pytest.mark.req("SBX-015.1", "SBX-010.2")
def test_genesis_and_updates_as_the_wit_chapter_says(impl: Implementation) -> None:
    first = (
        "import json, os\nt = json.load(open('/input/transition.json'))\n"
        "log = open('log').read() if os.path.exists('log') else ''\n"
        "for m in t['messages']:\n"
        "    log += m['headers'].get('mt', '-') + ':' + repr(m['data']) + ';'\n"
        "open('log', 'w').write(log)\n"
    )
    second = "open('v2', 'w').write('yes')\n"
    headers = {"interpreter": _interpreter(impl), "runtime": "python-wasi", "sandbox": "1"}
    runtime = impl.call("wit-open").result["runtime"]
    actor = impl.call("wit-genesis", runtime=runtime, program=first).result["actor"]

    def step(mt: str, content: dict[str, Any]) -> dict[str, Any]:
        sent = impl.call("wit-send", runtime=runtime, to=actor, mt=mt, content=content)
        assert sent.ok, f"wit-send {mt}: {sent}"
        reply = impl.call("wit-run", runtime=runtime, max_steps=10)
        assert reply.ok and reply.result["failures"] == [], f"wit-run after {mt}: {reply}"
        return _core_of_head(impl, runtime, actor)

    reply = impl.call("wit-run", runtime=runtime, max_steps=10)
    assert reply.ok and reply.result["failures"] == [], f"the genesis transition: {reply}"
    log = bytes.fromhex(_core_of_head(impl, runtime, actor)["log"]["data"])
    assert log == b"genesis:None;", (
        f"the first transition's messages must hold the genesis, data null (SBX-015.1, "
        f"SBX-010.2): {log!r}"
    )
    core = step("update", {"tree": {"x": {"blob": "01"}}})
    assert sorted(core) == ["log", "wit", "x"] and bytes.fromhex(core["log"]["data"]) == log, (
        "an update is merged into the core without running the program (SBX-015.1, WIT-013.4)"
    )
    core = step("ping", {"blob": b"hi".hex()})
    assert bytes.fromhex(core["log"]["data"]) == log + b"ping:'aGk=';"
    wit = {"blob": second.encode().hex(), "headers": headers}
    core = step("update", {"tree": {"wit": wit}})
    assert "v2" not in core
    core = step("ping", {"blob": b"again".hex()})
    assert core.get("v2", {}).get("data") == b"yes".hex(), (
        "after an update that replaces wit, the next transition runs the new program (SBX-015.1)"
    )
    impl.call("wit-close", runtime=runtime)


#: File operations through descriptors, with what POSIX (and WASI preview 1) answers.
FILE_OPERATIONS = """\
import errno, os, sys
def code(f, *a):
    try:
        r = f(*a)
        return 'ok' if r is None else r
    except OSError as e:
        return errno.errorcode.get(e.errno, e.errno)
fd = os.open('f', os.O_CREAT | os.O_RDWR)
print(os.write(fd, b'ab'), os.write(fd, b'cd'), os.lseek(fd, 0, os.SEEK_CUR))
print(os.lseek(fd, 1, os.SEEK_SET), os.read(fd, 10), os.lseek(fd, -1, os.SEEK_END))
print(os.pwrite(fd, b'XY', 1), os.pread(fd, 3, 2), os.lseek(fd, 0, os.SEEK_CUR))
print(code(os.lseek, fd, -10, os.SEEK_SET), os.fstat(fd).st_size)
os.ftruncate(fd, 2); print(os.pread(fd, 10, 0), os.fstat(fd).st_size)
os.close(fd)
print(code(os.close, fd), code(os.read, fd, 1), code(os.fstat, fd))
a = os.open('f', os.O_WRONLY | os.O_APPEND)
print(os.write(a, b'zz'), code(os.read, a, 1)); os.close(a)
r = os.open('f', os.O_RDONLY)
print(code(os.write, r, b'q'), os.read(r, 10)); os.close(r)
print(code(os.write, 0, b'x'), code(os.read, 1, 1), repr(os.read(0, 5)))
print(code(os.open, 'nope', os.O_RDONLY), code(os.open, 'f', os.O_CREAT | os.O_EXCL | os.O_WRONLY))
print(code(os.open, 'f/', os.O_RDONLY), code(os.mkdir, 'f'), code(os.rmdir, 'f'),
      code(os.remove, '.'))
os.mkdir('d'); open('d/x', 'w').write('1')
print(code(os.rmdir, 'd'), code(os.open, 'd', os.O_WRONLY), code(os.rename, 'd', 'd/sub'))
print(code(os.rename, 'f', 'd'), code(os.rename, 'd', 'f'), code(os.rename, 'f', 'g'),
      sorted(os.listdir('.')))
print(open('g').read(), os.path.isdir('d'), os.path.isfile('d'), os.stat('d').st_size)
print(sorted(os.listdir('/out')))
os.mkdir('many')
for i in range(300):
    open('many/%03d-%s' % (299 - i, 'x' * 40), 'w').close()
names = os.listdir('many')
print(len(names), names == sorted(names), len(set(names)))
print(code(os.rename, '.', 'x'), code(open, bytes([255]), 'w'), code(os.mkdir, 'a' * 256))
"""
FILE_ANSWERS = """\
2 2 4
1 b'bcd' 3
2 b'Yd' 3
EINVAL 4
b'aX' 2
EBADF EBADF EBADF
2 EBADF
EBADF b'aXzz'
EBADF EBADF b''
ENOENT EEXIST
ENOTDIR EEXIST ENOTDIR EISDIR
ENOTEMPTY EISDIR EINVAL
EISDIR ENOTDIR ok ['d', 'g']
aXzz True False 0
[]
300 True 300
EBUSY EILSEQ ENAMETOOLONG
"""


@pytest.mark.req("SBX-004.1", "SBX-005.10", "SBX-005.13")
@pytest.mark.inputs("ascii")
def test_files_behave_as_posix_says(impl: Implementation) -> None:
    """Writes, reads, seeks, positional I/O, truncation, append, closed and wrong-mode
    descriptors, standard streams, the errors of open, mkdir, rmdir, rename, and a listing
    longer than one fd_readdir buffer (its cookies, SBX-005.13)."""
    got = _stdout(impl, FILE_OPERATIONS).splitlines()
    for index, (line, want) in enumerate(zip(got, FILE_ANSWERS.splitlines(), strict=False)):
        assert line == want, (
            f"line {index} of the file operations: {line!r}, expected {want!r} "
            "(the mount is a file system, SBX-004.1; descriptors as WASI says, SBX-005.10)"
        )
    assert len(got) == len(FILE_ANSWERS.splitlines()), got
