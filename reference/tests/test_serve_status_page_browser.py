"""The status page in headless Chromium: it comes to rest, with 1,000 actors, and its
script refreshes the statuses it shows (HTTP-014.5).

A plain ``chromium --headless --screenshot`` or ``--dump-dom`` of a page — no DevTools
pipe to stop it — must end, and so must one with ``--virtual-time-budget``, which waits
for the page's network to fall idle: a page that opens its event stream (HTTP-008, a
request that never ends) by itself never ends there (the page this replaced did not),
and the run is killed at its timeout.  The store holds 999 counters and an actor failed
at its genesis, made through the runtime directly (1,000 HTTP round trips would be
slow).  The DOM each run leaves is read back: every actor listed with its status; the
list is read without script too, as the service answers it (a headless screenshot with
script off writes no file, so the HTML is parsed instead).  The refresh is watched over
the DevTools pipe (:mod:`chromium_pipe`): an actor marked failed, and one created, after
the page loaded show in the list with their statuses, without the page being loaded
again.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from chromium_pipe import CHROMIUM, HEADLESS, browser, png_pixels
from serve_helpers import created, send, serving, settle
from status_page_html import read_page

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.store import Store
from gritwit.wit import test_actor_core

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="needs Chromium (apt-get install chromium); CI installs it best effort",
    ),
]

#: Counters in the store, beside the actor failed at its genesis: 1,000 in all.
COUNTERS = 999
#: The longest one headless run may take: it ends in seconds when the page finishes.
RUN_SECONDS = 120.0
#: The virtual time a run waits for the page to come to rest: its refresh runs in it.
BUDGET_MS = 5000
ROWS = "document.querySelectorAll('#actors tbody tr')"


def _store(path: Path) -> tuple[list[str], str]:
    """The counters, each with one step, and an actor whose genesis failed (RUN-004.4)."""
    with Store.open(path) as store:
        runtime = Runtime(store)
        cores = [test_actor_core("counter", {"n": g.Blob(data=b"%d" % i)}) for i in range(COUNTERS)]
        failing = test_actor_core("failing")
        made = [*cores, failing]
        actors = [g.object_id(core) for core, _ in made]
        objects = [obj for _, objs in made for obj in objs]
        asyncio.run(runtime.send_all([(a, a, {"mt": "genesis"}, False) for a in actors], objects))
        report = asyncio.run(runtime.run_until_quiescent())
        assert len(report.steps) == COUNTERS and report.quiescent
    return sorted(a.hex() for a in actors[:-1]), actors[-1].hex()


def _headless(profile: Path, url: str, *args: str) -> tuple[bytes, float]:
    """A plain headless run of ``url`` (no DevTools pipe): its output and its seconds.
    One that does not end within :data:`RUN_SECONDS` is killed and fails the test."""
    command = [CHROMIUM or "chromium", *HEADLESS, f"--user-data-dir={profile}"]
    command += ["--window-size=1200,800", *args, url]
    started = time.monotonic()
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its helpers in its group: all of them killed with it
    ) as run:
        try:
            out, _ = run.communicate(timeout=RUN_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.communicate()
            raise AssertionError(
                f"HTTP-014.5: a headless run of {url} ({' '.join(args)}) never ended in "
                f"{RUN_SECONDS:.0f} s: the page never came to rest"
            ) from None
    assert run.returncode == 0, (url, args, run.returncode)
    return out, time.monotonic() - started


@pytest.mark.req("HTTP-014.5", "HTTP-007.9")
def test_a_plain_headless_run_of_every_page_ends_with_1000_actors(tmp_path: Path) -> None:
    counters, failed = _store(tmp_path / "store")
    with serving(tmp_path / "store") as served:
        url = served.url
        started = time.monotonic()
        answer = served.client.get("/ui/")
        render = time.monotonic() - started
        without_script = read_page(answer.text)  # as a browser without script reads it
        statuses = {a: row["data-status"] for a, row in without_script.rows.items()}
        assert statuses == {**dict.fromkeys(counters, "ok"), failed: "failed"}
        figures = [f"/ui/: {len(answer.content):,} bytes rendered in {render:.2f} s"]
        pages = {
            "/ui/": None,
            f"/ui/actor/{counters[0]}": "ok",
            f"/ui/actor/{failed}": "failed at its genesis",
        }
        for path, status in pages.items():
            png_file = tmp_path / f"{path.strip('/').replace('/', '-')}.png"
            for budget in ((), (f"--virtual-time-budget={BUDGET_MS}",)):
                _, seconds = _headless(
                    tmp_path / "profile", url + path, *budget, f"--screenshot={png_file}"
                )
                width, height, colours, _ = png_pixels(png_file.read_bytes())
                assert (width, height) == (1200, 800) and len(colours) > 2, path
                figures.append(f"{path[:20]} screenshot {' '.join(budget)}: {seconds:.1f} s")
                dom, seconds = _headless(tmp_path / "profile", url + path, *budget, "--dump-dom")
                figures.append(f"{path[:20]} dump-dom {' '.join(budget)}: {seconds:.1f} s")
                shown = read_page(dom.decode())
                if status is None:  # the list: every actor with its status, the script run
                    found = {a: row["data-status"] for a, row in shown.rows.items()}
                    assert found == statuses, "the DOM lists every actor with its status"
                else:
                    assert shown.facts["status"].startswith(status), (path, shown.facts)
        print("\n".join(figures))  # the figures of a run, shown with -s


@pytest.mark.req("HTTP-014.5", "RUN-004.4")
def test_the_script_refreshes_the_statuses(tmp_path: Path) -> None:
    with serving(tmp_path / "store") as served:
        client = served.client
        counter = created(client, test="counter")
        updater = created(client, test="updater")
        settle(client)
        row = f"[...{ROWS}].find(r => r.dataset.actor === '{{}}')"
        with browser(tmp_path / "chromium-profile", 1200, 800) as page:
            page.open(f"{served.url}/ui/")
            page.wait_for(f"{ROWS}.length === 2")
            assert page.evaluate(f"{row.format(updater)}.dataset.status") == "ok"
            page.evaluate("window.notReloaded = true")

            send(client, updater, mt="set-code", data=b"no-such-test-actor")
            settle(client)
            send(client, updater, mt="poke")  # fails five times: marked failed (RUN-004.4)
            settle(client)
            later = created(client, test="counter", state={"n": b"later".hex()})  # a new id
            settle(client)
            assert client.get(f"/v1/actors/{updater}").json()["failed"] is not None
            page.wait_for(
                f"{row.format(updater)}.dataset.status === 'failed' && {ROWS}.length === 3",
                timeout=30,
            )
            shown = page.evaluate(
                f"[...{ROWS}].map(r => [r.dataset.actor, r.dataset.status, r.className,"
                " r.querySelector('td.state').textContent, r.querySelector('td.pending')"
                ".textContent])"
            )
            mark = client.get(f"/v1/actors/{updater}").json()["failed"]["class"]
            assert shown == [
                [a, s, s, text, pending]
                for a, s, text, pending in sorted(
                    [
                        (counter, "ok", "ok", "0"),
                        (later, "ok", "ok", "0"),
                        (updater, "failed", f"failed: {mark} (5 attempts)", "1"),
                    ]
                )
            ]
            totals = page.evaluate(
                "Object.fromEntries([...document.querySelectorAll('#totals .total')]"
                ".map(t => [t.dataset.total, t.querySelector('b').textContent]))"
            )
            assert totals["actors"] == "3" and totals["failed"] == "1", totals
            assert page.evaluate("window.notReloaded") is True  # refreshed in place

            page.open(f"{served.url}/ui/actor/{counter}")  # one actor's page
            head = page.wait_for("document.getElementById('main').dataset.head")
            send(client, counter, data=b"1")
            settle(client)
            new = client.get(f"/v1/actors/{counter}").json()["head"]
            assert new != head
            page.wait_for(
                f"document.getElementById('main').dataset.head === '{new}'"
                " && document.querySelectorAll('#history tbody tr').length === 2",
                timeout=30,
            )
