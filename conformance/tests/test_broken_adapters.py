"""The harness transport against tiny broken adapters (ADP-001, ADP-003, ADP-011, ADP-012, ADP-013).

Each adapter here is a few lines of Python (``FAKE`` below, one behaviour per
mode) that misbehaves in one way: silence, an exit, garbage, a wrong ``seq``,
a response outside the schema, an over-long line.  The harness must raise
:class:`AdapterBroken` with a readable reason and the adapter's standard
error, within its time-out, leave no process behind, and start a fresh
adapter for the next test after :meth:`Implementation.reset`.

The time bounds asserted here are the harness's time-outs working (a
correctness property of ADP-012), with a wide margin; they measure nothing.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gritwit_conformance.harness import _transport
from gritwit_conformance.harness._implementation import Subprocess
from gritwit_conformance.harness._transport import AdapterBroken, AdapterProcess
from gritwit_conformance.suite.runtime._drive import directories, wire_call
from gritwit_conformance.vectors import replay_runtime

#: Response time-out for adapters that are meant to hang (seconds).
SHORT = 0.5
#: Response time-out for adapters that answer or die at once: never reached.
LONG = 20.0
#: Wall-time bound for one broken exchange: the time-out plus generous slack for a loaded machine.
BOUND = 15.0

FAKE = r"""
import json, os, subprocess, sys, time

MODE, MARK = sys.argv[1], sys.argv[2]
HELLO = {"protocol": 1, "profiles": ["codec"], "implementation": {
    "name": "fake", "version": "0", "language": "python", "homepage": "", "spec": "0.1.0"}}
SETTINGS = {"time_limit": 5.0, "max_resident": None, "idle_after": None}  # ADP-015


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def hang():
    sys.stdin.read()  # no answer; ends when the harness goes away
    sys.exit(0)


if MODE == "exit-at-start":
    sys.stderr.write("fake: cannot load my config\n")
    sys.exit(3)
for line in sys.stdin:
    request = json.loads(line)
    seq, cmd = request["seq"], request["cmd"]
    if cmd == "hello":
        if MODE == "hang-hello":
            hang()
        if MODE == "refuse-protocol":
            send({"seq": seq, "ok": False, "error": {"class": "unsupported-protocol"}})
            continue
        if MODE == "grandchild":  # a child keeps stdout open after the adapter exits
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(4)"])
            with open(MARK, "w") as f:
                f.write(str(child.pid))
            os._exit(0)
        send({"seq": seq, "ok": True, **HELLO})
        continue
    if cmd == "shutdown":
        send({"seq": seq, "ok": True})
        if MODE == "ignore-shutdown":
            time.sleep(30)  # killed by the harness long before
        sys.exit(0)
    if MODE == "garbage":
        print("Traceback (most recent call last): oops")
    elif MODE == "wrong-seq":
        send({"seq": seq + 100, "ok": True, "digest": "00" * 32})
    elif MODE == "bad-envelope":
        send({"seq": seq, "ok": "yes"})
    elif MODE == "bad-result":
        send({"seq": seq, "ok": True, "digest": "XYZ"})
    elif MODE == "huge-line":
        sys.stdout.write('{"seq": %d, "ok": true, "pad": "%s"}\n' % (seq, "x" * 5000))
        sys.stdout.flush()
    elif MODE == "stderr-then-exit":
        sys.stderr.write("fake: disk on fire at block 7\n")
        sys.stderr.flush()
        sys.exit(4)
    elif MODE == "die-once" and not os.path.exists(MARK):
        open(MARK, "w").close()
        sys.exit(5)
    elif MODE == "hang-hash":
        hang()
    elif MODE == "deep-json":  # nested deeper than Python's JSON parser goes
        sys.stdout.write('{"seq": %d, "ok": true, "x": %s%s}\n' % (seq, "[" * 10**5, "]" * 10**5))
        sys.stdout.flush()
    elif cmd == "rt-open" and MODE in ("odd-bundle", "bad-steps"):
        send({"seq": seq, "ok": True, "runtime": "r1", "settings": SETTINGS})
    elif cmd == "rt-open" and MODE == "no-handle":
        send({"seq": seq, "ok": True, "settings": SETTINGS})
    elif cmd == "rt-export" and MODE == "odd-bundle":
        send({"seq": seq, "ok": True, "bundle": "abc"})
    elif cmd == "rt-run" and MODE == "bad-steps":
        send({"seq": seq, "ok": True, "steps": [["00" * 32]], "failures": [], "attempts": [],
              "quiescent": True})
    elif cmd == "rt-run" and MODE == "odd-bundle":
        send({"seq": seq, "ok": True, "steps": [], "failures": [], "attempts": [],
              "quiescent": True})
    else:
        send({"seq": seq, "ok": True, "digest": "00" * 32})
"""


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    script = tmp_path / "fake_adapter.py"
    script.write_text(FAKE, encoding="utf-8")
    yield script, tmp_path / "mark"


def argv(fake: tuple[Path, Path], mode: str) -> list[str]:
    script, mark = fake
    return [sys.executable, str(script), mode, str(mark)]


def command(fake: tuple[Path, Path], mode: str) -> str:
    return shlex.join(argv(fake, mode))


def gone(pid: int) -> bool:
    """The process no longer runs (reaped, or a zombie waiting for init)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except OSError:
        return True


def gone_soon(pid: int, within: float = 5.0) -> bool:
    """SIGKILL is delivered asynchronously: give the process a moment to die."""
    deadline = time.monotonic() + within
    while not gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def broken_call(impl: Subprocess, cmd: str = "hash") -> AdapterBroken:
    started = time.monotonic()
    with pytest.raises(AdapterBroken) as info:
        impl.call(cmd, bytes="")
    assert time.monotonic() - started < BOUND
    return info.value


@pytest.mark.req("ADP-012", "ADP-005")
def test_silence_in_the_handshake_times_out(fake: tuple[Path, Path]) -> None:
    proc = AdapterProcess(argv(fake, "hang-hello"), timeout=SHORT)
    started = time.monotonic()
    with pytest.raises(AdapterBroken, match=r"no response to hello within 0\.5 s"):
        proc.exchange({"seq": 1, "cmd": "hello", "protocol": 1})
    assert time.monotonic() - started < BOUND
    assert gone_soon(proc.pid), "the hung adapter was not killed"


@pytest.mark.req("ADP-012")
def test_silence_after_the_handshake_times_out(fake: tuple[Path, Path]) -> None:
    impl = Subprocess(command(fake, "hang-hash"), timeout=SHORT)
    impl.info()
    pid = impl.pid
    assert pid is not None
    error = broken_call(impl)
    assert "no response to hash within 0.5 s" in error.reason
    assert gone_soon(pid)


@pytest.mark.req("ADP-012", "ADP-001")
def test_an_adapter_that_exits_at_once(fake: tuple[Path, Path]) -> None:
    error = broken_call(Subprocess(command(fake, "exit-at-start"), timeout=LONG))
    assert "exited (status 3)" in error.reason and "hello" in error.reason
    assert "fake: cannot load my config" in error.stderr


@pytest.mark.req("ADP-012", "ADP-001")
def test_the_error_carries_the_tail_of_stderr(fake: tuple[Path, Path]) -> None:
    error = broken_call(Subprocess(command(fake, "stderr-then-exit"), timeout=LONG))
    assert "the adapter exited (status 4) while answering hash" in error.reason
    assert "disk on fire at block 7" in error.stderr
    assert "disk on fire at block 7" in str(error), "the message shown to users lacks stderr"


@pytest.mark.req("ADP-012", "ADP-001")
def test_non_json_on_stdout(fake: tuple[Path, Path]) -> None:
    impl = Subprocess(command(fake, "garbage"), timeout=LONG)
    impl.info()
    pid = impl.pid
    assert pid is not None
    error = broken_call(impl)
    assert "response to hash is not JSON" in error.reason and "Traceback" in error.reason
    assert gone_soon(pid)


@pytest.mark.req("ADP-012", "ADP-003")
def test_a_response_with_another_seq(fake: tuple[Path, Path]) -> None:
    error = broken_call(Subprocess(command(fake, "wrong-seq"), timeout=LONG))
    assert re.search(r"response to hash carries seq \d+, expected \d+", error.reason), error.reason


@pytest.mark.req("ADP-012", "ADP-013", "ADP-003")
@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        ("bad-envelope", "response to hash breaks the protocol schema"),
        ("bad-result", "result of hash breaks the protocol schema: digest"),
    ],
)
def test_a_response_outside_the_schema(fake: tuple[Path, Path], mode: str, problem: str) -> None:
    error = broken_call(Subprocess(command(fake, mode), timeout=LONG))
    assert problem in error.reason


@pytest.mark.req("ADP-012", "ADP-001")
def test_an_over_long_line(fake: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_transport, "MAX_LINE", 1000)
    impl = Subprocess(command(fake, "huge-line"), timeout=LONG)
    impl.info()
    pid = impl.pid
    assert pid is not None
    error = broken_call(impl)
    assert "response to hash is not a complete line of at most 1000 bytes" in error.reason
    assert gone_soon(pid)


@pytest.mark.req("ADP-012", "ADP-001")
def test_json_nested_too_deep_to_parse(fake: tuple[Path, Path]) -> None:
    """A RecursionError of the JSON parser is the adapter's fault, not the harness's."""
    impl = Subprocess(command(fake, "deep-json"), timeout=LONG)
    impl.info()
    pid = impl.pid
    assert pid is not None
    error = broken_call(impl)
    assert "response to hash is not JSON" in error.reason and "recursion" in error.reason
    assert gone_soon(pid)


#: Operations of a runtime scenario that reach rt-open, rt-run and rt-export (ADP-015).
_OPERATIONS = [
    {"op": "run", "max_steps": 1, "expect": {}},
    {"op": "transfer", "actor": "00" * 32, "expect": {}},
]


@pytest.mark.req("ADP-012", "ADP-013", "ADP-015")
@pytest.mark.parametrize(
    ("mode", "problem"),
    [
        ("no-handle", "result of rt-open breaks the protocol schema: (top level): 'runtime'"),
        ("bad-steps", "result of rt-run breaks the protocol schema: steps/0"),
    ],
)
def test_replaying_a_runtime_scenario_on_answers_of_the_wrong_shape(
    fake: tuple[Path, Path], tmp_path: Path, mode: str, problem: str
) -> None:
    impl = Subprocess(command(fake, mode), timeout=LONG)
    answers = replay_runtime(wire_call(impl), impl.kill, {}, _OPERATIONS, directories(tmp_path))
    with pytest.raises(AdapterBroken) as info:
        list(answers)
    assert problem in info.value.reason
    impl.kill()


@pytest.mark.req("ADP-004", "ADP-015")
def test_replaying_a_runtime_scenario_on_a_bundle_of_odd_length(
    fake: tuple[Path, Path], tmp_path: Path
) -> None:
    """The schema checks hex digits, not the even length: replay names the fault (ADP-004)."""
    impl = Subprocess(command(fake, "odd-bundle"), timeout=LONG)
    answers = replay_runtime(wire_call(impl), impl.kill, {}, _OPERATIONS, directories(tmp_path))
    with pytest.raises(ValueError, match=r"rt-export answered a bundle .* even length \(ADP-004\)"):
        list(answers)
    impl.kill()


@pytest.mark.req("ADP-015", "ADP-012")
def test_kill_during_a_command_the_adapter_never_answers(fake: tuple[Path, Path]) -> None:
    impl = Subprocess(command(fake, "hang-hash"), timeout=LONG)
    impl.info()
    first = impl.pid
    assert first is not None
    started = time.monotonic()
    impl.kill_during("hash", 0.05, bytes="")
    assert time.monotonic() - started < BOUND
    assert impl.pid is None and gone_soon(first)
    assert impl.info()["profiles"] == ["codec"]  # the next command starts a fresh adapter
    assert impl.pid is not None and impl.pid != first
    impl.kill()


@pytest.mark.req("ADP-015", "ADP-012")
def test_kill_during_a_command_to_an_adapter_that_is_already_dead(fake: tuple[Path, Path]) -> None:
    """send_only to a closed pipe is no error: the kill that follows is what was asked."""
    impl = Subprocess(command(fake, "ok"), timeout=LONG)
    impl.info()
    first = impl.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    assert gone_soon(first)
    impl.kill_during("hash", 0.0, bytes="00" * 100_000)  # more than a pipe buffer holds
    assert impl.pid is None
    reply = impl.call("hash", bytes="")
    assert reply.ok and impl.pid not in (None, first)
    impl.kill()


@pytest.mark.req("ADP-012", "ADP-005")
def test_a_refused_handshake(fake: tuple[Path, Path]) -> None:
    error = broken_call(Subprocess(command(fake, "refuse-protocol"), timeout=LONG))
    assert "handshake refused" in error.reason and "unsupported-protocol" in error.reason


@pytest.mark.req("ADP-012", "ADP-001")
def test_a_command_that_cannot_start(tmp_path: Path) -> None:
    error = broken_call(Subprocess(shlex.quote(str(tmp_path / "no-such-adapter")), timeout=LONG))
    assert "cannot start" in error.reason


#: Wall-time bound when the adapter leaves behind a child that lives 4 s (see FAKE).
GRANDCHILD_BOUND = 3.0


@pytest.mark.req("ADP-012")
def test_a_grandchild_holding_stdout_does_not_hang_the_harness(fake: tuple[Path, Path]) -> None:
    impl = Subprocess(command(fake, "grandchild"), timeout=SHORT)
    started = time.monotonic()
    with pytest.raises(AdapterBroken) as info:
        impl.call("hash", bytes="")
    elapsed = time.monotonic() - started
    child = int(fake[1].read_text())
    child_gone = gone_soon(child)
    assert "no response to hello within 0.5 s" in info.value.reason
    assert elapsed < GRANDCHILD_BOUND, f"the harness hung {elapsed:.1f} s on the adapter's child"
    assert child_gone, "the adapter's child survived the kill of its process group"


@pytest.mark.req("ADP-012")
def test_the_next_test_gets_a_fresh_adapter(fake: tuple[Path, Path]) -> None:
    """A broken exchange poisons the rest of the test; reset() lets the next one restart it."""
    impl = Subprocess(command(fake, "die-once"), timeout=LONG)
    impl.info()
    first = impl.pid
    assert first is not None
    error = broken_call(impl)
    assert "exited (status 5)" in error.reason
    started = time.monotonic()
    with pytest.raises(AdapterBroken) as again:
        impl.call("hash", bytes="")
    assert again.value is error, "a poisoned implementation must fail at once with the cause"
    assert time.monotonic() - started < BOUND
    impl.reset()
    reply = impl.call("hash", bytes="")
    assert reply.ok and reply.result == {"digest": "00" * 32}
    assert impl.pid is not None and impl.pid != first
    assert gone_soon(first)
    impl.close()
    assert impl.pid is None


@pytest.mark.req("ADP-011")
def test_shutdown_of_a_polite_adapter(fake: tuple[Path, Path]) -> None:
    proc = AdapterProcess(argv(fake, "ok"), timeout=LONG)
    proc.exchange({"seq": 1, "cmd": "shutdown"})
    assert proc.shutdown(grace=BOUND) == 0
    assert gone_soon(proc.pid)


@pytest.mark.req("ADP-011", "ADP-012")
def test_an_adapter_that_ignores_shutdown_is_killed(fake: tuple[Path, Path]) -> None:
    proc = AdapterProcess(argv(fake, "ignore-shutdown"), timeout=LONG)
    proc.exchange({"seq": 1, "cmd": "shutdown"})
    started = time.monotonic()
    assert proc.shutdown(grace=SHORT) is None, "shutdown() reports a kill as None"
    assert time.monotonic() - started < BOUND
    assert gone_soon(proc.pid)
