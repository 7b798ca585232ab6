"""``gritwit site``: a static compliance site from conformance reports.

From reports of any implementations and spec versions (``gritwit conform --json``):

* ``index.html`` — the overview matrix: one row per implementation and spec version,
  one column per profile, each cell its status, its counts and its badge;
* ``impl/<name>.html`` — a page per implementation: per spec version its facts
  (versions claimed and judged, CONV-003), its profiles, its failures by requirement
  with their reasons and version marks (CONV-004, CONV-005, ADP-020.3) and its badges;
* ``badges/<name>/<version>/<profile>.svg`` and ``.json`` — a badge per profile and
  version, as an SVG and as a shields.io endpoint document.

The site needs no network: no script, no CDN, no web font.  Reading
(:mod:`._tolerant`) and writing (:func:`write_site`) are the only I/O; the model
(:mod:`._model`), the badges (:mod:`._badge`) and the pages (:mod:`._pages`) are pure.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from ..report import ReportError
from ._model import Site, SiteError, build_site
from ._pages import render_files
from ._tolerant import read_report

__all__ = ["DEFAULT_OUTPUT", "SiteError", "add_site_parser", "load_site", "main_site", "write_site"]

#: Default folder of ``gritwit site``.
DEFAULT_OUTPUT: Final = "compliance-site"


def load_site(paths: Sequence[Path]) -> Site:
    """Read the report files ``paths`` (tolerantly, :mod:`._tolerant`) into a :class:`Site`.

    Raises :class:`~..report.ReportError` for a file that is not a report and
    :class:`SiteError` for two reports of one implementation and spec version.
    """
    if not paths:
        raise ReportError("gritwit site", ["no report files given"])
    reports, unknown = [], []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ReportError(str(path), [f"cannot read: {exc.strerror or exc}"]) from None
        report, dropped = read_report(str(path), data)
        reports.append(report)
        unknown.append(dropped)
    return build_site(reports, unknown)


def write_site(site: Site, out: Path) -> list[Path]:
    """Write every file of ``site`` under ``out`` (created); returns the files written."""
    written = []
    for name, text in sorted(render_files(site).items()):
        target = out.joinpath(*name.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))
        written.append(target)
    return written


def main_site(args: argparse.Namespace) -> int:
    """Handler of ``gritwit site``: 0 when the site was written, 1 for a bad report."""
    out = Path(args.output)
    try:
        site = load_site([Path(p) for p in args.reports])
        written = write_site(site, out)
    except (ReportError, SiteError) as exc:
        print(f"gritwit site: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"gritwit site: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    badges = sum(p.suffix == ".svg" for p in written)
    print(
        f"wrote {out / 'index.html'}: {len(site.implementations)} implementation(s), "
        f"{len(args.reports)} report(s), {badges} badge(s)"
    )
    for impl in site.implementations:
        for entry in impl.entries:
            if entry.unknown_fields:
                print(
                    f"note: {entry.report.source}: set aside {len(entry.unknown_fields)} "
                    f"field(s) this gritwit does not know ({entry.unknown_fields[0]} …)",
                    file=sys.stderr,
                )
    return 0


def add_site_parser(subparsers: Any) -> None:
    """Register ``gritwit site REPORT.json [...] [-o DIR]``."""
    help_text = "write a static compliance site (overview, a page per implementation, badges)"
    parser = subparsers.add_parser("site", help=help_text, description=help_text)
    parser.add_argument(
        "reports", nargs="+", metavar="REPORT.json", help="reports written by gritwit conform"
    )
    parser.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        metavar="DIR",
        help=f"the folder to write (created; default: {DEFAULT_OUTPUT})",
    )
    parser.set_defaults(handler=main_site)
