"""The operator's in-flight bounds of ``gritwit serve``'s port (PORT-005.2, PORT-005.8).

``--port-max-in-flight N`` and ``--port-max-in-flight-total N`` take a whole number from
1 to 4 096 each; anything else keeps the service from starting (exit 2) with a line that
names PORT-005.8 and the option.  A service started with 1 per sender and 2 in all
accepts one request of a sender and refuses its second ``port-busy``, accepts a second
sender's and refuses a third's; one started with 9 per sender (above the default 8) and
the ceiling in all accepts nine of one sender at once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit.runtime import PortBounds
from gritwit.serve._port_bounds import CEILING, PortBoundsError, operator_port_bounds

OPTIONS = ("--port-max-in-flight", "--port-max-in-flight-total")


@pytest.mark.req("PORT-005.8")
def test_the_ceiling_is_no_lower_than_the_defaults() -> None:
    assert CEILING == 4_096
    assert PortBounds().max_in_flight <= CEILING and PortBounds().max_in_flight_total <= CEILING


@pytest.mark.req("PORT-005.8")
@pytest.mark.parametrize("text", ["1", "2", "4095", "4096"])
def test_each_end_of_the_range_is_taken(text: str) -> None:
    bounds = operator_port_bounds(text, text)
    assert (bounds.max_in_flight, bounds.max_in_flight_total) == (int(text), int(text))
    assert bounds.max_time == PortBounds().max_time  # the other bounds keep their defaults
    assert operator_port_bounds(None, None) == PortBounds()


@pytest.mark.req("PORT-005.8")
@pytest.mark.parametrize("which", [0, 1])
@pytest.mark.parametrize(
    "text", ["0", "4097", "-1", "", "1.5", "1e3", "x", "٣", "00", "99999999999"]
)
def test_a_value_out_of_range_is_refused_naming_the_clause_and_the_option(
    which: int, text: str
) -> None:
    given_ = [None, None]
    given_[which] = text
    with pytest.raises(PortBoundsError) as caught:
        operator_port_bounds(*given_)
    said = str(caught.value)
    assert said.startswith("PORT-005.8: ") and f"{OPTIONS[which]} must" in said, said


@pytest.mark.req("PORT-005.8")
@given(st.integers(min_value=-10_000, max_value=10_000))
def test_a_whole_number_is_taken_exactly_when_it_is_in_range(n: int) -> None:
    try:
        bounds = operator_port_bounds(str(n), str(n))
    except PortBoundsError:
        assert not 1 <= n <= CEILING, f"PORT-005.8: {n} is in range, yet refused"
    else:
        assert 1 <= n <= CEILING, f"PORT-005.8: {n} is out of range, yet taken"
        assert (bounds.max_in_flight, bounds.max_in_flight_total) == (n, n)


def _refused(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """``gritwit serve`` that must refuse to start; one that listens all the same (a wrong
    implementation) is stopped at its first line, so the test fails at once."""
    command = [sys.executable, "-m", "gritwit", "serve", "--store", str(tmp_path / "s")]
    process = subprocess.Popen(
        [*command, "--create", "--listen", "127.0.0.1:0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ},
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    if first.startswith("gritwit serve: listening"):
        process.terminate()
    out, err = process.communicate(timeout=120)
    assert not first.startswith("gritwit serve: listening"), (
        f"PORT-005.8: the service should refuse {extra}, yet it listens ({first.strip()})"
    )
    return subprocess.CompletedProcess(process.args, process.returncode, first + out, err)


@pytest.mark.req("PORT-005.8")
@pytest.mark.parametrize(
    "extra",
    [("--port-max-in-flight", "0"), ("--port-max-in-flight-total", "4097")],
    ids=["per-sender-0", "total-4097"],
)
def test_serve_refuses_to_start_with_a_bound_out_of_range(
    tmp_path: Path, extra: tuple[str, str]
) -> None:
    refused = _refused(tmp_path, *extra)
    assert refused.returncode == 2, refused
    assert f"PORT-005.8: {extra[0]} must be a whole number from 1 to 4,096" in refused.stderr
    assert repr(extra[1]) in refused.stderr, refused.stderr
    # the options are read before the store: a refused start leaves no store made by --create
    assert not (tmp_path / "s").exists(), "a refused start made the store all the same"


@pytest.mark.req("PORT-003.1")
def test_serve_refuses_to_start_with_a_policy_it_cannot_read_and_makes_no_store(
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text("[{", encoding="utf-8")
    refused = _refused(tmp_path, "--port-policy", str(policy))
    assert refused.returncode == 2, refused
    assert refused.stderr.startswith("gritwit serve: "), refused.stderr
    assert not (tmp_path / "s").exists(), "a refused start made the store all the same"


# --- the bounds reach the service's port ------------------------------------------------

httpx = pytest.importorskip("httpx", reason="needs the serve extra: pip install -e '.[test]'")
pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[test]'")

from serve_port_kill import _operator_files  # noqa: E402
from service_proc import start, stopping  # noqa: E402

from gritwit import Store  # noqa: E402
from gritwit.runtime import HTTP  # noqa: E402
from gritwit.wit import mailbox_map  # noqa: E402
from gritwit_conformance.suite.port._world import World  # noqa: E402


def _outcomes(store: Path, couriers: list[str]) -> dict[str, Counter[str]]:
    """Per courier: its answers by kind (``port-response``, or the failure's class)."""
    found: dict[str, Counter[str]] = {}
    with Store.open(store) as opened:
        head = opened.get_ref(f"heads/{HTTP.hex()}")
        step = None if head is None else opened.get_object(head)
        outbox = {} if step is None else mailbox_map(opened, step.outbox)  # type: ignore[union-attr]
        for courier in couriers:
            kinds: Counter[str] = Counter()
            last = next((m for a, m in outbox.items() if a.hex() == courier), None)
            while last is not None:
                message = opened.get_object(last)
                headers = message.headers  # type: ignore[union-attr]
                kinds[headers.get("error", headers["mt"])] += 1
                last = message.previous  # type: ignore[union-attr]
            found[courier] = kinds
    return found


def _port_message(world: World, courier: str, until: int, tag: str) -> dict[str, object]:
    target = f"{world.base}/echo?until={until}&tag={tag}"
    request = {"mt": "port-request", "port-method": "GET", "port-url": target}
    heads = {"tree": {"headers": {"blob": "", "headers": {"x-test": tag}}}}
    content = {"tree": {"request": {"blob": "", "headers": request}, "content": heads}}
    return {"to": courier, "mt": "port", "content": content}


def _serve_and_ask(
    tmp_path: Path, bounds: tuple[str, ...], rounds: list[list[int]]
) -> list[Counter[str]]:
    """A service with ``bounds`` and couriers; round ``r`` asks ``rounds[r][i]`` requests
    of courier ``i`` in one batch, each answered by the world 8 s after the first round,
    once every answer of the round before came but those the world holds; the couriers'
    answers, once all came."""
    from serve_port_kill import Family  # the family's files: a policy for the couriers' code

    store = tmp_path / "store"
    with World() as world:
        family = Family(tmp_path, world, [], None)  # type: ignore[arg-type]
        operator = _operator_files(family, tmp_path / "operator")
        with stopping([start(store, *operator, *bounds)]) as services:
            url = services[0].url
            couriers = []
            for n in range(len(rounds[0])):
                state = {"seed": f"c{n}".encode().hex()}
                made = httpx.post(f"{url}/v1/actors", json={"test": "courier", "state": state})
                assert made.status_code == 201, made.text
                couriers.append(made.json()["actor"])
            until = round(time.time() * 1000) + 8_000
            asked = Counter[str]()
            for r, counts in enumerate(rounds):
                batch = []
                for courier, count in zip(couriers, counts, strict=True):
                    for i in range(count):
                        batch.append(_port_message(world, courier, until, f"{r}-{courier[:8]}-{i}"))
                        asked[courier] += 1
                sent = httpx.post(f"{url}/v1/messages", json={"messages": batch}, timeout=60)
                assert sent.status_code == 202, sent.text
                deadline = time.monotonic() + 120
                while time.monotonic() < deadline:  # answered, or held by the world
                    got = _outcomes(store, couriers)
                    held = len(world.hits("/echo")) - sum(g["port-response"] for g in got.values())
                    if sum(sum(g.values()) for g in got.values()) + held == asked.total():
                        break
                    time.sleep(0.2)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                got = _outcomes(store, couriers)
                if all(sum(got[c].values()) == asked[c] for c in couriers):
                    break
                time.sleep(0.3)
            assert services[0].stop() == 0
    got = _outcomes(store, couriers)
    return [got[c] for c in couriers]


@pytest.mark.slow
@pytest.mark.req("PORT-005.8", "PORT-005.2")
def test_serve_with_one_per_sender_and_two_in_all_refuses_the_rest_busy(tmp_path: Path) -> None:
    """Two requests of one courier, then (the first in flight) one of each of two more."""
    bounds = ("--port-max-in-flight", "1", "--port-max-in-flight-total", "2")
    first, second, third = _serve_and_ask(tmp_path, bounds, [[2, 0, 0], [0, 1, 1]])
    busy = Counter({"port-response": 1, "port-busy": 1})
    assert first == busy, f"PORT-005.2: 1 per sender: expected one answered, one busy; {first}"
    answered = [second, third].count(Counter({"port-response": 1}))
    refused = [second, third].count(Counter({"port-busy": 1}))
    assert (answered, refused) == (1, 1), (
        f"PORT-005.2: 2 in all, one already in flight: expected one of the other two "
        f"answered and one busy; came {second} and {third}"
    )


@pytest.mark.slow
@pytest.mark.req("PORT-005.8", "PORT-005.2")
def test_serve_with_nine_per_sender_and_the_ceiling_in_all_takes_nine(tmp_path: Path) -> None:
    bounds = ("--port-max-in-flight", "9", "--port-max-in-flight-total", str(CEILING))
    (only,) = _serve_and_ask(tmp_path, bounds, [[9]])
    assert only == Counter({"port-response": 9}), (
        f"PORT-005.8: 9 per sender (the default is 8): expected nine answered, came {only}"
    )
