"""The HTTP service's sends (spec chapter *HTTP protocol*, HTTP-005).

* :class:`HttpSend` — ``gritwit serve`` on a fresh SQLite store (a process of its own,
  as users run it), one counter: ``time_send`` is one ``POST .../messages`` until its
  202, which comes only once the send is committed (HTTP-005.2); ``time_batch_of_100``
  is one ``POST /v1/messages`` of 100 sends, one commit (HTTP-005.7).

The side-by-side figure against ``runtime run`` (transitions per second, and a send's
p50 and p99) is ``python -m asv_bench.tools.serve_throughput``; hostile requests and
the service's memory are ``python -m asv_bench.tools.serve_hostile``.  Without the extra
``gritwit[serve]`` every benchmark here is skipped with the reason.
"""

from __future__ import annotations

import http.client
import json
import shutil
import tempfile
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, ClassVar

from .tools.serve_throughput import running_service

INC: dict[str, Any] = {"mt": "inc", "content": {"blob": ""}}


class HttpSend:
    """Sends to one counter through a running service."""

    timeout: ClassVar[float] = 300.0

    def setup(self) -> None:
        try:
            import starlette  # noqa: F401
            import uvicorn  # noqa: F401
        except ImportError:
            needs = "needs the serve extra: pip install 'gritwit[serve]'"
            raise NotImplementedError(needs) from None
        self._dir = tempfile.mkdtemp(prefix="gritwit-bench-serve-")
        self._running: AbstractContextManager[tuple[str, int]] = running_service(
            Path(self._dir) / "store"
        )
        url, _ = self._running.__enter__()
        host, port = url.removeprefix("http://").rsplit(":", 1)
        self._conn = http.client.HTTPConnection(host, int(port), timeout=120)
        created = self._post("/v1/actors", {"test": "counter"})
        self._path = f"/v1/actors/{created['actor']}/messages"
        self._batch = {"messages": [{"to": created["actor"], **INC} for _ in range(100)]}

    def teardown(self) -> None:
        self._conn.close()
        self._running.__exit__(None, None, None)
        shutil.rmtree(self._dir, ignore_errors=True)

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        self._conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        answer = self._conn.getresponse()
        data: dict[str, Any] = json.loads(answer.read())
        if answer.status not in (201, 202):
            raise RuntimeError(f"{path}: {answer.status} {data}")
        return data

    def time_send(self) -> None:
        self._post(self._path, INC)

    def time_batch_of_100(self) -> None:
        self._post("/v1/messages", self._batch)
