"""Runs restored from a snapshot at the snapshot point equal cold starts (SBX-003.4, SBX-005.14).

Every program here runs twice, cold (``snapshot=False``: the interpreter starts from
``_start``) and restored (the process's snapshot on a fresh instance), and the two
must agree on everything a caller sees: output, new core, sends, fuel, error class
and message.  These run the real interpreter (``pip install 'gritwit[sandbox]'``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest
import wasmtime
from test_sandbox import COUNTER, SMALL

import gritwit as g
from gritwit.sandbox import INSTALL_HINT, SandboxLimits, interpreter_path, run_python
from gritwit.sandbox._interpreter import load_interpreter
from gritwit.sandbox._run import _shared_engine, _startup_state
from gritwit.sandbox._snapshot import (
    EXPORT_STACK,
    EXPORT_TABLE,
    STARTUP_SEED,
    _sections,
    derived_module,
    image_module,
    snapshot_of,
)

pytestmark = [
    pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT),
    pytest.mark.slow,
]

TO = "00" * 32
PROGRAMS = {
    "counter": COUNTER,
    "exception": "print('before')\nraise ValueError('boom')\n",
    "exit-3": "import sys\nprint('out')\nsys.exit(3)\n",
    "exit-text": "import sys\nsys.exit('a message')\n",
    "os-system": "import os\nos.system('rm -rf /')\n",
    "etc-passwd": "open('/etc/passwd').read()\n",
    "fuel": "while True:\n    pass\n",
    "memory-hog": "x = []\nwhile True:\n    x.append(bytearray(1 << 20))\n",
    "random": (
        "import os, random, uuid\n"
        "print(os.urandom(8).hex(), random.random(), hash('x'), hash(b'y'), uuid.uuid4())\n"
        "print(id(object()) - id(None), sorted({object(), object(), object()}, key=id) != [])\n"
    ),
    "sends-and-files": (
        "import json, base64\n"
        "f = open('left-open', 'w')\nf.write('unflushed')\n"
        "import os\nos.makedirs('d/e')\nopen('d/e/x', 'wb').write(b'1' * 100)\n"
        f"json.dump([{{'to': '{TO}', 'headers': {{'k': 'v'}}, 'data': "
        "base64.b64encode(b'hi').decode()}], open('/out/sends.json', 'w'))\n"
    ),
    "atexit": "import atexit\natexit.register(print, 'at exit')\nprint('main')\n",
    "syntax-error": "def f(:\n",
    "input": "import json\nprint(json.load(open('/input/transition.json')))\n",
}
LIMITS = {
    "fuel": SandboxLimits(fuel=300_000_000, memory_bytes=64 << 20),
    "memory-hog": SandboxLimits(fuel=2_000_000_000, memory_bytes=48 << 20),
}


def _outcome(source: str, *, snapshot: bool, limits: SandboxLimits = SMALL) -> object:
    """Everything a caller sees of one run, with the core's files and the store's objects."""
    store = g.Store.memory()
    core = store.put_object(g.Tree(entries={"n": store.put_object(g.Blob(data=b"41"))}))
    try:
        result = run_python(
            source,
            store=store,
            core=core,
            messages=({"n": 1},),
            limits=limits,
            snapshot=snapshot,
        )
    except g.GritError as error:
        return ("error", error.error_class, str(error))
    files = None if result.core is None else store.get_object(result.core)
    return (result.stdout, result.stderr, result.core, files, result.sends, result.fuel)


@pytest.mark.req("SBX-003.4", "SBX-009.1", "SBX-008.1", "SBX-006.4")
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_a_restored_run_equals_a_cold_start(name: str) -> None:
    limits = LIMITS.get(name, SMALL)
    cold = _outcome(PROGRAMS[name], snapshot=False, limits=limits)
    restored = _outcome(PROGRAMS[name], snapshot=True, limits=limits)
    assert restored == cold
    assert _outcome(PROGRAMS[name], snapshot=True, limits=limits) == restored


@pytest.mark.req("SBX-003.4", "SBX-008.1", "SBX-008.2", "SBX-008.3", "SBX-006.1", "SBX-006.2")
def test_the_error_classes_are_those_of_a_cold_start() -> None:
    expected = {
        "exception": "program-exit",
        "exit-3": "program-exit",
        "exit-text": "program-exit",
        "syntax-error": "program-exit",
        "os-system": "forbidden-operation",
        "etc-passwd": "forbidden-operation",
        "fuel": "fuel-exhausted",
        "memory-hog": "memory-limit",
    }
    for name, error_class in expected.items():
        outcome = _outcome(PROGRAMS[name], snapshot=True, limits=LIMITS.get(name, SMALL))
        assert isinstance(outcome, tuple) and outcome[:2] == ("error", error_class), name
    exit_3 = _outcome(PROGRAMS["exit-3"], snapshot=True)
    assert isinstance(exit_3, tuple) and "status 3" in str(exit_3[2])
    exception = _outcome(PROGRAMS["exception"], snapshot=True)
    assert isinstance(exception, tuple)
    assert "ValueError: boom" in str(exception[2]) and "status 1" in str(exception[2])


@pytest.mark.req("SBX-003.4", "SBX-004.2", "SBX-004.5", "SBX-007.1")
def test_a_restored_run_keeps_files_sends_and_exit_functions() -> None:
    store = g.Store.memory()
    result = run_python(PROGRAMS["sends-and-files"], store=store, limits=SMALL)
    assert result.core is not None
    tree = store.get_object(result.core)
    assert isinstance(tree, g.Tree) and set(tree.entries) == {"d", "left-open"}
    # a file the program never closed is flushed when the run ends, as at interpreter exit
    assert store.get_object(tree.entries["left-open"]) == g.Blob(data=b"unflushed")
    assert [(s.to.hex(), dict(s.headers), s.data) for s in result.sends] == [
        (TO, {"k": "v"}, b"hi")
    ]
    at_exit = run_python(PROGRAMS["atexit"], store=store, limits=SMALL)
    assert at_exit.stdout == b"main\nat exit\n"


@pytest.mark.req("SBX-003.1", "SBX-003.4")
def test_nothing_a_restored_run_leaves_in_memory_survives_it() -> None:
    store = g.Store.memory()
    spoil = (
        "import sys, json, builtins, os\n"
        "sys.modules['json'].dumps = None\nbuiltins.LEFT = 1\nos.environ['LEFT'] = '1'\n"
        "sys.setrecursionlimit(50)\nimport gc; gc.unfreeze(); gc.disable()\n"
        "LEFT_TOO = [bytearray(1 << 20) for _ in range(8)]\n"
    )
    check = (
        "import sys, json, builtins, os, gc\n"
        "print(json.dumps([1]), hasattr(builtins, 'LEFT'), 'LEFT' in os.environ,\n"
        "      sys.getrecursionlimit(), gc.isenabled(), 'LEFT_TOO' in globals())\n"
    )
    before = run_python(check, store=store, limits=SMALL)
    assert before.stdout == b"[1] False False 1000 True False\n"
    run_python(spoil, store=store, limits=SMALL)
    after = run_python(check, store=store, limits=SMALL)
    assert (after.stdout, after.fuel) == (before.stdout, before.fuel)


@pytest.mark.req("SBX-006.4", "SBX-006.1", "SBX-003.4")
def test_fuel_counts_from_the_snapshot_point_on_both_sides_of_the_limit() -> None:
    store = g.Store.memory()
    program = "print(sum(range(10000)))"
    engine = _shared_engine()
    module = load_interpreter(engine).module
    image = snapshot_of(engine, module, _startup_state)
    used = run_python(program, store=store, limits=SMALL).fuel
    # the start-up is not charged: a step costs a small part of it
    assert 0 < used * 20 < image.startup_fuel
    for snapshot in (False, True):
        exact = run_python(program, store=store, limits=SandboxLimits(fuel=used), snapshot=snapshot)
        assert (exact.stdout, exact.fuel) == (b"49995000\n", used)
        with pytest.raises(g.GritError) as caught:
            run_python(
                program, store=store, limits=SandboxLimits(fuel=used // 2), snapshot=snapshot
            )
        assert caught.value.error_class == "fuel-exhausted"


def _stream(seed: bytes, blocks: int) -> bytes:
    return b"".join(hashlib.sha256(seed + n.to_bytes(8, "little")).digest() for n in range(blocks))


@pytest.mark.req("SBX-005.14", "SBX-005.5")
def test_start_up_draws_from_the_start_up_stream_and_the_program_from_its_own() -> None:
    assert hashlib.sha256(b"gritwit-sandbox/1 start-up").digest() == STARTUP_SEED
    store = g.Store.memory()
    first = "import os\nprint(os.urandom(16).hex(), hash('x'))\n"
    other = first + "# another program: another seed\n"
    outputs = [
        run_python(source, store=store, limits=SMALL).stdout.split() for source in (first, other)
    ]
    # the hash seed comes from the start-up: the same for every program
    assert outputs[0][1] == outputs[1][1]
    # what the program draws comes from its run's stream
    for source, (drawn, _) in zip((first, other), outputs, strict=True):
        transition = json.dumps(
            {"core": None, "format": "gritwit-sandbox/1", "messages": []},
            sort_keys=True,
            separators=(",", ":"),
        ).encode()
        seed = hashlib.sha256(b"gritwit-sandbox/1\0" + source.encode() + b"\0" + transition)
        assert bytes.fromhex(drawn.decode()) in _stream(seed.digest(), 200)
    assert outputs[0][0] != outputs[1][0]


@pytest.mark.req("SBX-003.4", "SBX-002.2")
def test_the_derived_module_only_adds_two_exports() -> None:
    path = interpreter_path()
    assert path is not None
    original = path.read_bytes()
    derived = derived_module(original)
    assert derived_module(original) == derived  # deterministic
    engine = _shared_engine()
    module = load_interpreter(engine).module
    assert [export.name for export in module.exports] == [
        "memory",
        "_start",
        "wasi_vfs_pack_fs",
        EXPORT_STACK,
        EXPORT_TABLE,
    ]

    def sections(wasm: bytes) -> list[bytes]:
        return [wasm[start:end] for kind, start, _, end in _sections(wasm) if kind != 7]

    # every other section is the pinned build's, byte for byte, but the debugging ones
    kept = [part for part in sections(original) if b".debug" not in part[:16]]
    assert sections(derived) == kept
    assert len(original) - len(derived) > 10_000_000
    with pytest.raises(g.GritError) as caught:
        derived_module(wasmtime.wat2wasm('(module (memory (export "memory") 1))'))
    assert caught.value.error_class == "unknown-wit"


@pytest.mark.req("SBX-003.4", "SBX-006.2")
def test_a_memory_limit_below_the_snapshot_starts_cold() -> None:
    tight = SandboxLimits(fuel=2_000_000_000, memory_bytes=12 << 20)
    program = "x = bytearray(4 << 20)\nprint(len(x))"
    assert _outcome(program, snapshot=True, limits=tight) == _outcome(
        program, snapshot=False, limits=tight
    )


@pytest.mark.req("SBX-003.4", "SBX-003.1")
def test_both_ways_of_restoring_equal_a_cold_start(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = _shared_engine()
    interpreter = load_interpreter(engine)
    image = snapshot_of(engine, interpreter.module, _startup_state, interpreter.wasm)
    # the image module's fresh instance is the snapshot: only memory, global and data differ
    assert image.module is not None

    def sections(wasm: bytes) -> dict[int, bytes]:
        return {kind: wasm[start:end] for kind, start, _, end in _sections(wasm) if kind}

    memory = bytes(image.size)
    built = sections(image_module(interpreter.wasm, memory, image.stack_pointer))
    derived = sections(interpreter.wasm)
    assert {k for k in derived if derived[k] != built[k]} == {5, 6, 11}
    program = PROGRAMS["random"] + PROGRAMS["counter"]
    cold = _outcome(program, snapshot=False)
    assert _outcome(program, snapshot=True) == cold
    # the other way: the snapshot copied into an instance of the interpreter
    plain = dataclasses.replace(image, module=None)
    monkeypatch.setattr("gritwit.sandbox._run.snapshot_of", lambda *args: plain)
    assert _outcome(program, snapshot=True) == cold
