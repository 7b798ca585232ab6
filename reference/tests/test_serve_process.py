"""``gritwit serve`` as a process: its one line, SIGTERM and SIGINT while clients send
(HTTP-001.4), a restart on the same store, and refusals before it serves.

Sends are acknowledged 202 only once committed (HTTP-005.2), so after a SIGTERM in the
middle of a stream of sends, exit status 0 and a restart, the counter has counted at
least every acknowledged send and at most every send made.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from service_proc import start, stopping

pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[serve]'")


def _sender(url: str, actor: str, tally: dict[str, int], stop: threading.Event) -> None:
    with httpx.Client(base_url=url, trust_env=False, timeout=10) as client:
        while not stop.is_set():
            tally["made"] += 1
            try:
                answer = client.post(
                    f"/v1/actors/{actor}/messages", json={"mt": "inc", "content": {"blob": ""}}
                )
            except httpx.HTTPError:
                return  # the service went away: this send may or may not have been made
            if answer.status_code == 202:
                tally["acknowledged"] += 1
            else:
                assert answer.status_code == 503, answer.text  # stopping: refused, not sent
                tally["refused"] += 1
                return


@pytest.mark.slow
@pytest.mark.req("HTTP-001.4", "HTTP-005.2", "HTTP-001.1", "HTTP-001.3")
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_service_exits_0_and_keeps_every_acknowledged_send(
    tmp_path: Path, signum: int
) -> None:
    store = tmp_path / "store"
    with stopping([start(store)]) as services:
        first = services[0]
        assert first.url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=first.url, trust_env=False, timeout=10) as client:
            answer = client.post("/v1/actors", json={"test": "counter"})
            assert answer.status_code == 201
            actor = answer.json()["actor"]
        tally = {"made": 0, "acknowledged": 0, "refused": 0}
        stop = threading.Event()
        sender = threading.Thread(target=_sender, args=(first.url, actor, tally, stop))
        sender.start()
        while tally["acknowledged"] < 30:
            time.sleep(0.01)
        first.process.send_signal(signum)
        assert first.process.wait(timeout=60) == 0
        stop.set()
        sender.join(timeout=30)
        assert [line for line in first.output if line.startswith("gritwit serve:")] == [
            f"gritwit serve: listening on {first.url}"
        ]
        services.append(start(store))
        with httpx.Client(base_url=services[-1].url, trust_env=False, timeout=60) as client:
            settled = client.post("/v1/settle", json={"timeout": 60})
            assert settled.json() == {"quiescent": True}
            counted = int(client.get(f"/v1/actors/{actor}/queries/count").content)
        assert tally["acknowledged"] <= counted <= tally["made"], (tally, counted)
        assert services[-1].stop() == 0


def _serve(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gritwit", "serve", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.req("HTTP-001.3")
def test_a_path_without_a_store_or_a_bad_listen_is_refused(tmp_path: Path) -> None:
    missing = _serve(str(tmp_path / "nothing"), "--listen", "127.0.0.1:0")
    assert missing.returncode == 2 and missing.stdout == ""
    assert "--create" in missing.stderr
    bad = _serve(str(tmp_path), "--listen", "localhost")
    assert bad.returncode == 2 and "HOST:PORT" in bad.stderr
    share = _serve(str(tmp_path), "--share", "3/2")
    assert share.returncode == 2 and "RUN-021" in share.stderr
    for bound in ("0", "-1", "x"):  # RUN-005: a transition's bound is a positive number
        refused = _serve(str(tmp_path), "--time-limit", bound)
        assert refused.returncode == 2 and "--time-limit" in refused.stderr, bound


async def _no_app(scope: object, receive: object, send: object) -> None:
    """An ASGI app never called: the server here is never started."""


@pytest.mark.req("HTTP-001.4")
def test_the_services_signal_handlers_are_undone_once_it_stops() -> None:
    """While it serves, ``gritwit serve`` stops on SIGINT and SIGTERM by its own handler
    (on the main thread, as the process runs it); once it has stopped, the handlers the
    process had before are back, so that a later signal is the process's own again."""
    import uvicorn

    from gritwit.serve._server import _Server

    signals = (signal.SIGINT, signal.SIGTERM)
    server = _Server(uvicorn.Config(_no_app, lifespan="off", log_config=None))
    asked: list[str] = []
    server.on_signal = lambda: asked.append("stop")
    before = {sig: signal.getsignal(sig) for sig in signals}
    with server.capture_signals():
        during = {sig: signal.getsignal(sig) for sig in signals}
        assert all(during[sig] is not before[sig] for sig in signals), (before, during)
        handler = during[signal.SIGTERM]
        assert callable(handler)
        handler(signal.SIGTERM, None)  # as the signal would: the service is asked to stop
        assert asked == ["stop"]
    assert {sig: signal.getsignal(sig) for sig in signals} == before
