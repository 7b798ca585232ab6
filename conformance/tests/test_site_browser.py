"""The compliance site in a real browser: headless Chromium, opened from a folder.

Builds the site of four reports (``test_report``'s alpha and beta, ``test_site``'s
gamma, and the hostile one), asks Chromium for the DOM it built of the overview and
of an implementation's page (``--dump-dom``, the way ``test_report_browser`` drives
it) and checks what a person sees there against the report files' own JSON: each
implementation's row, each profile's passed/ran numbers, a badge per implementation
and profile, the hostile name as text.  The overview's screenshot is kept: its path
is printed and recorded, and copied to ``$GRITWIT_CI_ARTIFACTS`` when CI sets it.
Skipped without Chromium.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_report import HOSTILE, alpha, beta, hostile_report, parse_html
from test_report_browser import CHROMIUM, _png_size, chromium
from test_site import build, cell_numbers, expected_cell, gamma, rows

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="chromium is not installed (Debian: apt-get install chromium); "
        "the browser check of the compliance site is skipped",
    ),
    pytest.mark.slow,
]


@pytest.mark.req("ADP-020.6", "CONV-003")
def test_the_site_opens_from_a_folder_in_headless_chromium(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    record_property: Callable[[str, object], None],
) -> None:
    hostile = hostile_report() | {"specVersion": "0.2.0"}
    documents = {"alpha-grit": alpha(), "beta-grit": beta(), "gamma-grit": gamma()}
    site = build(
        tmp_path,
        *((f"{name}.json", doc) for name, doc in documents.items()),
        ("hostile.json", hostile),
    )
    documents[HOSTILE] = hostile
    index = parse_html(chromium(tmp_path, "--dump-dom", (site / "index.html").as_uri()).decode())
    assert not index.find_all("script")
    found = rows(index)
    names = [r.find_all("a", "impl")[0].text() for r in found]
    assert sorted(names) == sorted(documents)
    badges = 0
    for row in found:
        document = documents[row.find_all("a", "impl")[0].text()]
        for cell in row.find_all("td", "cell"):
            summary = document["profiles"].get(cell.attrs["data-profile"])
            if summary is None:
                continue
            passed, judged = expected_cell(summary)
            assert cell_numbers(cell) == ((passed, judged) if judged else None)
            (img,) = cell.find_all("img")
            assert (site / img.attrs["src"]).is_file()
            badges += 1
    assert badges == sum(len(d["profiles"]) for d in documents.values())

    # An implementation's page, reached by its link from the overview.
    (beta_row,) = [r for r in found if r.find_all("a", "impl")[0].text() == "beta-grit"]
    href = beta_row.find_all("a", "impl")[0].attrs["href"].split("#")[0]
    impl = parse_html(chromium(tmp_path, "--dump-dom", (site / href).as_uri()).decode())
    assert impl.by_id("name").text() == "beta-grit"
    failing = [
        r for r in beta()["results"] if r["outcome"] in ("failed", "errored", "unexpected-pass")
    ]
    heads = [h.text() for h in impl.find_all("span", "requirement")]
    assert heads == sorted({rid for r in failing for rid in r["requirements"]})

    png = tmp_path / "site.png"
    chromium(
        tmp_path,
        f"--screenshot={png}",
        "--window-size=1400,900",
        "--hide-scrollbars",
        (site / "index.html").as_uri(),
    )
    assert _png_size(png) == (1400, 900)
    assert png.stat().st_size > 30_000, "the screenshot looks blank"
    kept = png
    if os.environ.get("GRITWIT_CI_ARTIFACTS"):
        kept = Path(os.environ["GRITWIT_CI_ARTIFACTS"]) / "site-overview.png"
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, kept)
    with capsys.disabled():
        print(f"\ncompliance site screenshot: {kept}")
    record_property("screenshot", str(kept))
