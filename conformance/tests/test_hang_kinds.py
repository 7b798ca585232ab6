"""Slow is not hung: each kind of hung adapter is reported, a slow one is not (ADP-012.1–ADP-012.4).

A fake adapter (``FAKE``, one behaviour per mode) answers ``hello`` and then
answers ``hash`` in one way each.  With a base limit of :data:`BASE` seconds and
scale 1, the rule gives a progress interval of :data:`BASE` and a hard cap of
ten times it:

- an adapter that makes no progress — sleeps, deadlocks two threads, blocks
  reading its input again, writes half a line and sleeps — is reported timed out
  within the limit plus one interval (ADP-012.3);
- one that spins forever is reported within the hard cap plus one interval
  (ADP-012.4);
- one that answers after three limits, burning CPU or writing to standard error
  all the while, passes (ADP-012.3).

The bounds asserted are hang bounds with slack for a loaded machine (the stated
bound plus :data:`SLACK`), not timings; a lower bound (it waited at least the
limit) shows the harness was patient for the right reason.
"""

from __future__ import annotations

import shlex
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Subprocess
from gritwit_conformance.harness._limits import AnswerLimit
from gritwit_conformance.harness._transport import AdapterBroken

#: The base limit of these adapters, seconds; scale 1.
BASE = 0.5
LIMIT = AnswerLimit(base=BASE, scale=1.0)
#: Slack over a stated bound: a loaded machine's scheduling and the samples' cost.
SLACK = 8.0
#: Seconds the slow adapters take to answer: three limits.
SLOW = 3 * BASE

FAKE = r"""
import json, os, sys, threading, time

MODE, SLOW = sys.argv[1], float(sys.argv[2])
HELLO = {"protocol": 1, "profiles": ["codec"], "implementation": {
    "name": "fake", "version": "0", "language": "python", "homepage": "", "spec": "0.1.0"}}


def send(message):
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def deadlock():
    a, b = threading.Lock(), threading.Lock()
    ready = threading.Barrier(2)

    def take(first, second):
        with first:
            ready.wait()
            with second:
                pass

    threads = [threading.Thread(target=take, args=pair) for pair in ((a, b), (b, a))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


for line in sys.stdin:
    request = json.loads(line)
    seq, cmd = request["seq"], request["cmd"]
    if cmd == "hello":
        send({"seq": seq, "ok": True, **HELLO})
        continue
    if cmd == "shutdown":
        send({"seq": seq, "ok": True})
        sys.exit(0)
    if MODE == "sleep":
        time.sleep(3600)
    elif MODE == "spin":
        while True:
            pass
    elif MODE == "deadlock":
        deadlock()
    elif MODE == "reread":
        sys.stdin.buffer.raw.read(1)  # waits for input the harness never sends
    elif MODE == "half-line":
        sys.stdout.write('{"seq": %d, "ok": tr' % seq)
        sys.stdout.flush()
        time.sleep(3600)
    elif MODE == "slow-cpu":
        end = time.monotonic() + SLOW
        while time.monotonic() < end:
            pass
    elif MODE == "slow-quiet":  # sleeps, no progress at all, then answers
        time.sleep(SLOW)
    elif MODE == "slow-stderr":
        end = time.monotonic() + SLOW
        while time.monotonic() < end:
            sys.stderr.write("still working\n")
            sys.stderr.flush()
            time.sleep(0.05)
    send({"seq": seq, "ok": True, "digest": "00" * 32})
"""


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[Path]:
    script = tmp_path / "fake_adapter.py"
    script.write_text(FAKE, encoding="utf-8")
    yield script


def started(fake: Path, mode: str) -> Subprocess:
    """The fake adapter in ``mode``, its handshake done (the clock starts after it)."""
    impl = Subprocess(shlex.join([sys.executable, str(fake), mode, str(SLOW)]), timeout=BASE)
    impl.info()
    return impl


def hung(impl: Subprocess) -> tuple[AdapterBroken, float]:
    """The time-out ``hash`` gets, and how long it took."""
    begin = time.monotonic()
    with pytest.raises(AdapterBroken) as info:
        impl.call("hash", bytes="")
    return info.value, time.monotonic() - begin


@pytest.mark.req("ADP-012.3", "ADP-012")
@pytest.mark.parametrize("mode", ["sleep", "deadlock", "reread", "half-line"])
def test_an_adapter_without_progress_times_out_within_limit_plus_interval(
    fake: Path, mode: str
) -> None:
    impl = started(fake, mode)
    error, elapsed = hung(impl)
    assert error.timed_out, error.reason
    assert error.reason.startswith("no response to hash within 0.5 s (adapter hangs: no CPU used")
    assert LIMIT.limit <= elapsed < LIMIT.limit + LIMIT.interval + SLACK, elapsed


@pytest.mark.req("ADP-012.4", "ADP-012")
def test_an_adapter_spinning_forever_times_out_at_the_hard_cap(fake: Path) -> None:
    impl = started(fake, "spin")
    error, elapsed = hung(impl)
    assert error.timed_out, error.reason
    assert "hard cap 5 s" in error.reason, error.reason
    assert LIMIT.hard_cap <= elapsed < LIMIT.hard_cap + LIMIT.interval + SLACK, elapsed


@pytest.mark.req("ADP-012.3", "ADP-012.1")
@pytest.mark.parametrize("mode", ["slow-cpu", "slow-stderr"])
def test_a_slow_adapter_that_makes_progress_passes(fake: Path, mode: str) -> None:
    impl = started(fake, mode)
    begin = time.monotonic()
    response = impl.call("hash", bytes="")
    elapsed = time.monotonic() - begin
    assert response.ok, response
    # It answered after the limit: only the progress rule kept the harness waiting.
    assert elapsed > LIMIT.limit, elapsed
    impl.close()


@pytest.mark.req("ADP-012.1")
def test_a_request_expected_to_take_longer_waits_that_much(fake: Path) -> None:
    """A quiet adapter (no CPU, no output) answering after three limits: timed out within
    the plain limit and its interval, answered when the test says the request takes that
    long on purpose (``call_taking``, added to the base limit)."""
    impl = started(fake, "slow-quiet")
    error, _ = hung(impl)
    assert error.timed_out, error.reason
    impl = started(fake, "slow-quiet")
    response = impl.call_taking(SLOW + 1.0, "hash", bytes="")
    assert response.ok, response
    impl.close()


@pytest.mark.req("ADP-012.3")
def test_without_the_progress_rule_the_slow_adapter_would_fail(
    fake: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deliberately wrong variant: a harness that ignores progress times it out."""
    from gritwit_conformance.harness import _transport

    monkeypatch.setattr(_transport, "judge", lambda before, after, limit: "progress ignored")
    impl = started(fake, "slow-cpu")
    error, _ = hung(impl)
    assert error.timed_out and "progress ignored" in error.reason


class _Bound(AssertionError):
    """What a test's watch raises: the bound it sees broken."""


@pytest.mark.req("ADP-012.3", "ADP-012.4")
def test_a_watch_that_sees_its_bound_broken_ends_the_wait_and_the_adapter(fake: Path) -> None:
    """``call_watched``: past the limit, the test's watch is asked once per interval; what
    it raises ends the wait long before the hard cap, kills the spinning adapter and is
    raised as it is, the implementation not poisoned (its next request starts another
    process)."""
    impl = started(fake, "spin")
    looks: list[float] = []

    def watch() -> None:
        looks.append(time.monotonic())
        if len(looks) == 2:
            raise _Bound("the second look sees the bound broken")

    begin = time.monotonic()
    with pytest.raises(_Bound):
        impl.call_watched(watch, "hash", bytes="")
    elapsed = time.monotonic() - begin
    assert len(looks) == 2 and looks[0] - begin >= LIMIT.limit, (looks, begin)
    assert elapsed < LIMIT.hard_cap, elapsed
    assert impl.pid is None, "the spinning adapter is killed"
    assert impl.info()["implementation"]["name"] == "fake", "a new process answers"
    impl.close()


@pytest.mark.req("ADP-012.1")
def test_a_watch_is_not_asked_of_an_answer_within_the_limit(fake: Path) -> None:
    impl = started(fake, "answer")
    looks: list[float] = []
    response = impl.call_watched(lambda: looks.append(0.0), "hash", bytes="")
    assert response.ok and looks == [], (response, looks)
    impl.close()
