"""What a hostile program can do to the host beside escaping: memory, fuel, terminal.

* The host's memory: the writev programs of the issue, run in a fresh process whose
  peak resident size is read before and after (``getrusage``).  Before the fix, one
  1 MiB buffer listed 1 024 times took the host from 229 MB to 2.2 GB, and 64 MiB
  listed 40 times to 5.4 GB; now each stays within :data:`HOST_GROWTH` of the
  baseline (measured: +0 MB and +16 MB), and 64 MiB listed 100 000 times too.
* ``gritwit sandbox run`` shows program text escaped, its own lines apart from the
  program's output, and a JSON form (SBX-016); it validates the caller's limits
  (SBX-006.8, SBX-006.9).
* Host work paid in fuel (SBX-006.7) is not timed here: CI's host-cost gate counts the
  host's instructions per unit of fuel for every WASI call and axis
  (``asv_bench/tools/host_cost.py``, ``tests/test_host_cost_gate.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from gritwit.sandbox import INSTALL_HINT, SandboxLimits, interpreter_path
from gritwit.sandbox._cli import OUTPUT_MARK, _shown, printable

pytestmark = [pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT)]

#: How much the host's peak resident size may grow over a warm baseline for one run.
HOST_GROWTH = 200 << 20

_MEASURE = textwrap.dedent(
    """\
    import resource, sys
    from gritwit.sandbox import run_python
    from gritwit.store import Store
    from gritwit._errors import GritError
    run_python("print(1)", store=Store.memory())  # the snapshot, compiled module: the baseline
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        run_python(sys.stdin.read(), store=Store.memory())
        answer = "ok"
    except GritError as error:
        answer = error.error_class
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(answer, before * 1024, after * 1024)
    """
)


def _host_memory(program: str) -> tuple[str, int, int]:
    """The class a run of ``program`` ends with, and the host's peak before and after it."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE],
        input=program,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    answer, before, after = done.stdout.split()
    return answer, int(before), int(after)


@pytest.mark.slow
@pytest.mark.req("SBX-005.15", "SBX-005.16", "SBX-007.2")
@pytest.mark.parametrize(
    ("size", "count"),
    [(1 << 20, 1024), (64 << 20, 40), (64 << 20, 100_000)],
    ids=["1MiB-x1024", "64MiB-x40", "64MiB-x100000"],
)
def test_the_writev_programs_end_output_too_large_within_the_host_bound(
    size: int, count: int
) -> None:
    program = f"import os\nbuf = b'x' * {size}\nos.writev(1, [buf] * {count})\n"
    answer, before, after = _host_memory(program)
    assert answer == "output-too-large"
    assert after - before <= HOST_GROWTH, (
        f"the host grew by {(after - before) >> 20} MiB for one buffer listed {count} times"
    )


# -- the command line (SBX-016) ----------------------------------------------------------------


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "gritwit", "sandbox", "run", *args],
        cwd=cwd,
        capture_output=True,
        timeout=300,
        check=False,
    )


INJECT = (
    'import sys\nsys.stderr.write("\\x1b]0;t\\x07\\x1b[2K\\rgritwit sandbox: ok, all good")\n'
    "raise SystemExit(3)\n"
)
FORGE = 'print("gritwit sandbox: core: " + "00" * 32)\nprint("\\x1b[31mred\\u202e")\n'


def test_printable_escapes_every_control_and_format_character() -> None:
    assert printable("a\x1b[2K\rb\x07\u202e\u2028\x85\x7f\ud800") == (
        "a\\x1b[2K\\rb\\x07\\u202e\\u2028\\x85\\x7f\\ud800"
    )
    assert printable("ok, Grüße 😀 \t") == "ok, Grüße 😀 \\t"


@pytest.mark.slow
@pytest.mark.req("SBX-016.1", "SBX-016.2")
def test_a_violation_cannot_erase_or_forge_the_host_line(tmp_path: Path) -> None:
    (tmp_path / "inject.py").write_text(INJECT)
    done = _cli("inject.py", "--memory", "64", cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == b""
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1, f"one violation line, whatever the program wrote: {lines}"
    assert lines[0].startswith("gritwit sandbox: violation program-exit: ")
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in lines[0]), lines[0]
    assert "'\\x1b]0;t\\x07\\x1b[2K\\rgritwit sandbox: ok, all good'" in lines[0], (
        "the program's stderr is quoted, its control characters escaped (SBX-016.1)"
    )


@pytest.mark.slow
@pytest.mark.req("SBX-016.2")
def test_the_host_lines_are_on_stderr_and_the_output_on_stdout_byte_for_byte(
    tmp_path: Path,
) -> None:
    (tmp_path / "forge.py").write_text(FORGE)
    done = _cli("forge.py", "--memory", "64", cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout == ("gritwit sandbox: core: " + "00" * 32 + "\n\x1b[31mred\u202e\n").encode()
    lines = done.stderr.decode().splitlines()
    assert [line.split(":")[1] for line in lines] == [" core", " fuel"], lines
    assert lines[0] == "gritwit sandbox: core: none", "the program left nothing in /core"


#: A program imitating the host's lines: plainly, after a carriage return, with a look-alike
#: letter (Cyrillic і), and last without a line break, to run on into the host's first line.
IMITATE = (
    'import sys\nprint("gritwit sandbox: fuel: 1")\nprint("\\rgritwit sandbox: core: none")\n'
    'print("gr\\u0456twit sandbox: fuel: 2")\nsys.stdout.write("gritwit sandbox: core: ")\n'
)

#: What it writes.
IMITATE_OUTPUT = (
    b"gritwit sandbox: fuel: 1\n\rgritwit sandbox: core: none\n"
    + "gr\u0456twit sandbox: fuel: 2\n".encode()
    + b"gritwit sandbox: core: "
)


@pytest.mark.req("SBX-016.4", "SBX-016.2")
def test_output_seen_beside_the_host_lines_is_marked_escaped_and_ended() -> None:
    out = b"a\tb\n\x1b[2Kgritwit sandbox: fuel: 1\n\ngritwit sandbox: core: "
    assert (
        _shown(out, True)
        == (
            f"{OUTPUT_MARK}a\tb\n{OUTPUT_MARK}\\x1b[2Kgritwit sandbox: fuel: 1\n{OUTPUT_MARK}\n"
            f"{OUTPUT_MARK}gritwit sandbox: core: \n"
        ).encode()
    )
    assert _shown(b"x\n", True) == f"{OUTPUT_MARK}x\n".encode()
    assert _shown(b"", True) == b"", "no output, no line"
    assert _shown(out, False) == out, "into a pipe or file of its own, byte for byte"
    assert not "gritwit sandbox:".startswith(OUTPUT_MARK)


def _host_lines(shown: str) -> list[str]:
    """The lines a person takes for the host's: every line without the mark (SBX-016.4)."""
    return [line for line in shown.splitlines() if not line.startswith(OUTPUT_MARK)]


@pytest.mark.slow
@pytest.mark.req("SBX-016.4", "SBX-016.2")
def test_an_imitation_is_marked_where_stdout_and_stderr_are_one_stream(tmp_path: Path) -> None:
    (tmp_path / "imitate.py").write_text(IMITATE)
    done = subprocess.run(
        [sys.executable, "-m", "gritwit", "sandbox", "run", "imitate.py", "--memory", "64"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # 2>&1: one pipe
        timeout=300,
        check=False,
    )
    assert done.returncode == 0
    shown = done.stdout.decode()
    host = _host_lines(shown)
    assert [line.split(":")[1] for line in host] == [" core", " fuel"], shown
    assert host[0] == "gritwit sandbox: core: none", shown
    assert int(host[1].removeprefix("gritwit sandbox: fuel: ")) > 1, "the host's fuel, not 1"
    assert "| \\rgritwit sandbox: core: none\n" in shown, "escaped, behind the mark (SBX-016.4)"
    assert "| gritwit sandbox: core: \ngritwit sandbox: core: none\n" in shown, (
        "the output's last line is ended: the host's first line starts a line of its own"
    )
    apart = _cli("imitate.py", "--memory", "64", cwd=tmp_path)
    assert apart.stdout == IMITATE_OUTPUT, "a pipe of its own: byte for byte (SBX-016.2)"


@pytest.mark.slow
@pytest.mark.req("SBX-016.4")
def test_an_imitation_is_marked_on_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "imitate.py").write_text(IMITATE)
    leader, follower = os.openpty()
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "gritwit", "sandbox", "run", "imitate.py", "--memory", "64"],
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=follower,
            stderr=follower,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 1 << 16)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert child.wait(timeout=300) == 0
    finally:
        os.close(leader)
    shown = b"".join(chunks).decode().replace("\r\n", "\n")
    host = _host_lines(shown)
    assert [line.split(":")[1] for line in host] == [" core", " fuel"], shown
    assert host[0] == "gritwit sandbox: core: none", shown
    assert "| gr\u0456twit sandbox: fuel: 2\n" in shown, "a look-alike is marked as well"


@pytest.mark.slow
@pytest.mark.req("SBX-016.3")
def test_json_output_for_scripts(tmp_path: Path) -> None:
    (tmp_path / "forge.py").write_text(FORGE)
    (tmp_path / "inject.py").write_text(INJECT)
    good = _cli("forge.py", "--json", "--memory", "64", cwd=tmp_path)
    assert good.returncode == 0 and good.stderr == b""
    answer = json.loads(good.stdout)
    assert answer["ok"] is True and answer["core"] is None and answer["sends"] == []
    assert bytes.fromhex(answer["stdout_hex"]).decode() == answer["stdout"]
    assert answer["stdout"].endswith("\x1b[31mred\u202e\n") and answer["fuel"] > 0
    assert good.stdout.isascii() and b"\x1b" not in good.stdout
    bad = _cli("inject.py", "--json", "--memory", "64", cwd=tmp_path)
    assert bad.returncode == 1
    failed = json.loads(bad.stdout)
    assert (failed["ok"], failed["class"], failed["requirement"]) == (
        False,
        "program-exit",
        "SBX-008.3",
    )
    assert "ok, all good" in failed["message"] and bad.stdout.isascii()
    usage = _cli("missing.py", "--json", cwd=tmp_path)
    assert usage.returncode == 2 and json.loads(usage.stdout)["class"] == "usage"


@pytest.mark.slow
@pytest.mark.req("SBX-006.8", "SBX-006.9")
def test_the_caller_limits_are_validated(tmp_path: Path) -> None:
    (tmp_path / "p.py").write_text("print(1)\n")
    for memory in ("1", "10"):
        done = _cli("p.py", "--memory", memory, cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        assert b"violation memory-limit: [SBX-006.8]" in done.stderr
    assert _cli("p.py", "--memory", "16", cwd=tmp_path).returncode == 0
    too_much = _cli("p.py", "--fuel", str(2**53), cwd=tmp_path)
    assert too_much.returncode == 2 and b"2**53 - 1" in too_much.stderr
    assert _cli("p.py", "--fuel", str(2**53 - 1), "--memory", "64", cwd=tmp_path).returncode == 0
    assert _cli("p.py", "--memory", str(2**33), cwd=tmp_path).returncode == 2


@pytest.mark.req("SBX-006.9")
@pytest.mark.parametrize("field", ["fuel", "memory_bytes", "output_bytes", "core_bytes"])
def test_sandbox_limits_take_1_to_2_53_minus_1(field: str) -> None:
    assert getattr(SandboxLimits(**{field: 2**53 - 1}), field) == 2**53 - 1
    assert getattr(SandboxLimits(**{field: 1}), field) == 1
    for wrong in (0, 2**53, -1, 2**64 + 5):
        with pytest.raises(ValueError, match=r"SBX-006\.9"):
            SandboxLimits(**{field: wrong})
    with pytest.raises(TypeError, match=r"SBX-006\.9"):
        SandboxLimits(**{field: True})
