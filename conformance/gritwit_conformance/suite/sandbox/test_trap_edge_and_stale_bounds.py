"""The memory limit's 16 MiB edge for a trap, a write copied no further than it is taken,
and a finished run's time bound that stops nothing after it.

Written against the surviving mutants of ``gritwit/sandbox/_run.py`` (the trap's "at the
limit" test), ``wasi/_state.py`` (the bytes a write copies) and ``_stop.py`` (a run's
watch left behind when it ends):

- a trap is at the memory limit when the linear memory's size plus 16 MiB is more than
  the limit (SBX-006.2): with the limit exactly 16 MiB above the size the trap is
  ``trap``, with one byte less ``memory-limit``.  The size at the trap is the
  pinned interpreter's and the program's, not the host's; it is found on the in-process
  reference, as ``test_run_limits_at_the_edge`` finds a run's fuel and memory;
- a write to a file whose ``iovec`` array lists more bytes than the guest's memory
  writes at most the memory's size and answers the count it wrote (SBX-005.16): one
  40 MiB buffer listed three times under a 64 MiB memory limit writes at most 64 MiB;
- a runtime's bound on a transition that ended well within it stops no run that comes
  after (SBX-006.10: a time limit changes no run it does not stop; RUN-005.5).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.teleport._scenarios import sandbox_core

from .._check import call_ok, check, check_equal, ok_answer, suite_premise
from ._runs import check_class, failure_class, ran

pytestmark = pytest.mark.profile("sandbox")

MIB = 1 << 20
PAGE = 64 * 1024
#: Traps at once (``unreachable``), allocating nothing on the way.
ABORT = "import os\nos.abort()\n"


def _needs_interpreter() -> None:
    from gritwit.sandbox import interpreter_path

    if interpreter_path() is None:
        pytest.skip("the harness has no interpreter to compute the expected answer with")


def _reference_class(program: str, **limits: int) -> str | None:
    """The in-process reference's class of ``program`` (``None`` for a success)."""
    from gritwit.sandbox import SandboxLimits, run_python

    with g.Store.memory() as store:
        try:
            run_python(program, store=store, limits=SandboxLimits(**limits))
        except g.GritError as exc:
            return exc.error_class
    return None


def _trap_edge() -> int:
    """The least memory limit (a whole number of pages) at which ``ABORT`` is ``trap``: the
    linear memory's size at the trap plus 16 MiB (SBX-006.2), found on the reference."""
    low, high = (16 * MIB) // PAGE, (64 * MIB) // PAGE
    suite_premise(
        _reference_class(ABORT, memory_bytes=low * PAGE) == "memory-limit",
        "the reference's abort is at the limit under 16 MiB",
    )
    suite_premise(
        _reference_class(ABORT, memory_bytes=high * PAGE) == "trap",
        "the reference's abort is a trap under 64 MiB",
    )
    while high - low > 1:
        mid = (low + high) // 2
        if _reference_class(ABORT, memory_bytes=mid * PAGE) == "trap":
            high = mid
        else:
            low = mid
    return high * PAGE


@pytest.mark.req("SBX-006.2", "SBX-008.4")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("CONV-004")
def test_a_trap_16_mib_below_the_limit_is_trap_one_byte_closer_memory_limit(
    impl: Implementation,
) -> None:
    _needs_interpreter()
    edge = _trap_edge()
    size = edge - 16 * MIB  # the linear memory's size when os.abort() traps
    suite_premise(size > 0 and size % PAGE == 0, "the trap edge is 16 MiB and whole pages")
    check_class(
        ("SBX-006.2", "SBX-008.4"),
        "trap",
        failure_class(impl, ABORT, limits={"memory": edge}),
        f"os.abort() trapping with {size} bytes of linear memory under a limit of {edge} "
        "bytes: the size plus 16 MiB is not more than the limit, so the trap is not at it",
    )
    check_class(
        "SBX-006.2",
        "memory-limit",
        failure_class(impl, ABORT, limits={"memory": edge - 1}),
        f"os.abort() trapping with {size} bytes of linear memory under a limit of {edge - 1} "
        "bytes: the size plus 16 MiB is more than the limit, so the trap is at it",
    )


#: One 40 MiB buffer listed three times (120 MiB) in one write to a file.
WRITEV = """import os
buf = b'x' * (40 << 20)
fd = os.open('big', os.O_WRONLY | os.O_CREAT)
n = os.writev(fd, [buf, buf, buf])
os.close(fd)
size = os.path.getsize('big')
os.remove('big')
print(n, size)
"""


@pytest.mark.req("SBX-005.16", "SBX-007.4")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_a_write_longer_than_memory_writes_at_most_the_memory_size(impl: Implementation) -> None:
    memory = 64 * MIB
    # a write budget (core + sends, SBX-007.4) that could take the whole 120 MiB
    limits = {"memory": memory, "core": 256 * MIB}
    got = ran(impl, WRITEV, limits=limits)
    n, size = (int(word) for word in bytes.fromhex(got["stdout"]).split())
    check_equal(
        "SBX-005.16",
        size,
        n,
        "the count os.writev answered: the bytes the file holds, the count it wrote",
    )
    check(
        ("SBX-005.16", "SBX-007.4"),
        0 < n <= memory,
        expected=f"at most {memory} bytes, the guest's memory size, and more than none: a "
        "write to a file copies no byte past what it takes",
        came=f"{n} bytes",
        what="one 40 MiB buffer listed three times, written to a file",
    )


# --- a finished run's bound stops nothing after it (SBX-006.10) -----------------------------

COUNT = (
    "import os\nn = int(open('n').read()) if os.path.exists('n') else 0\n"
    "open('n', 'w').write(str(n + 1))\n"
)
#: Host work for about 4.4 x 10**9 fuel (within the default 5 x 10**9, SBX-006.3), which
#: lasts longer than plain bytecode (SBX-006.7): seconds.
LONG = "import os\nfor _ in range(200):\n    os.urandom(1 << 16)\nopen('n', 'w').write('1')\n"
#: The quick actor's runtime's bound: its lane stops a run a second after it at the latest.
SHORT_BOUND = 0.3
#: The long actor's runtime's bound: far more than its run takes on any machine.
LONG_BOUND = 600


@pytest.mark.slow
@pytest.mark.profile("sandbox", "runtime")
@pytest.mark.req("SBX-006.10", "RUN-005.5")
def test_a_finished_transitions_bound_never_stops_a_later_run(
    impl: Implementation, tmp_path: Path
) -> None:
    """A quick sandboxed transition under a bound of half a second, then, in another runtime
    of the same implementation, one that runs for seconds under a bound of minutes: the
    first's bound (and any backstop after it) passes while the second runs, and must not
    stop it. Whether the first ended within its bound depends on the machine; the second's
    outcome does not."""
    warm = impl.call("sandbox-run", program="print(1)\n")  # compilation and snapshot: once
    ok_answer(warm, "SBX-006.10", "sandbox-run of print(1), to compile once")
    interpreter = call_ok(impl, "SBX-006.10", "sandbox-info")["interpreter"]
    runtimes: list[str] = []
    try:
        actors = []
        for name, program, bound in (("quick", COUNT, SHORT_BOUND), ("long", LONG, LONG_BOUND)):
            (tmp_path / name).mkdir()
            opened = call_ok(
                impl, "SBX-006.10", "rt-open", path=str(tmp_path / name), time_limit=bound
            )
            runtime = opened["runtime"]
            runtimes.append(runtime)
            made = call_ok(impl, "SBX-006.10", "rt-genesis", runtime=runtime, actor="spawner")
            spawner = made["actor"]
            description, actor = sandbox_core(program, interpreter)
            call_ok(
                impl,
                "SBX-006.10",
                "rt-send",
                runtime=runtime,
                to=spawner,
                mt="spawn",
                content=description,
            )
            actors.append(actor)
        (quick, slow), (_, long_actor) = runtimes, actors
        # within its bound or not: either
        call_ok(impl, "SBX-006.10", "rt-run", runtime=quick, max_steps=10)
        run = call_ok(impl, "SBX-006.10", "rt-run", runtime=slow, max_steps=10)
        check(
            ("SBX-006.10", "RUN-005.5"),
            run["failures"] == [] and run["attempts"] == [],
            expected=f"no failure and no attempt: a transition running for seconds under a "
            f"bound of {LONG_BOUND} s is not stopped by the bound of an earlier one (another "
            f"runtime's, of {SHORT_BOUND} s, which ended)",
            came=run,
            what="rt-run of the long runtime",
        )
        check(
            ("SBX-006.10", "RUN-005.5"),
            long_actor in [actor for actor, _ in run["steps"]],
            expected=f"a step of the long actor {long_actor}",
            came=run,
            what="rt-run of the long runtime",
        )
    finally:
        for runtime in runtimes:
            impl.call("rt-close", runtime=runtime)
