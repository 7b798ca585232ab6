"""The optional ``perf`` profile through the adapter (ADP-018.1 … ADP-018.4).

These tests check the benchmark command's answers, never its speed: for small
``n``, ``perf-run`` must name the same ``check`` as the in-process reference for
each workload (ADP-018.2: it did the work ADP-018.2 defines, no more, no less),
answer a positive ``elapsed_ns`` (ADP-018.3), and refuse a workload or ``n`` out
of bounds with ``bad-request`` (ADP-018.4), at both sides of each bound. An
implementation that claims ``perf`` must answer the command (ADP-018.1): an
``unsupported-command`` fails here. ``gritwit perf`` does the timing.
"""

from __future__ import annotations

import pytest

from gritwit_conformance.harness._implementation import Implementation, InProcess

from .._check import check, check_equal, error_answer, ok_answer

pytestmark = pytest.mark.profile("perf")

#: The largest ``n`` ADP-018 allows.
MAX_N = 1_000_000


@pytest.fixture(scope="module")
def reference() -> InProcess:
    return InProcess()


@pytest.mark.smoke
@pytest.mark.req("ADP-018.1", "ADP-018.2", "ADP-018.3")
@pytest.mark.parametrize("workload", ["encode", "counter", "ping-pong"])
@pytest.mark.parametrize("n", [1, 3])
def test_perf_run_does_the_workload(
    impl: Implementation, reference: InProcess, workload: str, n: int
) -> None:
    run = f"perf-run {workload} n={n}"
    want = ok_answer(reference.call("perf-run", workload=workload, n=n), "ADP-018.2", run)
    got = ok_answer(impl.call("perf-run", workload=workload, n=n), "ADP-018.1", run)
    check_equal(
        "ADP-018.2",
        want["check"],
        got["check"],
        f"{run}: the check, the reference's (the workload done as defined)",
    )
    elapsed = got["elapsed_ns"]
    check(
        "ADP-018.3",
        isinstance(elapsed, int) and elapsed > 0,
        expected="a positive integer",
        came=elapsed,
        what=f"{run}: elapsed_ns",
    )


@pytest.mark.req("ADP-018.4")
@pytest.mark.inputs("ascii", "empty", "past-largest")
@pytest.mark.parametrize(
    ("workload", "n", "ok"),
    [
        ("encode", 0, False),
        ("encode", 1, True),
        ("encode", MAX_N + 1, False),
        ("counter", -1, False),
        ("ping-pong", 2.5, False),
        ("pingpong", 1, False),
        ("", 1, False),
    ],
)
@pytest.mark.req("CONV-004")
def test_perf_run_bounds(impl: Implementation, workload: str, n: object, ok: bool) -> None:
    """The last allowed ``n`` (1; ``MAX_N`` is too slow to run here) and the first refused."""
    reply = impl.call("perf-run", check=False, workload=workload, n=n)  # breaks the schema
    if ok:
        ok_answer(reply, "ADP-018.4", f"perf-run {workload!r} n={n!r}, within the bounds")
    else:
        error_answer(reply, "ADP-018.4", "bad-request", f"perf-run {workload!r} n={n!r}")
