"""The session of the guide "Run actors as a service" is what the reference answers.

``docs/guide/serve.md`` shows a session with a fresh service as a transcript: ``>`` a
request (method, path, an ``Idempotency-Key`` if any, the JSON body if any), ``<`` the
answer (status, then the body).  Ids are content addressed, so a fresh store gives the
same ones each time: this test replays the requests against a fresh service and the
answers must be the page's, status and body.  ``python reference/tests/test_service_guide.py``
prints the transcript the reference gives now, to paste into the page after a change.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from gritwit import SPEC_VERSION

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "guide" / "serve.md"
COUNTER = "a3c6f5d7"  # replaced below by the counter's id, so the requests can name it
#: The first counter's genesis step: content addressed, the same on every fresh store.
GENESIS_STEP = "ddb2a1990c67891f13102a0041cd5fde4887db8ff0b671e8a00ef39f2d0e2334"

#: The requests of the session, in order; ``{counter}`` is the first actor created.
REQUESTS: tuple[tuple[str, str, dict[str, str], Any], ...] = (
    ("GET", "/v1", {}, None),
    ("POST", "/v1/actors", {}, {"test": "counter"}),
    ("POST", "/v1/settle", {}, {"timeout": 30}),  # the genesis step first, whatever the timing
    (
        "POST",
        "/v1/actors/{counter}/messages",
        {"Idempotency-Key": "order-1"},
        {"mt": "inc", "content": {"blob": "35"}},
    ),
    (
        "POST",
        "/v1/actors/{counter}/messages",
        {"Idempotency-Key": "order-1"},
        {"mt": "inc", "content": {"blob": "35"}},
    ),
    (
        "POST",
        "/v1/actors/{counter}/messages",
        {"Idempotency-Key": "order-1"},
        {"mt": "inc", "content": {"blob": "36"}},
    ),
    ("POST", "/v1/settle", {}, {"timeout": 30}),
    ("GET", "/v1/actors/{counter}/queries/count", {}, None),
    ("GET", "/v1/actors/{counter}", {}, None),
    ("GET", "/v1/actors/{counter}/history?limit=1", {}, None),
    ("GET", "/v1/refs?prefix=heads/", {}, None),
    ("GET", "/v1/actors/{counter}/queries/nothing", {}, None),
    ("GET", "/v1/objects/not-an-id", {}, None),
    # a name (HTTP-004.4, HTTP-015): another counter, called by its name
    ("POST", "/v1/actors", {}, {"test": "counter", "name": "orders"}),
    ("POST", "/v1/actors/orders/messages", {}, {"mt": "inc", "content": {"blob": "37"}}),
    ("POST", "/v1/settle", {}, {"timeout": 30}),
    ("GET", "/v1/actors/orders/queries/count", {}, None),
    ("GET", "/v1/names", {}, None),
    # a revert (HTTP-016) of the first counter to its genesis step, the history's previous
    ("POST", "/v1/actors/{counter}/revert", {}, {"step": GENESIS_STEP}),
    ("GET", "/v1/actors/{counter}/queries/count", {}, None),
)


def _request_line(method: str, path: str, headers: dict[str, str], body: Any) -> str:
    parts = [method, path, *(f"{k}:{v}" for k, v in headers.items())]
    if body is not None:
        parts.append(json.dumps(body, separators=(", ", ": ")))
    return "> " + " ".join(parts)


#: A step time (HTTP-007.7) as the page shows every one: the time of the run that wrote it.
SHOWN_TIME = "2026-11-27T16:21:02Z"
STEP_TIME = re.compile(r'"time": "\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"')


def _answer_line(status: int, text: str) -> str:
    with contextlib.suppress(ValueError):  # a JSON body, shown compact; else as it is
        text = json.dumps(json.loads(text), separators=(", ", ": "))
    # the one thing a fresh store does not give twice: when each step became the head
    text = STEP_TIME.sub('"time": "' + SHOWN_TIME + '"', text)
    return f"< {status} {text}"


def session() -> list[str]:
    """The transcript the reference gives now, on a fresh SQLite store."""
    from serve_helpers import serving

    lines: list[str] = []
    counter = COUNTER
    with tempfile.TemporaryDirectory() as tmp, serving(Path(tmp) / "store") as served:
        for method, path, headers, body in REQUESTS:
            path = path.replace("{counter}", counter)
            answer = served.client.request(method, path, headers=headers, json=body)
            if body == {"test": "counter"}:
                counter = answer.json()["actor"]
            lines.append(_request_line(method, path, headers, body))
            lines.append(_answer_line(answer.status_code, answer.text))
    return lines


def transcript(page: str) -> list[str]:
    """The lines of the text block after "Here is a session"."""
    found = re.search(r"Here is a session.*?^```text\n(.*?)^```", page, re.S | re.M)
    assert found, "serve.md: no text block after 'Here is a session'"
    return found.group(1).splitlines()


@pytest.mark.req(
    "HTTP-001.6",
    "HTTP-004.2",
    "HTTP-004.4",
    "HTTP-005.3",
    "HTTP-005.5",
    "HTTP-006.1",
    "HTTP-011.1",
    "HTTP-015.1",
    "HTTP-015.2",
    "HTTP-016.1",
)
def test_the_guides_session_is_what_the_reference_answers() -> None:
    pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[test]'")
    shown = transcript(GUIDE.read_text(encoding="utf-8"))
    # the guide writes a development version as X.Y.Z.devN: its N and its text's label
    # are computed (CONV-003.8)
    written = re.sub(r"\.dev\d+(\+t[0-9a-f]{12})?$", ".devN", SPEC_VERSION)
    answered = [line.replace(f'"{SPEC_VERSION}"', f'"{written}"') for line in session()]
    assert shown == answered, "docs/guide/serve.md's session is stale: run this file to print it"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    print("\n".join(session()))
