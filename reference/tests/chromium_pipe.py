"""Headless Chromium driven over the DevTools protocol on a pipe, with the stdlib only.

``chromium --remote-debugging-pipe`` reads DevTools commands from its file descriptor 3
and writes answers and events to 4, each a JSON text ended by a NUL byte: no websocket,
no port, no client library.  :class:`Browser` opens one page, evaluates JavaScript in it
(to wait for what the page's script renders and to read the DOM it built) and takes
screenshots; :func:`png_pixels` decodes a screenshot (8-bit RGB or RGBA, as Chromium
writes them) with :mod:`zlib`, so a test checks what a person would see.

Only loopback: every host name but 127.0.0.1 resolves to nothing, and the browser's own
background traffic is switched off.  The browser is killed with its process group.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import struct
import subprocess
import time
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: The longest one DevTools command waits for its answer: a hung browser fails the test.
ANSWER_SECONDS = 60.0

#: Headless, nothing fetched but loopback (no DNS), no background traffic: every test
#: that starts Chromium starts it so.
HEADLESS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # loopback only
)
_FLAGS = (
    *HEADLESS,
    "--disable-extensions",
    "--hide-scrollbars",
    "--force-color-profile=srgb",  # CSS colours land in the PNG as written
    "--remote-debugging-pipe",
)


class Browser:
    """One headless Chromium and one page in it."""

    def __init__(self, profile: Path, width: int = 1200, height: int = 800) -> None:
        assert CHROMIUM is not None
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def fds() -> None:  # the child's 3 and 4, as --remote-debugging-pipe wants them
            # Copied above 10 first: a pipe's own number may be 3 or 4.
            reads = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
            writes = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)
            os.dup2(reads, 3, inheritable=True)
            os.dup2(writes, 4, inheritable=True)

        command = [CHROMIUM, *_FLAGS, f"--user-data-dir={profile}"]
        command += [f"--window-size={width},{height}", "about:blank"]
        self._proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            # The pipes are not inheritable (PEP 446): only their copies at 3 and 4 reach
            # the browser.  close_fds would close those copies after preexec_fn.
            close_fds=False,
            preexec_fn=fds,  # dup2 only, before exec
            start_new_session=True,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next = 0
        self.width, self.height = width, height
        try:
            target = self.command("Target.createTarget", url="about:blank")["targetId"]
            attached = self.command("Target.attachToTarget", targetId=target, flatten=True)
        except BaseException:
            self.close()
            raise
        self._session = attached["sessionId"]

    def command(self, method: str, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send one command and return its result (events in between are dropped)."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer["result"]
                return result

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + ANSWER_SECONDS
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError(f"Chromium answered nothing in {ANSWER_SECONDS} s")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        text, self._buffer = self._buffer.split(b"\0", 1)
        found: dict[str, Any] = json.loads(text)
        return found

    def open(self, url: str) -> None:
        """Load ``url`` in the page, at the browser's window size."""
        self.command(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=self.width,
            height=self.height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.command("Page.navigate", session=True, url=url)

    def evaluate(self, expression: str) -> Any:
        """The value of ``expression`` in the page (awaited if it is a promise)."""
        result = self.command(
            "Runtime.evaluate",
            session=True,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60.0) -> Any:
        """Evaluate ``expression`` until it is truthy; its value, or ``TimeoutError``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(RuntimeError):  # the page is still loading
                value = self.evaluate(expression)
                if value:
                    return value
            time.sleep(0.05)
        raise TimeoutError(f"the page never made {expression!r} true")

    def screenshot(self) -> bytes:
        """The page as a PNG."""
        data = self.command("Page.captureScreenshot", session=True, format="png")["data"]
        return base64.b64decode(data)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._proc.pid, signal.SIGKILL)
        self._proc.wait(timeout=30)
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)


@contextlib.contextmanager
def browser(profile: Path, width: int = 1200, height: int = 800) -> Iterator[Browser]:
    """A :class:`Browser`, always killed at the end."""
    opened = Browser(profile, width, height)
    try:
        yield opened
    finally:
        opened.close()


def png_pixels(
    png: bytes,
) -> tuple[int, int, Counter[tuple[int, int, int]], list[bytearray]]:
    """Width, height, how many pixels have each RGB colour, and the rows (each pixel's
    channels in turn), of an 8-bit RGB or RGBA PNG without interlacing (what Chromium
    writes)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    at, idat, header = 8, b"", b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    colours: Counter[tuple[int, int, int]] = Counter()
    rows = []
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(kind, line, previous, channels)
        for x in range(0, stride, channels):
            colours[(line[x], line[x + 1], line[x + 2])] += 1
        rows.append(line)
        previous = line
    return width, height, colours, rows


def _unfilter(kind: int, line: bytearray, previous: bytearray, bpp: int) -> None:
    """Undo one scanline's PNG filter in place (PNG spec, section 9)."""
    if kind == 0:
        return
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = previous[i]
        if kind == 1:
            add = left
        elif kind == 2:
            add = up
        elif kind == 3:
            add = (left + up) // 2
        elif kind == 4:
            corner = previous[i - bpp] if i >= bpp else 0
            guess = left + up - corner
            pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
            add = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
        else:
            raise ValueError(f"PNG filter type {kind}")
        line[i] = (line[i] + add) & 0xFF
