"""The snapshot point's host calls and a run stopped when its runtime gives it up.

After the snapshot point (SBX-005.14) the host still serves the program's own
``clock_res_get`` and ``random_get``: every clock reads at a resolution of 1 ns
(SBX-005.4), each call is paid 20 000 fuel (SBX-006.5), a later call with a clock id
that is no WASI clock is an ordinary call, no second snapshot point (SBX-005.4,
SBX-005.14), and a random buffer
larger than any chunk a host makes it in is filled from one contiguous stretch of the
run's stream, the next call going on where it ended (SBX-005.5).

A runtime that gives up an overrunning sandboxed transition stops its run then
(SBX-006.11): the attempts of a program that spins on host work (whose default fuel
lasts seconds of host time, SBX-006.7) each end within about a second of their bound,
not when the fuel ends, and a transition that stays within its bound is not stopped
(SBX-006.10, RUN-005.5). The class an overrun attempt reports, `time-limit` (SBX-006.10,
SBX-013.1), is checked in ``test_failed_calls_and_sends``.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled
from gritwit_conformance.teleport._scenarios import sandbox_core

from .._check import call_ok, check, check_equal, error_answer, ok_answer
from ._runs import returned_objects, run_stream

pytestmark = pytest.mark.profile("sandbox")

#: Bytes of the first random buffer: more than two chunks of 64 KiB and a part of one.
BIG = 150_000

#: One run: the program's randomness first (nothing else draws before it), then its clocks.
POINT_PROGRAM = (
    "import os\n"
    f"a = os.urandom({BIG})\n"
    "b = os.urandom(8)\n"
    "import hashlib, time\n"
    "print(a[:16].hex(), hashlib.sha256(a + b).hexdigest())\n"
    "names = ['CLOCK_REALTIME', 'CLOCK_MONOTONIC', 'CLOCK_PROCESS_CPUTIME_ID',\n"
    "         'CLOCK_THREAD_CPUTIME_ID']\n"
    "for name in names:\n"
    "    if hasattr(time, name):\n"
    "        print(name, repr(time.clock_getres(getattr(time, name))))\n"
    "# a clock id that is no WASI clock (7), after the snapshot point: the id is the\n"
    "# 32-bit word at the address clock_getres is given, here a bytes object's data\n"
    "word = (7).to_bytes(4, 'little')\n"
    "try:\n"
    "    time.clock_getres(id(word) + 16)\n"
    "except OSError:\n"
    "    pass\n"
    "print('after')\n"
)


@pytest.mark.req("SBX-005.5", "SBX-005.14", "SBX-005.4", "SBX-005.15")
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_random_and_clocks_after_the_snapshot_point(impl: Implementation) -> None:
    reply = impl.call("sandbox-run", program=POINT_PROGRAM)
    result = ok_answer(reply, "ADP-019.2", "sandbox-run of the snapshot-point program")
    returned_objects("sandbox-run of the snapshot-point program", reply)
    lines = bytes.fromhex(result["stdout"]).decode("utf-8", "replace").splitlines()
    check_equal(
        "SBX-005.14",
        "after",
        lines[-1] if lines else None,
        "the last line of stdout: a clock_res_get with a clock id that is no WASI clock "
        "after the snapshot point is no second snapshot point, the program goes on",
    )
    head, digest = lines[0].split()
    # the host's runner may draw some before the program's first line (SBX-005.14)
    stream = run_stream(POINT_PROGRAM, [], (BIG >> 5) + 2048)
    at = stream.find(bytes.fromhex(head))
    check(
        "SBX-005.5",
        at >= 0,
        expected=f"os.urandom({BIG})'s first 16 bytes within the run's stream SHA-256(seed ‖ n)",
        came=head,
    )
    check_equal(
        "SBX-005.5",
        hashlib.sha256(stream[at : at + BIG + 8]).hexdigest(),
        digest,
        f"the SHA-256 of os.urandom({BIG}) then os.urandom(8): one contiguous stretch of the "
        "run's stream (a buffer larger than a host's chunk filled in order, each byte once, "
        "the next call going on where it ended)",
    )
    clocks = [line.split() for line in lines[1:-1]]
    check(
        "SBX-005.4",
        clocks and any(name == "CLOCK_MONOTONIC" for name, _ in clocks),
        expected="a line of clock_getres for CLOCK_MONOTONIC at least",
        came=lines,
    )
    for name, resolution in clocks:
        check_equal(
            "SBX-005.4",
            "1e-09",
            resolution,
            f"time.clock_getres(time.{name}): every clock reads at a resolution of 1 ns",
        )


#: ``n`` calls of ``clock_res_get``, each paid 20 000 fuel (SBX-006.5).
CLOCK_CALLS = (
    "import time\nfor _ in range({n}):\n    time.clock_getres(time.CLOCK_MONOTONIC)\n"
    "print('done')\n"
)


@pytest.mark.req("SBX-006.5", "SBX-006.1")
@pytest.mark.req("CONV-004")
def test_clock_res_get_is_paid_from_the_run_fuel(impl: Implementation) -> None:
    fuel = 100_000_000
    few = impl.call("sandbox-run", program=CLOCK_CALLS.format(n=1000), limits={"fuel": fuel})
    what = "1000 calls of time.clock_getres with 10**8 fuel (2 x 10**7 of host work)"
    done = ok_answer(few, "SBX-006.5", what)
    check_equal("SBX-006.5", b"done\n", bytes.fromhex(done["stdout"]), f"stdout of {what}")
    many = impl.call("sandbox-run", program=CLOCK_CALLS.format(n=5000), limits={"fuel": fuel})
    error_answer(
        many,
        "SBX-006.5",
        "fuel-exhausted",
        "5000 calls of time.clock_getres with 10**8 fuel (5000 x 20 000 = 10**8 of host work "
        "alone)",
    )


# --- a given-up run is stopped (SBX-006.11) --------------------------------------------------

#: Host work that spends the default fuel slowly (SBX-006.7): seconds of host time.
SPIN = "import os\nwhile True:\n    os.urandom(1 << 16)\n"
COUNT = (
    "import os\nn = int(open('n').read()) if os.path.exists('n') else 0\n"
    "open('n', 'w').write(str(n + 1))\n"
)
#: The spinner's runtime's bound, and how long a given-up run may go on (SBX-006.11).
BOUND = 0.1
ABOUT_A_SECOND = 1.0


@pytest.mark.profile("sandbox", "runtime")
@pytest.mark.req("SBX-006.11", "SBX-006.10", "SBX-006.1", "RUN-005.7", "RUN-005.5", "RUN-005.3")
@pytest.mark.req("CONV-004")
def test_a_given_up_run_is_stopped_and_one_within_its_bound_is_not(
    impl: Implementation, tmp_path: Path
) -> None:
    call_ok(impl, "RUN-005.5", "sandbox-run", program="print(1)\n")  # compile, snapshot: once
    interpreter = call_ok(impl, "RUN-005.5", "sandbox-info")["interpreter"]
    runtimes: list[str] = []
    try:
        # a counter under the default bound (RUN-005.1), a spinner under a short one
        actors = []
        for name, program, bound in (("calm", COUNT, None), ("given-up", SPIN, BOUND)):
            (tmp_path / name).mkdir()
            # the calm counter's bound: the default's 5 s (RUN-005.1), scaled like the
            # answer limits, since its transition must end within it (at most)
            # the spinner's runtime asks for no back-off: after an overrun the default
            # waits seconds (RUN-004.10), which this line does not measure
            options: dict[str, Any] = (
                {"time_limit": scaled(5.0)}
                if bound is None
                else {"time_limit": bound, "first_delay": 0}
            )
            opened = call_ok(impl, "RUN-005.7", "rt-open", path=str(tmp_path / name), **options)
            runtime = opened["runtime"]
            runtimes.append(runtime)
            spawner = call_ok(impl, "RUN-005.5", "rt-genesis", runtime=runtime, actor="spawner")
            description, actor = sandbox_core(program, interpreter)
            call_ok(
                impl,
                "RUN-005.5",
                "rt-send",
                runtime=runtime,
                to=spawner["actor"],
                mt="spawn",
                content=description,
            )
            actors.append(actor)
        (calm, given_up), (counter, spinner) = runtimes, actors
        # how long the spinner runs when nothing stops it: until its default fuel ends
        # (SBX-006.1), the time a run given up but not stopped holds the engine. A host
        # may also bound a run's wall-clock time (SBX-006.10): on a loaded machine the
        # Node adapter's backstop of 8 s ended it before its fuel did, which bounds that
        # time the same way
        started = time.monotonic()
        error_answer(
            impl.call("sandbox-run", program=SPIN),
            ("SBX-006.1", "SBX-006.10"),
            ("fuel-exhausted", "time-limit"),
            "sandbox-run of the spinner, which nothing stops but its fuel or the host's "
            "bound of wall-clock time",
        )
        unstopped = time.monotonic() - started
        started = time.monotonic()
        first = call_ok(impl, "RUN-005.5", "rt-run", runtime=calm, max_steps=10)
        calm_took = time.monotonic() - started
        check_equal(
            ("SBX-006.10", "RUN-005.5"),
            {"failures": [], "attempts": []},
            {"failures": first["failures"], "attempts": first["attempts"]},
            "rt-run of a sandboxed transition that ends well within its bound (a time limit "
            "changes no run it does not stop)",
        )
        check(
            "RUN-005.5",
            counter in [actor for actor, _ in first["steps"]],
            expected=f"a step of the counter {counter[:12]}… in the calm runtime's run",
            came=first,
        )
        started = time.monotonic()
        run = call_ok(impl, "RUN-005.3", "rt-run", runtime=given_up, max_steps=10)
        took = time.monotonic() - started
        check_equal(
            ("RUN-005.3", "RUN-005.7"),
            [spinner],
            [actor for actor, _ in run["failures"]],
            f"the actors that failed: the spinner, which overruns its bound of {BOUND} s in "
            "every attempt",
        )
        tries = len(run["attempts"])
        check(
            ("RUN-005.3", "RUN-005.7"),
            tries >= 1 and all(actor == spinner for actor, _ in run["attempts"]),
            expected="attempts, each of the spinner",
            came=run["attempts"],
        )
        check(
            ("SBX-006.11", "RUN-005.7"),
            took < tries * (BOUND + scaled(ABOUT_A_SECOND)) + scaled(2.0),
            expected=f"{tries} given-up attempts of a program whose fuel lasts seconds stopped "
            "at their bound (a runtime that gives up an overrunning sandboxed transition "
            "stops its run then, not when its fuel ends)",
            came=f"they took {took:.1f} s",
        )
        # a given-up run stopped at once frees the engine for the next attempt: five runs
        # that each held it until their fuel ended would take four times that at least
        check(
            ("SBX-006.11", "RUN-005.7"),
            took < tries * BOUND + 2 * unstopped,
            expected=f"less than {tries * BOUND + 2 * unstopped:.1f} s: {tries} attempts of "
            f"{BOUND} s, and less than twice the {unstopped:.1f} s the spinner runs unstopped "
            "(a given-up run stopped, not run on until its fuel ends, holding the engine)",
            came=f"they took {took:.1f} s",
        )
        # after the given-up runs the engine runs the next transition at once
        call_ok(
            impl, "RUN-005.5", "rt-send", runtime=calm, to=counter, mt="inc", content={"blob": ""}
        )
        started = time.monotonic()
        again = call_ok(impl, "RUN-005.5", "rt-run", runtime=calm, max_steps=10)
        again_took = time.monotonic() - started
        check(
            ("SBX-006.11", "RUN-005.5"),
            again_took < calm_took + unstopped / 2,
            expected=f"less than {calm_took + unstopped / 2:.1f} s: the {calm_took:.1f} s the "
            f"counter's first run took, and half the {unstopped:.1f} s the spinner runs "
            "unstopped (its next sandboxed transition need not wait for a given-up run)",
            came=f"{again_took:.1f} s",
            what="rt-run of the counter's next transition after the given-up runs",
        )
        check_equal(
            ("SBX-006.11", "RUN-005.5"),
            {"failures": [], "attempts": []},
            {"failures": again["failures"], "attempts": again["attempts"]},
            "rt-run of the counter's next transition after the given-up runs",
        )
    finally:
        for runtime in runtimes:
            impl.call("rt-close", runtime=runtime)
