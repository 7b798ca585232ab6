"""The benchmark tooling keeps working: asv builds one wheel per commit, the published
HTML loads no CDN, the work counters count, and the regression check is wired right.

Cheap on purpose (no asv run, no network): ``asv_bench/tools/compare.py`` and the
``bench_counts`` benchmarks themselves are exercised by ``tox -e asv-compare``.
"""

from __future__ import annotations

import io
import re
import sys
import tarfile
from pathlib import Path
from types import ModuleType

import pytest
from scripts import load_script

import gritwit as g
from gritwit.store import Store

ROOT = Path(__file__).resolve().parents[2]
asv_config = pytest.importorskip(
    "asv.config", reason="asv is not installed: python -m pip install -e '.[bench]'"
)


def _load(relative: str) -> ModuleType:
    """A script of ``asv_bench/tools`` (not a package, so asv does not import it)."""
    path = ROOT / relative
    return load_script(path, path.stem)


offline = _load("asv_bench/tools/offline_html.py")
compare = _load("asv_bench/tools/compare.py")
sys.path.insert(0, str(ROOT))
from asv_bench import bench_counts  # noqa: E402
from asv_bench._counting import Counting  # noqa: E402

# --- asv.conf.json -------------------------------------------------------------------


def test_asv_builds_only_the_projects_wheel() -> None:
    """Without --no-deps asv's build puts every dependency's wheel in the build cache,
    and the install then stops with "Found multiple wheels ... Cannot decide"."""
    conf = asv_config.Config.load(str(ROOT / "asv.conf.json"))
    assert conf.build_command, "asv.conf.json needs a build_command"
    wheel_builds = [c for c in conf.build_command if "wheel" in c]
    assert len(wheel_builds) == 1
    (build,) = wheel_builds
    assert "--no-deps" in build.split()
    assert "-w {build_cache_dir}" in build and "{build_dir}" in build
    assert any("{wheel_file}" in c for c in conf.install_command)
    assert conf.benchmark_dir == "asv_bench"
    known = {"build_cache_dir", "build_dir", "env_dir", "wheel_file", "project", "conf_dir"}
    for command in (*conf.build_command, *conf.install_command, *conf.uninstall_command):
        assert set(re.findall(r"\{(\w+)\}", command)) <= known, command


def test_asv_state_stays_out_of_git() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert ".asv/" in ignored


# --- offline HTML --------------------------------------------------------------------


def _asv_pages() -> dict[str, str]:
    www = Path(asv_config.__file__).parent / "www"
    return {page.name: page.read_text(encoding="utf-8") for page in www.glob("*.html")}


def test_every_external_reference_of_asvs_pages_is_vendored() -> None:
    pages = _asv_pages()
    found = {url for html in pages.values() for url in offline.external_refs(html)}
    assert len(found) >= 5, "asv's index.html loads its JavaScript from CDNs"
    assert found <= offline.VENDORED.keys(), sorted(found - offline.VENDORED.keys())


def test_rewritten_pages_load_only_local_files() -> None:
    for name, html in _asv_pages().items():
        local = offline.rewrite(html)
        assert offline.external_refs(local) == [], name
        assert "integrity=" not in local and "crossorigin" not in local, name
        for tag in re.findall(r"<(?:script|link)\b[^>]*>", local):
            assert not re.search(r"(src|href)=[\"'](https?:)?//", tag), tag
        # what was local stays as it was; only the CDN tags changed
        assert local.count("<script") == html.count("<script"), name
        assert "asv.js" in local or name != "index.html"


def test_an_unknown_cdn_reference_is_an_error_not_a_half_online_page() -> None:
    html = '<script src="https://cdn.example/new.js"></script>'
    with pytest.raises(offline.OfflineError, match=r"cdn\.example/new\.js"):
        offline.rewrite(html)


def _tarball(folder: Path, spec: str, files: dict[str, bytes]) -> None:
    name, version = spec.rsplit("@", 1)
    with tarfile.open(folder / f"{name}-{version}.tgz", "w:gz") as tar:
        for path, data in files.items():
            info = tarfile.TarInfo(f"package/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_vendor_copies_the_files_and_rewrites_the_page(tmp_path: Path) -> None:
    """From local tarballs (no network): the files land where the rewritten page looks."""
    css = "https://cdn.jsdelivr.net/npm/bootstrap@3.1.1/dist/css/bootstrap.min.css"
    jquery = "https://code.jquery.com/jquery-3.3.1.min.js"
    site, tarballs = tmp_path / "html", tmp_path / "npm"
    site.mkdir()
    tarballs.mkdir()
    page = site / "index.html"
    page.write_text(
        f'<script src="{jquery}" integrity="sha256-x" crossorigin="anonymous"></script>\n'
        f'<link rel="stylesheet" href="{css}" integrity="sha256-y" crossorigin="anonymous">\n'
        '<script src="asv.js"></script>\n'
    )
    _tarball(tarballs, "jquery@3.3.1", {"dist/jquery.min.js": b"/* jq */"})
    _tarball(
        tarballs,
        "bootstrap@3.1.1",
        {"dist/css/bootstrap.min.css": b"/* css */", "dist/fonts/g.woff": b"font"},
    )
    offline.vendor(site, tarballs)
    html = page.read_text()
    assert offline.external_refs(html) == []
    for url in (jquery, css):
        assert f'"{offline.VENDORED[url].local}"' in html
        assert (site / offline.VENDORED[url].local).is_file()
    assert (site / "vendor/bootstrap/dist/fonts/g.woff").read_bytes() == b"font"
    assert '<script src="asv.js"></script>' in html
    offline.vendor(site, tarballs)  # idempotent: nothing external is left to fetch
    assert page.read_text() == html


# --- work counters -------------------------------------------------------------------


def test_counting_sees_encodes_hashes_decodes_and_store_writes() -> None:
    import blake3
    import cbor2

    originals = (cbor2.dumps, cbor2.loads, blake3.blake3, g.decode_object)
    counting = Counting()
    store = Store(counting.backend(Store.memory().backend))
    blob = g.Blob(data=b"x")
    data = g.encode_object(blob)
    with counting.active() as counts:
        g.encode_object(blob)
        assert (counts.encodes, counts.hashes) == (1, 0)
        g.object_id(blob)  # ID-001: one encode, one BLAKE3
        assert (counts.encodes, counts.hashes) == (2, 1)
        g.decode_object(data)  # its canonicality re-encode belongs to the decode
        assert (counts.decodes, counts.encodes) == (1, 2)
        store.put_object(blob)
        store.put_objects([g.Blob(data=b"y"), g.Blob(data=b"z")])
        assert (counts.objects_written, counts.commits) == (3, 2)
        store.get_object(g.object_id(blob))
        assert (counts.reads, counts.decodes) == (1, 2)
    assert (cbor2.dumps, cbor2.loads, blake3.blake3, g.decode_object) == originals
    before = counts.as_dict()
    g.object_id(g.Blob(data=b"after"))  # unwrapped again: nothing more is counted
    assert counts.as_dict() == before


@pytest.mark.parametrize("cls", [bench_counts.CounterCounts, bench_counts.PingPongCounts])
def test_track_benchmarks_return_whole_counts(cls: type) -> None:
    bench = cls()
    bench.setup("memory")
    try:
        tracks = {
            name: getattr(bench, name)("memory") for name in dir(cls) if name.startswith("track_")
        }
    finally:
        bench.teardown("memory")
    assert set(tracks) == {
        "track_encodes",
        "track_hashes",
        "track_decodes",
        "track_objects_written",
        "track_commits",
        "track_store_reads",
        "track_calls",
    }
    # counts per transition: whole, or whole over the workload's transitions (ping-pong's
    # 20 transitions are one group commit, RUN-017: 0.05 commits per transition)
    per = bench_counts.PINGPONG if cls is bench_counts.PingPongCounts else 1
    assert all(v >= 0 and round(v * per, 9) == round(v * per) for v in tracks.values()), tracks
    # a transition stores a step and its mailboxes: work that cannot be zero
    assert tracks["track_objects_written"] >= 3 and tracks["track_commits"] > 0, tracks
    assert tracks["track_encodes"] >= tracks["track_objects_written"] - 1, tracks


# --- the regression check ------------------------------------------------------------


def test_regression_check_interleaves_and_is_strict_on_counts() -> None:
    counts = compare.counts_command("a" * 40, "b" * 40)
    assert counts[:2] == ["asv", "continuous"] and counts[-2:] == ["a" * 40, "b" * 40]
    assert counts[counts.index("--factor") + 1] == "1.0"
    assert "^bench_counts\\." in counts
    timing = compare.timing_command("a" * 40, "b" * 40, 1.5, 6, 5)
    assert "--interleave-rounds" in timing and "rounds=6" in timing and "repeat=5" in timing
    assert timing[timing.index("--factor") + 1] == "1.5"
    assert compare.FACTOR > 1.0


def test_regression_check_refuses_nonsense(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        compare.main(["--factor", "0.5"])
    assert stop.value.code == 2
    assert "--factor" in capsys.readouterr().err
