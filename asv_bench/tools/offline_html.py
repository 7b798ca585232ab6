"""Make asv's published HTML work with no network: vendor its JavaScript and CSS.

asv's pages load jQuery, flot, bootstrap and three small plugins from CDNs, so
``asv publish`` output is blank offline.  This script fetches the same libraries
from the npm registry (``npm pack``, at build time), copies the files the pages
use into ``<html_dir>/vendor/`` and rewrites every external ``<script src>`` and
``<link href>`` to the local copy (dropping ``integrity``/``crossorigin``: the
npm files are not always byte-identical to the CDN's minified ones)::

    python asv_bench/tools/offline_html.py --publish     # asv publish, then vendor
    python asv_bench/tools/offline_html.py [HTML_DIR]    # after asv publish (.asv/html)
    python asv_bench/tools/offline_html.py --from DIR    # use *.tgz already in DIR

An external reference that is not in :data:`VENDORED` (a newer asv) stops the
script with its URL, so a page never stays half online.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Vendored:
    """Where one CDN file comes from on npm: package spec, file in the package."""

    spec: str
    path: str
    #: Extra folders of the package to copy beside it (bootstrap's CSS loads ../fonts/).
    extra: tuple[str, ...] = ()

    @property
    def package(self) -> str:
        return self.spec.rsplit("@", 1)[0]

    @property
    def local(self) -> str:
        """The path the page loads it from, relative to the HTML file."""
        return f"vendor/{self.package}/{self.path}"


_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs"
_JSDELIVR = "https://cdn.jsdelivr.net/npm"
#: Every CDN reference of asv 0.6's pages → its npm source.  flot's npm package has
#: no .min files (same code, unminified); stupidtable 1.0.1 is not on npm, 1.1.3 is
#: its compatible successor.
VENDORED: dict[str, Vendored] = {
    "https://code.jquery.com/jquery-3.3.1.min.js": Vendored("jquery@3.3.1", "dist/jquery.min.js"),
    f"{_CDNJS}/flot/0.8.3/jquery.flot.min.js": Vendored("flot@0.8.3", "jquery.flot.js"),
    f"{_CDNJS}/flot/0.8.3/jquery.flot.time.min.js": Vendored("flot@0.8.3", "jquery.flot.time.js"),
    f"{_CDNJS}/flot/0.8.3/jquery.flot.selection.min.js": Vendored(
        "flot@0.8.3", "jquery.flot.selection.js"
    ),
    f"{_CDNJS}/flot/0.8.3/jquery.flot.categories.min.js": Vendored(
        "flot@0.8.3", "jquery.flot.categories.js"
    ),
    f"{_JSDELIVR}/flot-orderbars@1.0.0/js/jquery.flot.orderBars.js": Vendored(
        "flot-orderbars@1.0.0", "js/jquery.flot.orderBars.js"
    ),
    f"{_CDNJS}/stupidtable/1.0.1/stupidtable.min.js": Vendored(
        "stupid-table-plugin@1.1.3", "stupidtable.min.js"
    ),
    f"{_CDNJS}/blueimp-md5/2.19.0/js/md5.min.js": Vendored("blueimp-md5@2.19.0", "js/md5.min.js"),
    f"{_JSDELIVR}/bootstrap@3.1.1/dist/js/bootstrap.min.js": Vendored(
        "bootstrap@3.1.1", "dist/js/bootstrap.min.js"
    ),
    f"{_JSDELIVR}/bootstrap@3.1.1/dist/css/bootstrap.min.css": Vendored(
        "bootstrap@3.1.1", "dist/css/bootstrap.min.css", extra=("dist/fonts",)
    ),
}

_TAG = re.compile(r"<(?:script|link)\b[^>]*>", re.IGNORECASE)
_URL = re.compile(r"""\b(src|href)\s*=\s*(["'])((?:https?:)?//[^"']+)\2""", re.IGNORECASE)
_SRI = re.compile(
    r"""\s+(?:integrity|crossorigin|referrerpolicy)(?:\s*=\s*(["'])[^"']*\1)?""", re.I
)


class OfflineError(Exception):
    """A reference this script cannot vendor, or a failed download."""


def external_refs(html: str) -> list[str]:
    """The URLs of every external ``<script src>`` and ``<link href>`` in ``html``."""
    return [m.group(3) for tag in _TAG.findall(html) for m in _URL.finditer(tag)]


def rewrite(html: str) -> str:
    """``html`` with every external script and link pointing at its vendored copy."""

    def local(tag: re.Match[str]) -> str:
        text = tag.group(0)
        found = _URL.search(text)
        if found is None:
            return text
        url = found.group(3)
        if url not in VENDORED:
            raise OfflineError(f"no vendored copy for {url}: add it to VENDORED")
        text = text.replace(found.group(0), f'{found.group(1)}="{VENDORED[url].local}"')
        return _SRI.sub("", text)

    return _TAG.sub(local, html)


def fetch(specs: Iterable[str], into: Path, tarballs: Path | None) -> dict[str, Path]:
    """Each npm package spec unpacked under ``into``: from ``tarballs`` or ``npm pack``."""
    unpacked = {}
    for spec in sorted(set(specs)):
        name, version = spec.rsplit("@", 1)
        archive = None if tarballs is None else tarballs / f"{name}-{version}.tgz"
        if archive is None or not archive.exists():
            archive = _npm_pack(spec, into)
        target = into / name
        with tarfile.open(archive) as tar:
            _extract(tar, target)
        unpacked[spec] = target / "package"
    return unpacked


def _extract(tar: tarfile.TarFile, target: Path) -> None:
    """Unpack ``tar`` under ``target`` with the ``data`` filter (PEP 706), or, on a Python
    3.11 older than 3.11.4, which has no filter, only after refusing what the filter would:
    a link, a device, an absolute name or a ``..`` in a member's name."""
    if hasattr(tarfile, "data_filter"):
        tar.extractall(target, filter="data")
        return
    for member in tar.getmembers():
        parts = Path(member.name).parts
        if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in parts:
            raise ValueError(f"{member.name!r}: not a plain file of the package")
    tar.extractall(target)  # every member checked above


def _npm_pack(spec: str, into: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise OfflineError("npm is not installed; or pass --from DIR with the .tgz files")
    done = subprocess.run(
        [npm, "pack", "--silent", "--pack-destination", str(into), spec],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise OfflineError(f"npm pack {spec} failed: {done.stderr.strip()[-500:]}")
    return into / done.stdout.strip().splitlines()[-1]


def vendor(html_dir: Path, tarballs: Path | None = None) -> list[Path]:
    """Vendor and rewrite every ``*.html`` in ``html_dir``; return the rewritten pages."""
    pages = sorted(html_dir.glob("*.html"))
    if not pages:
        raise OfflineError(f"no HTML in {html_dir}: run asv publish first")
    texts = {page: page.read_text(encoding="utf-8") for page in pages}
    urls = {url for text in texts.values() for url in external_refs(text)}
    unknown = sorted(urls - VENDORED.keys())
    if unknown:
        raise OfflineError(f"no vendored copy for {', '.join(unknown)}: add it to VENDORED")
    needed = [VENDORED[url] for url in sorted(urls)]
    with tempfile.TemporaryDirectory(prefix="asv-offline-") as tmp:
        unpacked = fetch((item.spec for item in needed), Path(tmp), tarballs)
        for item in needed:
            root = unpacked[item.spec]
            for part in (item.path, *item.extra):
                source, target = root / part, html_dir / "vendor" / item.package / part
                target.parent.mkdir(parents=True, exist_ok=True)
                if source.is_dir():
                    shutil.copytree(source, target, dirs_exist_ok=True)
                else:
                    shutil.copyfile(source, target)
    for page, text in texts.items():
        page.write_text(rewrite(text), encoding="utf-8")
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("html_dir", nargs="?", default=".asv/html", type=Path)
    parser.add_argument("--publish", action="store_true", help="run asv publish first")
    parser.add_argument("--from", dest="tarballs", type=Path, help="folder of npm .tgz files")
    args = parser.parse_args(argv)
    if args.publish and subprocess.run(["asv", "publish"]).returncode != 0:
        return 1
    try:
        pages = vendor(args.html_dir, args.tarballs)
    except OfflineError as exc:
        print(f"offline_html: {exc}", file=sys.stderr)
        return 1
    print(f"offline_html: {len(pages)} pages in {args.html_dir} load only local files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
