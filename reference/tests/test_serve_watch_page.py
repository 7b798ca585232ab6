"""The status page as a person sees it: headless Chromium on a service with a failed actor
(HTTP-014.3).

A service on loopback runs three counters and an updater the test marks failed; the
page is loaded in headless Chromium, driven over the DevTools protocol on a pipe
(:mod:`chromium_pipe`, stdlib only).  The test checks what the page's script rendered
(the DOM lists every actor, the failed one marked) and what the screenshot shows: the
status cell of each row, found in the DOM, has the colour the page's design gives its
state, green for ok and red for failed, read back from the PNG's pixels.  A page that
never marks failures paints the failed row green and fails here.  Then one actor's page
(its history and its head's core as a tree) and the live events: the service evicts
idle actors at once (RUN-012.4), so a query restores one, and the page, asked to listen,
lists the ``restored`` event it was sent (HTTP-008).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from chromium_pipe import CHROMIUM, Browser, browser, png_pixels
from serve_helpers import Served, created, send, serving, settle

from gritwit.serve import EngineSettings

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="needs Chromium (apt-get install chromium); CI installs it best effort",
    ),
]

#: The page's colours for a row's state (its design, ui/style.css): flat fills.
OK = (0x2E, 0xA0, 0x43)
FAILED = (0xDA, 0x36, 0x33)

ROWS = "document.querySelectorAll('#actors tbody tr')"


def _failed_updater(served: Served) -> str:
    client = served.client
    actor = created(client, test="updater")
    send(client, actor, mt="set-code", data=b"no-such-test-actor")
    settle(client)
    send(client, actor, mt="poke")  # fails five times: marked failed (RUN-004.4)
    settle(client)
    assert client.get(f"/v1/actors/{actor}").json()["failed"] is not None
    return actor


def _cells(page: Browser) -> dict[str, tuple[int, int]]:
    """The centre of each row's status cell, by actor, in CSS pixels (the PNG's)."""
    found = page.evaluate(
        f"[...{ROWS}].map(row => {{ const r = row.querySelector('td.status')"
        ".getBoundingClientRect(); return [row.dataset.actor, r.x + r.width / 2,"
        " r.y + r.height / 2, r.width, r.height]; })"
    )
    cells = {}
    for actor, x, y, width, height in found:
        assert width >= 8 and height >= 8, (actor, width, height)  # a cell one can see
        cells[actor] = (int(x), int(y))
    return cells


def _still_screenshot(page: Browser) -> tuple[bytes, dict[str, tuple[int, int]]]:
    """A screenshot and the status cells' centres, measured before and after it alike.

    The list re-renders as events come (idle actors are evicted within half a second
    here), and the totals above it may change height: a cell measured after the picture
    was taken can sit one row off from where the picture has it.
    """
    for _ in range(20):
        before = _cells(page)
        png = page.screenshot()
        if _cells(page) == before:
            return png, before
    raise AssertionError("the list kept moving: no screenshot between two equal layouts")


def _pixel(png: bytes, x: int, y: int) -> tuple[int, int, int]:
    width, _, _, rows = png_pixels(png)
    line = rows[y]
    channels = len(line) // width
    return (line[x * channels], line[x * channels + 1], line[x * channels + 2])


@pytest.mark.req("HTTP-014.3", "HTTP-007.1", "HTTP-008.1")
def test_the_page_shows_each_actor_in_its_state(tmp_path: Path) -> None:
    settings = EngineSettings(idle_after=0.5)  # idle actors evicted soon: events to show
    with serving(tmp_path / "store", settings=settings) as served:
        client = served.client
        counters = [
            created(client, test="counter", state={"n": f"{n}".encode().hex()}) for n in range(3)
        ]
        for actor in counters:
            send(client, actor, data=b"1")
        failed = _failed_updater(served)
        actors = sorted([*counters, failed])
        with browser(tmp_path / "chromium-profile", 1200, 800) as page:
            page.open(f"{served.url}/ui/")
            # the rows come with the HTML, before its style: measured once it has loaded
            page.wait_for(f"document.readyState === 'complete' && {ROWS}.length === 4")
            states = page.evaluate(
                f"Object.fromEntries([...{ROWS}].map(r => [r.dataset.actor, r.dataset.status]))"
            )
            assert states == {a: ("failed" if a == failed else "ok") for a in actors}
            dom = page.evaluate("document.documentElement.outerHTML")
            for actor in actors:  # the rendered DOM lists them, each linked to its page
                assert f'href="/ui/actor/{actor}"' in dom and actor[:12] in dom
            marked = page.evaluate(
                f"[...{ROWS}].filter(r => r.querySelector('td.state').textContent"
                ".startsWith('failed')).map(r => r.dataset.actor)"
            )
            assert marked == [failed]  # the failed one's status in words, once

            png, cells = _still_screenshot(page)
            width, height, colours, _ = png_pixels(png)
            assert (width, height) == (1200, 800)
            for actor, (x, y) in cells.items():
                expected = FAILED if actor == failed else OK
                assert _pixel(png, x, y) == expected, (actor[:12], _pixel(png, x, y))
            area = page.evaluate(
                "(() => { const r = document.querySelector('td.status').getBoundingClientRect();"
                " return Math.floor(r.width) * Math.floor(r.height); })()"
            )
            assert colours[OK] >= 3 * area and colours[FAILED] >= area, (area, colours[OK])
            (tmp_path / "list.png").write_bytes(png)

            _one_actors_page(served, page, failed)
            _live_events(served, page, counters[0])
            (tmp_path / "events.png").write_bytes(page.screenshot())  # to look at


def _one_actors_page(served: Served, page: Browser, actor: str) -> None:
    """The actor's page: its failed mark, its steps newest first, its head's core."""
    history = served.client.get(f"/v1/actors/{actor}/history").json()["steps"]
    core = served.client.get(f"/v1/objects/{history[0]['core']}").json()
    page.open(f"{served.url}/ui/actor/{actor}")
    page.wait_for(
        "!!(document.querySelector('#history tbody tr') && document.querySelector('ul.tree'))"
    )
    steps = page.evaluate(
        "[...document.querySelectorAll('#history tbody tr td:nth-child(3)')]"
        ".map(td => td.textContent)"
    )
    assert steps == [step["step"][:12] for step in history]
    names = page.evaluate(
        "[...document.querySelector('ul.tree').children]"
        ".map(li => li.querySelector('.entry-name').textContent)"
    )
    assert names == list(core["entries"])
    text = page.evaluate("document.getElementById('main').innerText")
    assert actor in text and "marked failed" in text
    page.open(f"{served.url}/ui/")
    page.wait_for(f"{ROWS}.length === 4")


def _live_events(served: Served, page: Browser, actor: str) -> None:
    """An actor evicted while idle is restored by a query: the page lists the event."""
    page.wait_for("!document.getElementById('listen').hidden")  # offered once loaded
    page.evaluate("document.getElementById('listen').click()")  # asked: then it listens
    page.wait_for("document.getElementById('events-state').textContent === 'listening'")
    deadline = time.monotonic() + 60
    while served.service.engine.ready:  # every actor evicted (idle_after 0.5 s)
        metrics = served.client.get("/metrics").text
        if "gritwit_resident_actors 0.0" in metrics:
            break
        assert time.monotonic() < deadline, "the idle actors were never evicted"
        time.sleep(0.1)
    assert served.client.get(f"/v1/actors/{actor}/queries/count").json() == 1
    shown = page.wait_for(
        "[...document.querySelectorAll('#events li[data-kind=restored] a')].map(a => a.textContent)"
    )
    assert actor[:12] in shown
