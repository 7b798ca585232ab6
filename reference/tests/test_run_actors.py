"""The guide "Run actors" (``docs/guide/run-actors.md``) runs as written.

Its ``sh`` blocks 1 to 6 — a workspace with a Wasm counter, a Python program and a test
actor, each by name; push; sends and queries by name; list and history; a revert two
steps back and a send that counts on from there; an export from SQLite imported into
PostgreSQL — run in order as one bash script in an empty directory (with the suite's
``counter.wat`` where a clone has it), ``set -euo pipefail``: each ``test`` line of the
page is an assertion.  The page's PostgreSQL URL is replaced by a throwaway cluster's.

Block 7's two ``gritwit serve`` lines start two services on that store, one per share
(RUN-021), on free loopback ports in place of the page's; its ``curl`` lines are sent
as written to the matching service; and the status page of the first is opened in
headless Chromium, where the counter must be listed by name with the green of an actor
that is ok, read back from the screenshot's pixels (HTTP-014.3).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import service_proc
from chromium_pipe import CHROMIUM, browser, png_pixels

from gritwit.sandbox import INSTALL_HINT, interpreter_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT),
]

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide" / "run-actors.md"
#: The page's colour for an actor that is ok (ui/style.css), as test_serve_watch_page has it.
OK = (0x2E, 0xA0, 0x43)


def _blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def _session_script(pg_url: str) -> str:
    """Blocks 1 to 6 as one script, the page's PostgreSQL URL replaced by ``pg_url``."""
    script = "".join(_blocks()[:6])
    script, found = re.subn(r"^PG='[^']*'$", f"PG={shlex.quote(pg_url)}", script, flags=re.M)
    assert found == 1, "the guide sets PG='…' once, in block 6"
    return "set -euo pipefail\n" + script


def _serve_lines() -> list[tuple[str, list[str]]]:
    """Block 7: each service's page port and the arguments after ``gritwit serve --store
    "$PG"``."""
    found = []
    for line in _blocks()[6].splitlines():
        words = shlex.split(line.rstrip(" &"))
        assert words[:4] == ["gritwit", "serve", "--store", "$PG"], line
        listen = words.index("--listen")
        port = words[listen + 1].rsplit(":", 1)[1]
        found.append((port, words[4:listen] + words[listen + 2 :]))
    return found


def _curls() -> list[tuple[str, str, object]]:
    """Block 8's requests as ``(method, URL, JSON body or None)``, loops unrolled."""
    requests: list[tuple[str, str, object]] = []
    ports = ["8401"]
    for line in _blocks()[7].splitlines():
        line = line.strip()
        if line.startswith("for port in"):
            ports = line.removeprefix("for port in").split(";")[0].split()
            continue
        if not line.startswith("curl"):
            continue
        words = shlex.split(line)
        method = words[words.index("-X") + 1] if "-X" in words else "GET"
        body = json.loads(words[words.index("-d") + 1]) if "-d" in words else None
        url = next(w for w in words if w.startswith("http://"))
        for port in ports if "$port" in url else [""]:
            requests.append((method, url.replace("$port", port), body))
        if "$port" not in url:
            ports = ["8401"]
    return requests


@pytest.mark.req("RUN-026.4", "RUN-024.2", "RUN-009.2", "RUN-021.1", "HTTP-014.3", "CONV-005")
def test_the_run_actors_session_runs_as_written(tmp_path: Path, pg_url: str) -> None:
    work = tmp_path / "work"
    (work / "conformance" / "wasm" / "actors").mkdir(parents=True)
    counter = ROOT / "conformance" / "wasm" / "actors" / "counter.wat"
    shutil.copy(counter, work / "conformance" / "wasm" / "actors" / "counter.wat")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(
        ["bash", "-c", _session_script(pg_url)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "tally" in done.stdout and "python-wasi" in done.stdout  # the list's rows

    with service_proc.stopping([]) as services:
        urls = {}
        for port, extra in _serve_lines():
            services.append(service_proc.start(pg_url, *extra))
            urls[port] = services[-1].url
        with httpx.Client(timeout=60) as client:
            answers = []
            for method, url, body in _curls():
                port = url.split(":")[2].split("/")[0]
                target = urls[port] + url.split(port, 1)[1]
                answer = client.request(method, target, json=body)
                assert answer.status_code < 300, (method, url, answer.text)
                answers.append(answer)
            assert answers[-1].text == "3"  # 2 before the move, and the inc sent over HTTP
            tally = client.get(f"{urls['8401']}/v1/actors/tally").json()["actor"]
        if CHROMIUM is not None:
            _page_lists(tmp_path, urls["8401"], tally)
        for service in services:
            assert service.stop() == 0  # SIGTERM: a clean stop (HTTP-001.4)
    if CHROMIUM is None:
        pytest.skip("the session ran; its status page needs Chromium (apt-get install chromium)")


def _page_lists(tmp_path: Path, url: str, tally: str) -> None:
    """The status page lists ``tally`` by name, ok, its status cell painted green.

    The page fills its totals from ``/metrics`` after its list, which moves the rows down:
    the cell is read where it was both before and after the screenshot."""
    rows = "document.querySelectorAll('#actors tbody tr')"
    where = (
        f"(() => {{ const r = [...{rows}].find(r => r.dataset.actor === '{tally}');"
        " const c = r.querySelector('td.status').getBoundingClientRect();"
        " return [r.dataset.status, r.textContent, c.x + c.width / 2, c.y + c.height / 2];"
        " })()"
    )
    with browser(tmp_path / "chromium-profile", 1200, 800) as page:
        page.open(f"{url}/ui/")
        # the rows come with the HTML, before its style: measured once it has loaded
        page.wait_for(
            f"document.readyState === 'complete'"
            f" && [...{rows}].some(r => r.dataset.actor === '{tally}')"
        )
        for _ in range(50):
            before = page.evaluate(where)
            png = page.screenshot()
            if page.evaluate(where) == before:
                break
            time.sleep(0.2)
        status, text, x, y = before
        assert status == "ok" and "tally" in text, before
        width, _, _, lines = png_pixels(png)
        line = lines[int(y)]
        channels = len(line) // width
        at = int(x) * channels
        assert tuple(line[at : at + 3]) == OK, (tuple(line[at : at + 3]), before)
