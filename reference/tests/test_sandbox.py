"""Untrusted Python in CPython on WASI (chapter *sandboxed Python Wits*, spec/09-sandbox.md).

These run the real interpreter (``pip install 'gritwit[sandbox]'``); without it they
skip, saying so.  The first run in a machine compiles the interpreter (seconds) and
caches it under ~/.cache/gritwit/sandbox/.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

import gritwit as g
from gritwit.sandbox import (
    INSTALL_HINT,
    SandboxLimits,
    interpreter_path,
    program_of,
    run_python,
    wit_blob,
)
from gritwit.sandbox._interpreter import CHUNK_BYTES, load_interpreter, module_chunks, module_tree
from gritwit.sandbox.wasi._linker import FIXED_TIME_NS, WasiState

pytestmark = [
    pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT),
    pytest.mark.slow,
]

SMALL = SandboxLimits(fuel=2_000_000_000, memory_bytes=64 << 20)
COUNTER = 'n = int(open("n").read())\nopen("n", "w").write(str(n + 1))\nprint(n + 1)\n'


def _run(source: str, store: g.Store | None = None, **kw: object) -> g.sandbox.SandboxResult:  # type: ignore[name-defined]
    kw.setdefault("limits", SMALL)
    return run_python(source, store=store or g.Store.memory(), **kw)  # type: ignore[arg-type]


def _error(source: str, **kw: object) -> str:
    with pytest.raises(g.GritError) as caught:
        _run(source, **kw)
    return caught.value.error_class


def _core(store: g.Store, files: dict[str, bytes]) -> g.ObjectId:
    entries = {name: store.put_object(g.Blob(data=data)) for name, data in files.items()}
    return store.put_object(g.Tree(entries=entries))


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gritwit", "sandbox", "run", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


# -- containment -------------------------------------------------------------------------


def _cyclic_garbage(work: object) -> list[str]:
    """The frames, tracebacks and gritwit and wasmtime objects left in reference cycles by
    ``work()``, the cyclic collector off meanwhile: what a run keeps alive until the next
    collection.  Not counted: ctypes pointers (``wasmtime._bindings.LP_…``, a few bytes
    each, in cycles of their own through ctypes' ``_objects``) and ctypes array types."""
    gc.collect()
    gc.disable()
    try:
        work()  # type: ignore[operator]
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        kinds = {f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.garbage}
        return sorted(
            k
            for k in kinds
            if k in ("builtins.frame", "builtins.traceback")
            or (
                k.startswith(("wasmtime.", "gritwit."))
                and not k.startswith("wasmtime._bindings.LP_")
            )
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@pytest.mark.req("SBX-006.2", "SBX-008.1", "SBX-008.3")
@pytest.mark.parametrize(
    ("source", "raises"),
    [
        ('open("/core/f", "wb").write(b"x" * 4096)\n', None),  # proc_exit(0): ProcExit
        ("import sys\nsys.exit(3)\n", "program-exit"),
        ('open("/etc/passwd")\n', "forbidden-operation"),  # a host function's typed error
        ("while True:\n    pass\n", "fuel-exhausted"),  # a trap
    ],
    ids=["exit-0", "exit-3", "forbidden", "fuel"],
)
def test_a_run_leaves_no_cycle_holding_its_store_or_files(
    source: str, raises: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """wasmtime-py re-raises what ends a run (the program's exit, a host function's error,
    a trap) from a frame that keeps it: a cycle through the traceback held the run's store,
    linear memory and files until the next collection, hundreds of MiB a run (the 45 MiB
    per step actor's peak memory followed the collector, RUN-017.10).  The frames are
    cleared (``frames_cleared``), so nothing of a run outlives it in a cycle, whichever way
    it ended; the first run also takes the snapshot (its start-up ends with a stop)."""
    from gritwit.sandbox import _snapshot

    monkeypatch.setattr(_snapshot, "_SNAPSHOTS", {})
    limits = SandboxLimits(fuel=500_000_000, memory_bytes=64 << 20)

    def work() -> None:
        try:
            _run(source, limits=limits)
        except g.GritError as exc:
            assert exc.error_class == raises, exc
        else:
            assert raises is None

    assert _cyclic_garbage(work) == []


@pytest.mark.req("SBX-005.6", "SBX-008.2", "SBX-005.1")
def test_rm_rf_is_a_typed_violation_and_the_canary_survives(tmp_path: Path) -> None:
    canary = tmp_path / "outside" / "canary.txt"
    canary.parent.mkdir()
    canary.write_text("alive")
    program = tmp_path / "evil.py"
    program.write_text("import os; os.system('rm -rf /')\n")
    done = _cli(str(program), cwd=tmp_path)
    assert done.returncode == 1, done
    assert "violation forbidden-operation" in done.stderr
    assert "os.system" in done.stderr
    # the same with a path the host has: still nothing outside the mount is reachable
    assert _error(f"import os\nos.remove({str(canary)!r})\n") == "program-exit"
    assert _error(f"import shutil\nshutil.rmtree({str(tmp_path)!r})\n") in (
        "program-exit",
        "forbidden-operation",
    )
    assert canary.read_text() == "alive"
    assert program.exists()


@pytest.mark.req("SBX-005.6", "SBX-005.1")
def test_opening_etc_passwd_fails() -> None:
    assert _error("print(open('/etc/passwd').read())") == "forbidden-operation"
    # without the prelude's naming, WASI itself has nothing there: / is not preopened
    out = _run(
        "import os\ntry:\n    os.listdir('/')\nexcept OSError as e:\n    print('denied', e.errno)\n"
    )
    assert out.stdout.startswith(b"denied")


@pytest.mark.req("SBX-005.3", "SBX-008.2")
def test_sockets_and_sleeping_are_forbidden() -> None:
    assert (
        _error("import socket; socket.socket().connect(('127.0.0.1', 9))") == "forbidden-operation"
    )
    assert _error("import time; time.sleep(5)") == "forbidden-operation"
    # caught by the program, still forbidden (SBX-008.2: whatever it did afterwards)
    assert (
        _error("import time\ntry:\n    time.sleep(1)\nexcept OSError:\n    pass\n")
        == "forbidden-operation"
    )


@pytest.mark.req("SBX-008.2", "SBX-005.6")
def test_process_functions_are_forbidden() -> None:
    for line in (
        "import os; os.fork()",
        "import os; os.execv('/bin/sh', ['sh'])",
        "import subprocess; subprocess.run(['ls'])",
        "import os; os.kill(1, 9)",
    ):
        assert _error(line) == "forbidden-operation", line


@pytest.mark.req("SBX-003.1", "SBX-008.2")
def test_a_neighbour_keeps_working_after_hostile_runs() -> None:
    store = g.Store.memory()
    core = _core(store, {"n": b"0"})
    hostile = [
        "import os; os.fork()",
        "while True:\n    pass\n",
        "x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n",
        "import builtins; builtins.open = None; open('/etc/passwd')",
    ]
    for source in hostile:
        with pytest.raises(g.GritError):
            _run(
                source,
                store=store,
                core=core,
                limits=SandboxLimits(fuel=500_000_000, memory_bytes=48 << 20),
            )
        core = _run(COUNTER, store=store, core=core).core
    tree = store.get_object(core)
    assert isinstance(tree, g.Tree)
    assert store.get_object(tree.entries["n"]) == g.Blob(data=b"4")


@pytest.mark.req("SBX-006.1")
def test_an_infinite_loop_is_stopped_by_fuel() -> None:
    assert (
        _error("while True:\n    pass\n", limits=SandboxLimits(fuel=500_000_000))
        == "fuel-exhausted"
    )


@pytest.mark.req("SBX-006.2")
def test_a_memory_hog_is_stopped_by_the_memory_limit() -> None:
    hog = "x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n"
    assert _error(hog, limits=SandboxLimits(memory_bytes=48 << 20)) == "memory-limit"


@pytest.mark.req("SBX-006.3")
def test_default_limits_are_the_spec_s() -> None:
    limits = SandboxLimits()
    assert (limits.fuel, limits.memory_bytes) == (5 * 10**9, 256 << 20)
    assert (limits.output_bytes, limits.core_bytes, limits.sends_bytes) == (
        1 << 20,
        64 << 20,
        1 << 20,
    )


@pytest.mark.req("SBX-008.4", "SBX-008.6")
def test_an_abort_is_a_trap_and_a_stack_overflow_stack_exhausted() -> None:
    assert _error("import os\nos.abort()") == "trap"
    # C recursion past the interpreter's stack in its memory (the pointer wraps below 0)
    deep = "class A:\n    def __getattr__(self, name):\n        return getattr(self, name)\nA().x\n"
    assert _error(deep) == "stack-exhausted"
    # … and past the engine's own call stack (wasmtime's STACK_OVERFLOW)
    nested = "t = ()\nfor i in range(300000):\n    t = (t,)\nprint(hash(t))\n"
    assert _error(nested, limits=SandboxLimits()) == "stack-exhausted"  # the default fuel


@pytest.mark.req("SBX-008.3")
def test_a_non_zero_exit_is_program_exit() -> None:
    assert _error("raise SystemExit(3)") == "program-exit"
    assert _error("1 / 0") == "program-exit"
    assert _run("raise SystemExit(0)").stdout == b""


@pytest.mark.req("SBX-007.1", "SBX-007.2", "SBX-008.1")
def test_output_is_returned_and_bounded() -> None:
    assert _run("print('hello')").stdout == b"hello\n"
    assert _error("print('x' * 2_000_000)") == "output-too-large"
    # output-too-large comes before program-exit, forbidden-operation before fuel
    assert _error("print('x' * 2_000_000)\nraise SystemExit(1)") == "output-too-large"
    slow = (
        "import time\ntry:\n    time.sleep(1)\nexcept OSError:\n    pass\nwhile True:\n    pass\n"
    )
    assert _error(slow, limits=SandboxLimits(fuel=500_000_000)) == "forbidden-operation"


@pytest.mark.req("SBX-007.3")
def test_files_and_sends_beyond_their_limits() -> None:
    limits = SandboxLimits(core_bytes=1000, sends_bytes=100)
    assert _error("open('big', 'wb').write(bytes(1001))", limits=limits) == "output-too-large"
    assert _run("open('ok', 'wb').write(bytes(1000))", limits=limits).core is not None
    sends = "open('/out/sends.json', 'w').write('[' + ' ' * 200 + ']')"
    assert _error(sends, limits=limits) == "output-too-large"


@pytest.mark.req("SBX-007.4")
def test_writes_to_files_are_bounded_while_the_program_runs() -> None:
    limits = SandboxLimits(core_bytes=1000, sends_bytes=100)
    churn = (
        "import os\nfor i in range(20):\n    open('f', 'wb').write(bytes(100))\nos.remove('f')\n"
    )
    assert _error(churn, limits=limits) == "output-too-large"


@pytest.mark.req("SBX-005.7")
def test_file_metadata_does_not_depend_on_the_host() -> None:
    store = g.Store.memory()
    core = _core(store, {"b": b"1", "a": b"2", "c": b"3"})
    source = (
        "import os\nopen('new', 'w').write('x')\n"
        "print(os.listdir('.'), [os.stat(n).st_mtime for n in ('a', 'new')])\n"
        "print([os.stat(n).st_ino for n in ('a', 'new')])\n"
    )
    first, second = (_run(source, store=store, core=core).stdout for _ in range(2))
    assert first.splitlines()[0] == b"['a', 'b', 'c', 'new'] [946684800.0, 946684800.0]"
    assert first == second


# -- what the program sees ---------------------------------------------------------------


@pytest.mark.req("SBX-005.2", "SBX-003.2")
def test_environment_arguments_and_flags() -> None:
    out = _run(
        "import os, sys\n"
        "print(dict(os.environ), sys.argv, os.getcwd(), __name__)\n"
        "print(sys.flags.isolated, sys.flags.no_site, sys.flags.dont_write_bytecode)\n"
        "print(sys.stdin.read() == '')\n"
    ).stdout.decode()
    assert out.splitlines() == [
        "{} ['/input/gritwit_prelude.py'] /core __main__",
        "1 1 1",
        "True",
    ]


@pytest.mark.req("SBX-003.3")
def test_the_transition_input_file() -> None:
    store = g.Store.memory()
    core = _core(store, {"a": b"1"})
    messages = ({"from": "test", "text": "hi"},)
    out = _run(
        "import json\nprint(json.dumps(json.load(open('/input/transition.json'))))",
        store=store,
        core=core,
        messages=messages,
    )
    got = json.loads(out.stdout)
    assert got == {
        "format": "gritwit-sandbox/1",
        "core": core.hex(),
        "messages": [dict(messages[0])],
    }


@pytest.mark.req("SBX-005.4")
def test_the_clock_is_fixed() -> None:
    out = _run(
        "import time, datetime\nprint(time.time(), time.monotonic(), time.time_ns())\n"
        "print(datetime.datetime.now(datetime.timezone.utc).isoformat())"
    )
    first, second = out.stdout.decode().splitlines()
    assert first == f"946684800.0 946684800.0 {FIXED_TIME_NS}"
    assert second == "2000-01-01T00:00:00+00:00"
    # a program that expects time to pass sees that it does not
    expects = "import time\na = time.time()\nsum(range(10**5))\nassert time.time() > a\n"
    assert _error(expects) == "program-exit"


@pytest.mark.req("SBX-005.5")
def test_randomness_is_the_seeded_stream() -> None:
    source = "import os, random\nprint(os.urandom(16).hex(), random.random(), hash('x'))"
    first, again = _run(source), _run(source)
    assert first.stdout == again.stdout
    assert _run(source + "\n# other program, other seed").stdout != first.stdout
    transition = json.dumps(
        {"core": None, "format": "gritwit-sandbox/1", "messages": []},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    seed = hashlib.sha256(b"gritwit-sandbox/1\0" + source.encode() + b"\0" + transition).digest()
    stream = b"".join(hashlib.sha256(seed + n.to_bytes(8, "little")).digest() for n in range(4096))
    assert bytes.fromhex(first.stdout.split()[0].decode()) in stream
    # the stream is handed out without gaps, whatever the sizes asked for
    state = WasiState(seed)
    assert state.random(5) + state.random(40) + state.random(3) == stream[:48]


# -- the core is the filesystem ----------------------------------------------------------


@pytest.mark.req("SBX-004.1", "SBX-004.2", "SBX-009.1", "SBX-003.1")
def test_a_counter_gives_identical_tree_ids_across_runs_and_processes(tmp_path: Path) -> None:
    store = g.Store.memory()
    core = _core(store, {"n": b"0"})
    ids = []
    for expected in (1, 2, 3):
        result = _run(COUNTER, store=store, core=core)
        assert result.stdout == f"{expected}\n".encode()
        core = result.core
        ids.append(core)
    again = g.Store.memory()
    core2 = _core(again, {"n": b"0"})
    for _ in range(3):
        core2 = _run(COUNTER, store=again, core=core2).core
    assert core2 == ids[-1]
    tree = store.get_object(ids[-1])
    assert isinstance(tree, g.Tree) and set(tree.entries) == {"n"}
    assert store.get_object(tree.entries["n"]) == g.Blob(data=b"3")
    # another process, through the CLI, from a directory holding the same core
    (tmp_path / "mount").mkdir()
    (tmp_path / "mount" / "n").write_text("2")
    (tmp_path / "counter.py").write_text(COUNTER)
    done = _cli(
        "counter.py", "--mount", "mount", "--fuel", "2000000000", "--memory", "64", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:1] == ["3"]  # the program's output alone (SBX-016.2)
    assert f"gritwit sandbox: core: {ids[-1].hex()}" in done.stderr.splitlines()
    assert (tmp_path / "mount" / "n").read_text() == "2"  # the host directory is untouched


@pytest.mark.req("SBX-004.3", "SBX-004.2")
def test_unchanged_blobs_keep_their_ids_and_empty_directories_vanish() -> None:
    store = g.Store.memory()
    kept = store.put_object(g.Blob(data=b"keep", headers={"type": "note"}))
    changed = store.put_object(g.Blob(data=b"old", headers={"type": "note"}))
    sub = store.put_object(g.Tree(entries={"inner": kept}))
    core = store.put_object(g.Tree(entries={"kept": kept, "changed": changed, "sub": sub}))
    source = "import os\nopen('changed', 'w').write('new')\nos.mkdir('empty')\nos.makedirs('a/b')\n"
    result = _run(source, store=store, core=core)
    tree = store.get_object(result.core)
    assert isinstance(tree, g.Tree)
    assert set(tree.entries) == {"kept", "changed", "sub"}
    assert tree.entries["kept"] == kept and tree.entries["sub"] == sub
    assert store.get_object(tree.entries["changed"]) == g.Blob(data=b"new")
    assert (
        _run(
            "import os\nos.remove('kept')\nos.remove('changed')\nimport shutil\n"
            "shutil.rmtree('sub')",
            store=store,
            core=core,
        ).core
        is None
    )


@pytest.mark.req("SBX-004.4")
def test_a_link_left_in_the_mount_is_forbidden() -> None:
    store = g.Store.memory()
    core = _core(store, {"n": b"0"})
    assert (
        _error("import os\nos.symlink('n', 'link')", store=store, core=core)
        == "forbidden-operation"
    )


@pytest.mark.req("SBX-004.5")
def test_sends_are_declared_in_out_sends_json() -> None:
    to = "ab" * 32
    good = json.dumps([{"to": to, "headers": {"k": "v"}, "data": base64.b64encode(b"hi").decode()}])
    result = _run(f"open('/out/sends.json', 'w').write({good!r})")
    assert [(s.to.hex(), dict(s.headers), s.data) for s in result.sends] == [
        (to, {"k": "v"}, b"hi")
    ]
    assert _run("print(1)").sends == ()
    for bad in (
        '{"to": 1}',
        '[{"to": "zz"}]',
        f'[{{"to": "{to}", "data": "!!"}}]',
        "not json",
        f'[{{"to": "{to}", "extra": 1}}]',
    ):
        assert _error(f"open('/out/sends.json', 'w').write({bad!r})") == "invalid-transition", bad


@pytest.mark.req("SBX-005.1", "SBX-004.4")
def test_links_do_not_lead_out_of_the_mount() -> None:
    escape = (
        "import os\nos.symlink('../../../../../../..', 'up')\nprint(open('up/etc/passwd').read())"
    )
    # no link can even be made: the attempt itself is forbidden, whatever follows
    assert _error(escape) == "forbidden-operation"
    assert (
        _error("import os\nos.symlink('..', 'up')\nprint(os.listdir('up'))")
        == "forbidden-operation"
    )
    assert _error("import os\nos.link('/input/main.py', 'h')") == "forbidden-operation"


@pytest.mark.req("SBX-005.1", "SBX-005.9")
def test_input_is_read_only() -> None:
    assert _error("import os; os.remove('/input/main.py')") == "program-exit"
    assert _error("open('/input/x', 'w')") == "program-exit"


# -- the sandbox's own filesystem (SBX-005.7 … SBX-005.13, SBX-007.4, SBX-007.5) -----------


def _number(path: str) -> int:
    """N(path) as SBX-005.11 words it, computed here from the spec's text."""
    digest = hashlib.sha256(path.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "little") & (2**63 - 1)


#: The write budget of these runs: the core limit plus the sends limit (SBX-007.4).
BUDGET_LIMITS = SandboxLimits(
    fuel=2_000_000_000, memory_bytes=64 << 20, core_bytes=1000, sends_bytes=100
)


@pytest.mark.req("SBX-007.4", "SBX-007.5")
def test_the_write_budget_allows_exactly_its_bytes_and_not_one_more() -> None:
    limits = BUDGET_LIMITS
    # 1100 bytes written in all, across /core and /out, some of them removed: allowed
    exact = (
        "import os\nf = open('f', 'wb')\nf.write(bytes(600))\nf.write(bytes(300))\nf.close()\n"
        "os.remove('f')\nopen('/out/x', 'wb').write(bytes(199))\nopen('g', 'wb').write(b'1')\n"
        "print('ok')\n"
    )
    assert _run(exact, limits=limits).stdout == b"ok\n"
    # one byte more: ENOSPC, and the run is output-too-large even when the program goes on
    over = exact.replace("b'1'", "b'12'")
    assert _error(over, limits=limits) == "output-too-large"
    # what the program sees: ENOSPC, and nothing written; were it otherwise, the program
    # would make its run forbidden-operation, a class that comes before output-too-large
    caught = (
        "import errno, os\nopen('a', 'wb').write(bytes(1099))\nf = open('b', 'wb', buffering=0)\n"
        "try:\n    f.write(b'xy')\nexcept OSError as e:\n"
        "    if e.errno != errno.ENOSPC or os.stat('b').st_size != 0:\n"
        "        os.system('wrong')\nelse:\n    os.system('no error')\n"
        "try:\n    n = f.write(b'z')\nexcept OSError:\n    n = 0\n"
        "if n != 1 or os.stat('b').st_size != 1:\n    os.system('wrong')\n"
    )
    assert _error(caught, limits=limits) == "output-too-large"
    assert _error(caught.replace("xy", "x"), limits=limits) == "forbidden-operation"
    # a gap left by seeking past the end counts, and so does growing a file
    gap = "f = open('f', 'wb')\nf.seek({})\nf.write(b'x')\nf.close()\nimport os\nos.remove('f')\n"
    assert _run(gap.format(1099), limits=limits).core is None
    assert _error(gap.format(1100), limits=limits) == "output-too-large"
    grow = "import os\nf = open('f', 'wb')\nos.truncate('f', {})\nf.close()\nos.remove('f')\n"
    assert _run(grow.format(1100), limits=limits).core is None
    assert _error(grow.format(1101), limits=limits) == "output-too-large"


@pytest.mark.req("SBX-007.5", "SBX-007.4")
def test_a_write_past_the_budget_fails_with_enospc_and_writes_nothing() -> None:
    from gritwit.sandbox.wasi._fs import ENOSPC, Directory, File, FileFd, Filesystem, WasiError

    fs = Filesystem(Directory(), {}, budget=10, stdout=len, stderr=len)
    handle = FileFd(File(), "/core/f", 0, 1 << 6, 0, 0)
    fs.write_at(handle, 0, b"123456789")
    with pytest.raises(WasiError) as caught:
        fs.write_at(handle, 9, b"ab")
    assert caught.value.errno == ENOSPC == 51  # the WASI errno
    assert bytes(handle.file.data) == b"123456789" and fs.overflow
    fs.write_at(handle, 0, b"x")  # the last byte of the budget: an overwrite counts too
    with pytest.raises(WasiError):
        fs.write_at(handle, 0, b"y")
    assert bytes(handle.file.data) == b"x23456789"


@pytest.mark.req("SBX-005.7", "SBX-005.11", "SBX-005.12", "SBX-009.1")
def test_metadata_is_derived_from_the_path_and_the_same_in_every_run() -> None:
    store = g.Store.memory()
    core = store.put_object(
        g.Tree(entries={"a": store.put_object(g.Blob(data=b"12")), "d": _core(store, {"x": b""})})
    )
    source = (
        "import os\nos.utime('a', (5, 5))\nopen('new', 'w').write('abc')\n"
        "for p in ('a', 'new', 'd', 'd/x', '/core', '/input/main.py', 'd/../a'):\n"
        "    s = os.stat(p)\n"
        "    print(p, s.st_dev, s.st_ino, s.st_nlink, s.st_size, s.st_atime_ns, s.st_mtime_ns,"
        " s.st_ctime_ns)\n"
        "f = open('a')\nos.rename('a', 'b')\ns = os.fstat(f.fileno())\nprint('fd', s.st_ino)\n"
    )
    first = _run(source, store=store, core=core).stdout
    assert _run(source, store=store, core=core).stdout == first
    t = FIXED_TIME_NS
    core_dev, input_dev = _number("/core"), _number("/input")
    expected = [
        f"a {core_dev} {_number('/core/a')} 1 2 {t} {t} {t}",
        f"new {core_dev} {_number('/core/new')} 1 3 {t} {t} {t}",
        f"d {core_dev} {_number('/core/d')} 1 0 {t} {t} {t}",
        f"d/x {core_dev} {_number('/core/d/x')} 1 0 {t} {t} {t}",
        f"/core {core_dev} {_number('/core')} 1 0 {t} {t} {t}",
        f"/input/main.py {input_dev} {_number('/input/main.py')} 1 {len(source)} {t} {t} {t}",
        f"d/../a {core_dev} {_number('/core/a')} 1 2 {t} {t} {t}",
        f"fd {_number('/core/a')}",  # the path it was opened at
    ]
    assert first.decode().splitlines() == expected


@pytest.mark.req("SBX-005.7", "SBX-005.13")
def test_a_directory_lists_its_entries_by_utf8_bytes() -> None:
    store = g.Store.memory()
    names = ["B", "a", "\u00e9", "Z", "\U0001f600", "\uff21", "_", "0"]
    core = _core(store, dict.fromkeys(names[:4], b"1"))
    made = f"for n in {names[4:]!r}:\n    open(n, 'w').write('x')\n"
    listing = _run(
        made + "import os\nprint(os.listdir('.'))\nprint([e.inode() for e in os.scandir()])\n",
        store=store,
        core=core,
    ).stdout.decode()
    order = sorted(names, key=lambda name: name.encode("utf-8"))
    assert order[:4] == ["0", "B", "Z", "_"]  # not the order of creation, nor case-folded
    lines = listing.splitlines()
    assert lines[0] == repr(order)
    assert lines[1] == repr([_number("/core/" + name) for name in order])
    # many long names: read in several calls, each entry once, in order (cookies)
    many = [f"{i:03d}" + "x" * 200 for i in range(150)]
    big = "import os\nfor i in range(150):\n    open(f'{i:03d}' + 'x' * 200, 'w')\n"
    out = _run(big + "print(os.listdir('.') == sorted(os.listdir('.')), len(os.listdir('.')))")
    assert out.stdout == b"True 150\n" and len(many) == 150


@pytest.mark.req("SBX-004.6", "SBX-008.2")
def test_links_are_refused_wherever_they_would_be() -> None:
    for line in (
        "import os\nos.symlink('/input/main.py', '/out/l')",
        "import os\ntry:\n    os.symlink('x', 'l')\nexcept OSError:\n    pass\nprint('on')",
        "import os\nopen('f', 'w')\nos.link('f', 'g')",
    ):
        assert _error(line) == "forbidden-operation", line
    readlink = "import os, errno\ntry:\n    os.readlink('/input/main.py')\nexcept OSError as e:\n"
    out = _run(readlink + "    print(errno.errorcode[e.errno])")
    assert out.stdout == b"EINVAL\n"


@pytest.mark.req("SBX-005.8", "SBX-005.1", "SBX-008.2")
def test_dot_dot_cannot_leave_a_preopen() -> None:
    for line in (
        "import os\nprint(os.listdir('..'))",
        "import os\nos.stat('/core/../input/main.py')",
        "import os\nos.makedirs('a')\ntry:\n    os.stat('a/../../x')\nexcept OSError:\n    pass",
        "import os\nos.stat('/out/..')",
    ):
        assert _error(line) == "forbidden-operation", line
    # within the preopen, .. is just the parent
    inside = "import os\nos.makedirs('a/b')\nprint(os.stat('a/b/../..').st_ino)"
    assert _run(inside).stdout == f"{_number('/core')}\n".encode()


DIR_FD = "import os\nos.makedirs('/core/a/b')\nfd = os.open('/core/a/b', os.O_RDONLY)\n"


@pytest.mark.req("SBX-005.33", "SBX-005.6")
def test_dot_dot_from_a_descriptor_resolves_from_its_directory() -> None:
    program = DIR_FD + (
        "f = os.open('../../y', os.O_CREAT | os.O_WRONLY, dir_fd=fd)\n"
        "os.write(f, b'y')\nos.close(f)\n"
        "opener = lambda path, flags: os.open(path, flags, dir_fd=fd)\n"
        "open('../x', 'w', opener=opener).write('x')\n"
        "print(open('../../y', opener=opener).read(), os.stat('../..', dir_fd=fd).st_ino)\n"
        "os.chdir('/core/a/b')\nopen('../../z', 'w').write('z')\n"
    )
    store = g.Store.memory()
    result = _run(program, store=store)
    assert result.stdout == f"y {_number('/core')}\n".encode()
    assert result.core is not None
    tree = store.get_object(result.core)
    assert isinstance(tree, g.Tree) and sorted(tree.entries) == ["a", "y", "z"], (
        "../../y from a descriptor of /core/a/b is /core/y, not /y (SBX-005.33)"
    )


@pytest.mark.req("SBX-005.33", "SBX-005.8", "SBX-008.2")
def test_dot_dot_above_the_root_from_a_descriptor_is_forbidden() -> None:
    for attempt in (
        "os.open('../../../y', os.O_CREAT | os.O_WRONLY, dir_fd=fd)",
        "os.open('../y', os.O_CREAT | os.O_WRONLY, dir_fd=os.open('/core', os.O_RDONLY))",
        "os.open('../core/y', os.O_CREAT | os.O_WRONLY, dir_fd=os.open('.', os.O_RDONLY))",
        "os.stat('../../../..', dir_fd=fd)",
    ):
        program = DIR_FD + f"try:\n    {attempt}\nexcept OSError:\n    pass\n"
        with pytest.raises(g.GritError) as caught:
            _run(program)
        assert caught.value.error_class == "forbidden-operation", attempt
        assert "(SBX-005.8, SBX-005.33)" in str(caught.value), str(caught.value)


@pytest.mark.req("SBX-005.9", "SBX-005.1")
def test_input_refuses_every_change_with_erofs() -> None:
    attempts = [
        "open('/input/main.py', 'w')",
        "open('/input/main.py', 'a')",
        "open('/input/new', 'w')",
        "os.remove('/input/main.py')",
        "os.mkdir('/input/d')",
        "os.rename('/input/main.py', '/input/m')",
        "os.truncate('/input/main.py', 0)",
    ]
    body = "".join(
        f"try:\n    {attempt}\nexcept OSError as e:\n    print(errno.errorcode[e.errno])\n"
        for attempt in attempts
    )
    tail = "open('/out/f', 'w')\ntry:\n    os.rename('/out/f', '/core/f')\n"
    tail += "except OSError as e:\n    print(errno.errorcode[e.errno])\n"
    tail += (
        "print(open('/input/main.py').read() == open(__file__ if 0 else '/input/main.py').read())"
    )
    out = _run("import os, errno\n" + body + tail).stdout.decode().splitlines()
    assert out == ["EROFS"] * len(attempts) + ["EXDEV", "True"]


@pytest.mark.req("SBX-005.8", "SBX-005.1", "SBX-005.33")
def test_paths_resolve_inside_their_preopen_only() -> None:
    from gritwit.sandbox.wasi._fs import (
        EILSEQ,
        EINVAL,
        ENOENT,
        ENOTCAPABLE,
        ENOTDIR,
        Directory,
        File,
        Filesystem,
        WasiError,
        path_number,
    )

    core = Directory({"d": Directory({"f": File(b"1")})})
    fs = Filesystem(core, {}, budget=0, stdout=len, stderr=len)

    def at(fd: int, raw: bytes, path: str) -> bool:
        """The place names ``path``: its inode number is N(path) (SBX-005.11)."""
        return fs.place(fd, raw).number() == path_number(path)

    assert at(3, b"d/./f", "/core/d/f")
    sub = core.entries["d"]
    assert isinstance(sub, Directory)
    d = fs.add(fs.place(3, b"d").as_dir(sub))
    assert at(d, b"../y", "/core/y")  # from d's directory (SBX-005.33)
    assert at(d, b"../d/./../d/f", "/core/d/f")
    with pytest.raises(WasiError) as above:
        fs.place(d, b"../..")
    assert above.value.errno == ENOTCAPABLE and above.value.forbidden is not None
    assert at(3, b"d/../d//f/", "/core/d/f")
    assert at(5, b".", "/out")
    for raw, errno in (
        (b"..", ENOTCAPABLE),
        (b"d/../..", ENOTCAPABLE),
        (b"/etc/passwd", ENOTCAPABLE),
        (b"x/f", ENOENT),
        (b"d/f/g", ENOTDIR),
        (b"", ENOENT),
        (b"a\x00b", EINVAL),
        (b"\xff", EILSEQ),
    ):
        with pytest.raises(WasiError) as caught:
            fs.place(3, raw)
        assert caught.value.errno == errno, raw
        assert (caught.value.forbidden is not None) == (errno == ENOTCAPABLE), raw


@pytest.mark.req("SBX-005.10")
def test_descriptors_take_the_lowest_free_number() -> None:
    # at the WASI interface (the module's libc and VFS number their own descriptors)
    from gritwit.sandbox.wasi._fs import Directory, DirFd, File, FileFd, Filesystem, StreamFd

    fs = Filesystem(Directory(), {"main.py": b""}, budget=10, stdout=len, stderr=len)
    table = fs.descriptors
    assert [type(table[n]) for n in (0, 1, 2)] == [StreamFd] * 3
    assert [
        (d.preopen, d.trail.depth, d.writable)
        for d in (table[3], table[4], table[5])
        if isinstance(d, DirFd)
    ] == [
        ("/core", 0, True),
        ("/input", 0, False),
        ("/out", 0, True),
    ]
    new = [fs.add(FileFd(File(), n, 0, 0, 0, 0)) for n in range(3)]
    fs.close(new[1])
    fs.close(0)
    assert new == [6, 7, 8]
    assert [fs.add(FileFd(File(), 0, 0, 0, 0, 0)) for _ in range(3)] == [0, 7, 9]


@pytest.mark.req("SBX-004.3", "SBX-004.1", "SBX-004.2")
def test_the_core_round_trip_keeps_blob_ids_by_path() -> None:
    from gritwit.sandbox._mount import mount_tree, unmount_tree

    store = g.Store.memory()
    note = store.put_object(g.Blob(data=b"same", headers={"type": "note"}))
    other = store.put_object(g.Blob(data=b"other", headers={"type": "x"}))
    deep = store.put_object(g.Tree(entries={"n": note}))
    core = store.put_object(g.Tree(entries={"a": note, "b": other, "deep": deep}))
    # mounted and read back untouched: the very same tree, headers and all
    root, mounted = mount_tree(store, core)
    assert unmount_tree(store, root, mounted, 1 << 20) == core
    source = (
        "import os\nopen('a', 'w').write('same')\n"  # rewritten, same bytes: keeps its id
        "os.rename('b', 'c')\n"  # moved: a new path, a blob without headers
        "os.rename('deep/n', 'deep/m')\nos.rename('deep/m', 'deep/n')\n"  # back in place
    )
    tree = store.get_object(_run(source, store=store, core=core).core)
    assert isinstance(tree, g.Tree)
    assert tree.entries["a"] == note and tree.entries["deep"] == deep
    assert store.get_object(tree.entries["c"]) == g.Blob(data=b"other")
    assert "b" not in tree.entries


@pytest.mark.req("SBX-004.1", "SBX-004.2")
def test_a_core_of_any_depth_mounts_and_comes_back() -> None:
    from gritwit.sandbox._mount import mount_tree, unmount_tree

    store = g.Store.memory()
    tree = store.put_object(g.Tree(entries={"f": store.put_object(g.Blob(data=b"x"))}))
    for _ in range(3000):  # deeper than Python's recursion limit
        tree = store.put_object(g.Tree(entries={"d": tree}))
    root, mounted = mount_tree(store, tree)
    assert len(mounted.blobs) == 1 and unmount_tree(store, root, mounted, 10) == tree
    # made by a program
    deep = (
        "import os\nfor _ in range(1200):\n    os.mkdir('d')\n    os.chdir('d')\nopen('f', 'w')\n"
    )
    # the libc keeps the working directory as a path, so each call walks it from /core,
    # paid by its components (SBX-006.13): some 3.3 x 10**9 fuel in all
    node = _run(deep, store=store, limits=SandboxLimits(fuel=10**10, memory_bytes=64 << 20)).core
    for _ in range(1200):
        tree_object = store.get_object(node)
        assert isinstance(tree_object, g.Tree) and list(tree_object.entries) == ["d"]
        node = tree_object.entries["d"]
    assert store.get_object(node) == g.Tree(entries={"f": g.object_id(g.Blob(data=b""))})


#: File operations whose outcome POSIX fixes: run in the sandbox and by the host's Python
#: in a scratch directory, they print the same (errors as errno names).
FILE_OPERATIONS = """\
import errno, os
def attempt(label, fn):
    try:
        r = fn()
        print(label, "ok", r if not isinstance(r, os.stat_result) else r.st_size)
    except OSError as e:
        print(label, errno.errorcode.get(e.errno, e.errno))
with open("f", "w") as f:
    f.write("hello")
with open("f", "a") as f:
    f.write(" world")
print(open("f").read())
with open("f", "r+b") as f:
    f.seek(6); f.write(b"W"); f.seek(0, 2); print(f.tell()); f.seek(-5, 2); print(f.read())
    f.truncate(3); f.seek(0); print(f.read())
with open("f", "ab") as f:
    f.seek(0); f.write(b"!"); print(f.tell())
print(open("f", "rb").read())
attempt("missing", lambda: open("nope"))
attempt("mkdir", lambda: os.mkdir("d"))
attempt("mkdir again", lambda: os.mkdir("d"))
attempt("open dir for write", lambda: open("d", "w"))
attempt("file as dir", lambda: open("f/x", "w"))
attempt("listdir file", lambda: os.listdir("f"))
attempt("rmdir file", lambda: os.rmdir("f"))
attempt("remove dir", lambda: os.remove("d"))
open("d/x", "w").write("1")
attempt("rmdir nonempty", lambda: os.rmdir("d"))
attempt("rename file onto dir", lambda: os.rename("f", "d"))
os.mkdir("e")
attempt("rename dir onto nonempty dir", lambda: os.rename("e", "d"))
attempt("rename dir onto empty dir", lambda: os.rename("d", "e"))
attempt("rename dir into itself", lambda: os.rename("e", "e/sub"))
attempt("rename file onto file", lambda: os.replace("e/x", "f"))
attempt("exclusive", lambda: open("f", "x"))
attempt("stat slash on file", lambda: os.stat("f/"))
attempt("excl new", lambda: open("g", "x").close())
print(sorted(os.listdir(".")), os.path.isdir("e"), os.path.exists("d"), open("f").read())
import shutil
shutil.copytree("e", "e2"); shutil.copy2("f", "e2/f"); shutil.move("e2", "e3")
print(sorted(os.listdir("e3")), sorted(sorted(t[2]) for t in os.walk(".")))
shutil.rmtree("e3")
print(sorted(os.listdir(".")))
fd = os.open("h", os.O_CREAT | os.O_RDWR)
os.write(fd, b"abc"); os.lseek(fd, 0, 0); print(os.read(fd, 10), os.pread(fd, 2, 1))
os.pwrite(fd, b"Z", 5); os.close(fd)
print(open("h", "rb").read())
import pathlib, glob
pathlib.Path("p/q").mkdir(parents=True); pathlib.Path("p/q/r.txt").write_text("t")
print(sorted(glob.glob("**/*.txt", recursive=True)), pathlib.Path("p/q/r.txt").read_text())
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the oracle is Linux's errno for each case")
@pytest.mark.req("SBX-004.1", "SBX-005.1", "SBX-005.13")
def test_file_operations_behave_as_on_linux(tmp_path: Path) -> None:
    host = subprocess.run(
        [sys.executable, "-I", "-c", FILE_OPERATIONS],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    sandbox = _run(FILE_OPERATIONS, limits=SandboxLimits(fuel=4_000_000_000, memory_bytes=64 << 20))
    assert sandbox.stdout.decode().splitlines() == host.stdout.splitlines()
    assert len(host.stdout.splitlines()) == 29


@pytest.mark.req("SBX-005.1")
def test_a_run_touches_no_host_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins
    import tempfile

    _run("print(1)")  # the interpreter is loaded (and its compiled form cached) once
    store = g.Store.memory()
    core = _core(store, {"n": b"0"})

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the run touched the host's disk")

    for owner, name in (
        (builtins, "open"),
        (os, "open"),
        (os, "mkdir"),
        (os, "scandir"),
        (os, "remove"),
        (tempfile, "mkdtemp"),
    ):
        monkeypatch.setattr(owner, name, refuse)
    result = _run(
        COUNTER + "import os\nos.makedirs('d/e')\nopen('d/e/f', 'w').write('x')\n",
        store=store,
        core=core,
    )
    monkeypatch.undo()
    assert result.stdout == b"1\n" and result.core is not None


# -- naming the code ---------------------------------------------------------------------


@pytest.mark.req("SBX-001.1", "SBX-001.2", "SBX-001.3", "SBX-001.4", "SBX-002.1")
def test_the_wit_blob() -> None:
    held = load_interpreter(wasmtime.Engine()).blob_id if False else g.ObjectId.from_hex("cd" * 32)
    blob = wit_blob("print(1)", held)
    assert dict(blob.headers) == {
        "runtime": "python-wasi",
        "sandbox": "1",
        "interpreter": "cd" * 32,
    }
    assert program_of(blob, held) == "print(1)"
    other = g.ObjectId.from_hex("ef" * 32)
    cases = [
        (g.Blob(data=b"x", headers={"runtime": "wasm"}), "SBX-001.1"),
        (
            g.Blob(
                data=b"x",
                headers={"runtime": "python-wasi", "sandbox": "2", "interpreter": held.hex()},
            ),
            "SBX-001.4",
        ),
        (g.Blob(data=b"x", headers={"runtime": "python-wasi", "sandbox": "1"}), "SBX-001.4"),
        (
            g.Blob(
                data=b"x", headers={"runtime": "python-wasi", "sandbox": "1", "interpreter": "nope"}
            ),
            "SBX-001.3",
        ),
        (wit_blob("x", other), "SBX-002.1"),
        (g.Blob(data=b"\xff", headers=dict(blob.headers)), "SBX-001.2"),
    ]
    for bad, rid in cases:
        with pytest.raises(g.UnknownWit, match=rid.replace(".", r"\.")):
            program_of(bad, held)


@pytest.mark.req("SBX-002.3")
def test_a_module_is_named_by_the_tree_of_its_chunks() -> None:
    data = bytes(range(256)) * (2 * CHUNK_BYTES // 256) + b"tail"
    chunks = module_chunks(data)
    assert [len(c.data) for c in chunks] == [CHUNK_BYTES, CHUNK_BYTES, 4]
    assert b"".join(c.data for c in chunks) == data
    tree = module_tree(data)
    assert list(tree.entries) == ["000", "001", "002"]
    assert tree.entries["002"] == g.object_id(g.Blob(data=b"tail"))
    assert module_chunks(data[:CHUNK_BYTES]) == [g.Blob(data=data[:CHUNK_BYTES])]


@pytest.mark.req("SBX-002.1", "SBX-002.2")
def test_only_the_pinned_interpreter_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "python.wasm"
    fake.write_bytes(wasmtime.wat2wasm('(module (func (export "_start")))'))
    monkeypatch.setenv("GRITWIT_SANDBOX_PYTHON", str(fake))
    with pytest.raises(g.UnknownWit, match=r"SBX-002\.2"):
        load_interpreter(wasmtime.Engine())
    monkeypatch.setenv("GRITWIT_SANDBOX_PYTHON", str(tmp_path / "missing.wasm"))
    with pytest.raises(g.UnknownWit, match=r"SBX-002\.1"):
        load_interpreter(wasmtime.Engine())
    assert os.environ["GRITWIT_SANDBOX_PYTHON"].endswith("missing.wasm")


def _core_line(stderr: str) -> str:
    """The new core's id from the host's own line on standard error (SBX-016.2)."""
    prefix = "gritwit sandbox: core: "
    return next(line for line in stderr.splitlines() if line.startswith(prefix))[len(prefix) :]


@pytest.mark.req("SBX-004.2", "SBX-009.1")
def test_the_cli_mounts_a_tree_of_a_store_and_keeps_the_new_core_there(tmp_path: Path) -> None:
    (tmp_path / "counter.py").write_text(COUNTER)
    (tmp_path / "mount").mkdir()
    (tmp_path / "mount" / "n").write_text("0")
    limits = ("--fuel", "2000000000", "--memory", "64", "--store", "store")
    first = _cli("counter.py", "--mount", "mount", *limits, "--create", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    core = _core_line(first.stderr)
    second = _cli("counter.py", "--mount", core, *limits, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[0] == "2"
    new = g.ObjectId.from_hex(_core_line(second.stderr))
    store = g.Store.open(tmp_path / "store")
    tree = store.get_object(new)
    assert isinstance(tree, g.Tree)
    assert store.get_object(tree.entries["n"]) == g.Blob(data=b"2")
    missing = _cli("counter.py", "--mount", "ab" * 32, *limits, cwd=tmp_path)
    assert missing.returncode == 1 and "violation not-found" in missing.stderr
