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

from .._check import check_equal, ok_answer

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
    want = reference.call("perf-run", workload=workload, n=n)
    assert want.ok, want
    got = impl.call("perf-run", workload=workload, n=n)
    done = ok_answer(got, "ADP-018.1", f"perf-run {workload} n={n}")
    check_equal(
        "ADP-018.2",
        want.result.get("check"),
        done["check"],
        f"perf-run {workload} n={n}: the check, the reference's when the workload is "
        "done as defined",
    )
    elapsed = got.result["elapsed_ns"]
    assert isinstance(elapsed, int) and elapsed > 0, (
        f"perf-run {workload} n={n}: elapsed_ns {elapsed!r} is not a positive integer (ADP-018.3)"
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
def test_perf_run_bounds(impl: Implementation, workload: str, n: object, ok: bool) -> None:
    """The last allowed ``n`` (1; ``MAX_N`` is too slow to run here) and the first refused."""
    reply = impl.call("perf-run", check=False, workload=workload, n=n)  # breaks the schema
    if ok:
        ok_answer(reply, "ADP-018.4", f"perf-run {workload!r} n={n!r}, within its bounds")
    else:
        assert not reply.ok and reply.error_class == "bad-request", (
            f"perf-run {workload!r} n={n!r} must be bad-request (ADP-018.4): {reply}"
        )
