"""The guide "An agent that acts" (``docs/guide/agent.md``) runs as written.

A stand-in model (``standin_model.py``) listens on a free loopback port with the key the
page exports.  Block 1 (the workspace, two pushes, the policy) runs as one bash script,
``set -euo pipefail``, in an empty directory holding the agent's source where a clone
has it, with the page's ``MODEL_URL`` replaced by the stand-in's.  Block 2's ``gritwit
serve`` line starts a service with the page's arguments (the policy and
``--secret-env``), the key in its environment only; block 3's commands run against it.

Then: the stand-in got one request, a POST of a chat-completions body whose bearer key
is the page's (PORT-009.2) with an ``Idempotency-Key`` (PORT-006.1); the page the query
answers is HTML (HTTP-006.1) holding the stand-in's text escaped; headless Chromium reads
that text back as text, not markup; no object of the store holds the key's bytes
(PORT-009.3); the agent's core keeps the answer.
"""

from __future__ import annotations

import html
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import service_proc
from chromium_pipe import CHROMIUM, browser
from standin_model import PATH, answer_text, standing_in

import gritwit as g
from gritwit.runtime import resolve_actor
from gritwit.sandbox import INSTALL_HINT, interpreter_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(interpreter_path() is None, reason=INSTALL_HINT),
]

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide" / "agent.md"
AGENT = ROOT / "docs" / "guide" / "agent" / "agent.py"
QUESTION = "What is an actor?"  # the workspace's question on the page
AGAIN = "What is a timer?"  # the question block 4 sends, in hex


def _blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def _setup_script(model_url: str) -> str:
    """Block 1, the page's ``MODEL_URL`` replaced by ``model_url``."""
    script, found = re.subn(
        r"^MODEL_URL=\S+$", f"MODEL_URL={shlex.quote(model_url)}", _blocks()[0], flags=re.M
    )
    assert found == 1, "block 1 sets MODEL_URL once"
    return "set -euo pipefail\n" + script


def _serve_block() -> tuple[str, list[str]]:
    """Block 2: the key the page exports, and the arguments of its ``gritwit serve`` line
    between ``--store STORE`` and ``--listen``."""
    key, serve = None, None
    for line in _blocks()[1].splitlines():
        if line.startswith("export MODEL_KEY="):
            key = line.split("=", 1)[1]
        if line.startswith("gritwit serve"):
            serve = shlex.split(line.rstrip(" &"))
    assert key is not None and serve is not None, "block 2 exports the key and serves"
    assert serve[2:4] == ["--store", "agent-store"], serve
    listen = serve.index("--listen")
    return key, serve[4:listen] + serve[listen + 2 :]


def _env() -> dict[str, str]:
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


@pytest.mark.req(
    "TIM-002.3",
    "TIM-003.1",
    "PORT-001.2",
    "PORT-006.1",
    "PORT-008.3",
    "PORT-009.1",
    "PORT-009.2",
    "PORT-009.3",
    "HTTP-006.1",
    "SBX-012.5",
    "WIT-026.3",
)
def test_the_agent_session_runs_as_written_and_its_page_reads_back_in_chromium(
    tmp_path: Path,
) -> None:
    key, serve_args = _serve_block()
    work = tmp_path / "work"
    (work / "docs" / "guide" / "agent").mkdir(parents=True)
    (work / "docs" / "guide" / "agent" / "agent.py").write_bytes(AGENT.read_bytes())
    with standing_in(key) as model:
        done = subprocess.run(
            ["bash", "-c", _setup_script(model.url)],
            cwd=work,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"block 1: {done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        # the page's relative paths, from the directory block 1 ran in
        args = [str(work / a) if a == "policy.json" else a for a in serve_args]
        env = {**_env(), "MODEL_KEY": key}  # only the service's environment holds the key
        with service_proc.stopping([]) as services:
            services.append(service_proc.start(work / "agent-store", *args, env=env))
            url = services[-1].url
            script = _blocks()[2].replace("http://127.0.0.1:8321", url)
            read = subprocess.run(
                ["bash", "-c", "set -uo pipefail\n" + script],
                cwd=work,
                env=_env(),
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert read.returncode == 0, f"block 3: {read.stdout[-3000:]}\n{read.stderr[-3000:]}"
            expected = answer_text(QUESTION)
            assert html.escape(expected) in read.stdout, (
                f"HTTP-006.1: the page the query answers should hold the model's text escaped, "
                f"{html.escape(expected)!r}; block 3 printed {read.stdout[-2000:]!r}"
            )
            assert read.stdout.rstrip().endswith('{"timers": []}') or '"timers":[]' in read.stdout
            answer = httpx.get(f"{url}/v1/actors/board/queries/answer", timeout=30)
            assert answer.headers["content-type"] == "text/html; charset=utf-8", answer.headers
            assert answer.headers["grit-answer-form"] == "html"
            if CHROMIUM is not None:
                _read_back_in_chromium(tmp_path, f"{url}/v1/actors/board/queries/answer", expected)
            _ask_again(work, url)
            assert services[-1].stop() == 0  # SIGTERM: a clean stop (HTTP-001.4)
        sent = [r for r in model.requests if r.path == PATH]
    assert len(sent) == 2, f"the agent asked twice, the stand-in got {len(sent)}"
    request = sent[0]
    assert AGAIN.encode() in sent[1].body, "the second request asks the question sent"
    assert request.headers["authorization"] == f"Bearer {key}", "PORT-009.2: the key on the wire"
    assert re.fullmatch(r"[0-9a-f]{128}", request.headers["idempotency-key"]), "PORT-006.1"
    assert b'"model": "gpt-4o-mini"' in request.body and QUESTION.encode() in request.body
    _no_object_holds(work / "agent-store", key.encode())
    with g.Store.open(work / "agent-store") as store:
        agent = resolve_actor(store, "agent")
        head = store.get_object(store.get_ref(f"heads/{agent.hex()}"))  # type: ignore[arg-type]
        core = store.get_object(head.core)  # type: ignore[union-attr]
        kept = store.get_object(core.entries["answer"])  # type: ignore[union-attr,index]
        assert kept.data.decode() == answer_text(AGAIN)  # type: ignore[union-attr]
    if CHROMIUM is None:
        pytest.skip(
            "the session ran; reading its page back needs Chromium (apt-get install chromium)"
        )


def _ask_again(work: Path, url: str) -> None:
    """Block 4 as written (its URL the service's): the agent's page answers the new
    question once the timer it sets has fired and the model has answered (TIM-002.3)."""
    script = _blocks()[3].replace("http://127.0.0.1:8321", url)
    sent = subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=work,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert sent.returncode == 0, f"block 4: {sent.stdout[-2000:]}\n{sent.stderr[-2000:]}"
    want = html.escape(answer_text(AGAIN))
    deadline = time.monotonic() + 90
    page = ""
    while want not in page and time.monotonic() < deadline:
        page = httpx.get(f"{url}/v1/actors/board/queries/answer", timeout=30).text
        time.sleep(0.2)
    assert want in page, f"the page should answer {AGAIN!r} after block 4; it is {page[-1500:]!r}"


def _read_back_in_chromium(tmp_path: Path, url: str, expected: str) -> None:
    """The browser renders the page: the answer's text is text (escaped markup shows as
    the characters it stands for), the title is the page's."""
    with browser(tmp_path / "chromium-profile", 1000, 700) as page:
        page.open(url)
        page.wait_for("document.readyState === 'complete' && !!document.getElementById('answer')")
        got = page.evaluate(
            "[document.title, document.getElementById('answer').textContent,"
            " document.getElementById('status').textContent, document.body.children.length]"
        )
    assert got == ["The agent's answer", expected, "ok", 3], (
        f"HTTP-006.1: Chromium should read the agent's page with the answer {expected!r} as "
        f"text; it read {got!r}"
    )


def _no_object_holds(where: Path, secret: bytes) -> None:
    """PORT-009.3: no object of the store holds the secret's bytes."""
    with g.Store.open(where) as store:
        count = 0
        for oid in store.iter_ids():
            count += 1
            assert secret not in store.get(oid), f"PORT-009.3: object {oid.hex()} holds the key"
        assert count > 10, count  # the session's objects were scanned
