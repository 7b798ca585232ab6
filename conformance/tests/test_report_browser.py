"""The report page in a real browser: headless Chromium, file:// only, no network.

Renders a two-implementation page (fixtures of ``test_report``), asks Chromium
for the DOM it built (``--dump-dom``) and for a screenshot, and checks the
structure survived the browser's own HTML parsing: the matrix, its two
implementation columns, a failing cell whose drill-down holds the failure
reason.  The screenshot's path is printed (run with ``-s`` or ``-rP`` to see
it); look at it when changing the page's style.  Skipped without Chromium.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from test_report import FAIL_REASON, alpha, beta, parse_html, row_cells, write

from gritwit_conformance.report import render_reports

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TIMEOUT = 120.0

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (Debian: apt-get install chromium); "
        "the browser check of the report page is skipped",
    ),
    pytest.mark.slow,
]


def chromium(tmp: Path, *args: str) -> bytes:
    """Run headless Chromium to completion; kill its whole process group on timeout."""
    assert CHROMIUM is not None
    profile = tmp / "chromium-profile"
    profile.mkdir(exist_ok=True)
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # no DNS, so certainly no network
        f"--user-data-dir={profile}",
        *args,
    ]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so helpers die with it
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"chromium did not finish in {TIMEOUT} s: {' '.join(command)}")
    finally:
        with contextlib.suppress(ProcessLookupError):  # leftover helpers of this run only
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, f"chromium exited {proc.returncode}: {err.decode()[-2000:]}"
    return out


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.req("CONV-003", "CONV-004", "CONV-005")
def test_two_implementation_page_in_headless_chromium(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    record_property: Callable[[str, object], None],
) -> None:
    paths = [write(tmp_path, "alpha.json", alpha()), write(tmp_path, "beta.json", beta())]
    page = tmp_path / "report.html"
    page.write_text(render_reports(paths), encoding="utf-8")

    dom = parse_html(chromium(tmp_path, "--dump-dom", page.as_uri()).decode("utf-8"))
    (table,) = dom.find_all("table", "matrix")
    assert len(table.find_all("th", "impl")) == 2
    assert [b.attrs["id"] for b in table.find_all("tbody")] == [
        "profile-codec",
        "profile-harness",
        "profile-protocol",
        "profile-store",
    ]
    failing = [td for td in table.find_all("td", "s-fail") if td.find_all("details")]
    assert failing, "no failing cell with a drill-down in the browser's DOM"
    passing, failed = row_cells(dom, "r-codec-enc-007")
    assert "s-pass" in passing.attrs["class"] and "s-fail" in failed.attrs["class"]
    (details,) = failed.find_all("details")  # still inside its cell after Chromium parsed it
    assert details.find_all("pre")[0].text() == FAIL_REASON
    assert not dom.find_all("script")

    # The screenshot, with the drill-downs opened so it shows reasons.
    shot_page = tmp_path / "report-open.html"
    shot_page.write_text(
        page.read_text(encoding="utf-8").replace(
            '<details class="drill">', '<details class="drill" open>'
        ),
        encoding="utf-8",
    )
    png = tmp_path / "report.png"
    chromium(
        tmp_path,
        f"--screenshot={png}",
        "--window-size=1400,1000",
        "--hide-scrollbars",
        shot_page.as_uri(),
    )
    assert _png_size(png) == (1400, 1000)
    assert png.stat().st_size > 30_000, "the screenshot looks blank"
    with capsys.disabled():
        print(f"\nreport page screenshot: {png}")
    print(f"report page screenshot: {png}")
    record_property("screenshot", str(png))
