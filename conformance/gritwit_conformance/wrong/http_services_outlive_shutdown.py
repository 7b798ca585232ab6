"""Wrong adapter: its services are processes that outlive the adapter (ADP-021.3).

``http-serve`` starts ``gritwit serve`` as a process of its own and ``http-stop``
stops it, but the adapter's shutdown leaves the others running: after the harness is
done, their ports and stores stay taken. (Each such process is started under
``timeout 30``, so that the bug leaves nothing behind a test run for long.)
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
import sys
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import BadRequest
from gritwit_conformance.wrong import WrongAdapter, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"ADP-021.3"}),
    "failed",
    "services run as processes of their own that the adapter's shutdown leaves running",
)

_LISTENING = re.compile(r"^gritwit serve: listening on (http://127\.0\.0\.1:\d+)$")


class Detached(ReferenceAdapter):
    def cmd_http_serve(self, args: dict[str, Any]) -> dict[str, Any]:
        command = [sys.executable, "-m", "gritwit", "serve", str(args["path"]), "--create"]
        command += ["--listen", "127.0.0.1:0"]
        if "share" in args:
            command += ["--share", f"{args['share'][0]}/{args['share'][1]}"]
        wrapper = shutil.which("timeout")
        if wrapper is not None:
            command = [wrapper, "30", *command]
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            found = _LISTENING.match(line.strip())
            if found:
                self.__dict__.setdefault("_processes", {})[found.group(1)] = process
                return {"url": found.group(1)}
        raise BadRequest(f"ADP-021.1: gritwit serve exited {process.wait()}")

    def cmd_http_stop(self, args: dict[str, Any]) -> dict[str, Any]:
        process = self.__dict__.get("_processes", {}).pop(args.get("url"), None)
        if process is None:
            raise BadRequest(f"ADP-021.2: no service at {args.get('url')!r:.80}")
        process.send_signal(signal.SIGTERM)
        process.wait(60)
        return {}

    def close_services(self) -> None:
        pass  # the bug: the service processes are left running


if __name__ == "__main__":
    run(Detached)
