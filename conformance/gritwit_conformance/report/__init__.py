"""``gritwit report``: render conformance reports as one self-contained HTML page.

* :func:`load_report` / :func:`parse_report` — read and validate one
  ``gritwit-report/1`` file (JSON Schema ``gritwit_conformance/schemas/report.schema.json``
  plus consistency checks); problems raise :class:`ReportError`;
* :func:`render_reports` — the compliance matrix of several reports: one column
  per implementation, rows grouped by profile then requirement ID, each
  requirement linked to its statement in the spec (CONV-005), each column
  headed by the versions it was checked against (CONV-003), each failing cell
  opening onto the failing tests and their reasons (CONV-004);
* :func:`add_report_parser` / :func:`main_report` — the CLI subcommand.

I/O happens only in :func:`load_report`, :func:`render_reports` and
:func:`main_report`; the rest is pure.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from gritwit._checkout import checkout_root

from ..data._paths import data_root
from ._html import render_matrix
from ._load import load_report, parse_report, strict_json
from ._matrix import CHAPTERS, build_matrix, spec_url
from ._model import Report, ReportError, report_schema
from ._mutation import load_mutation, mutation_section
from ._teleport import load_teleport, teleport_section

__all__ = [
    "CHAPTERS",
    "DEFAULT_OUTPUT",
    "DEFAULT_SPEC_BASE_URL",
    "Report",
    "ReportError",
    "add_report_parser",
    "load_report",
    "main_report",
    "parse_report",
    "strict_json",
    "render",
    "render_reports",
    "report_schema",
    "spec_base_url_for",
    "spec_url",
]

#: Where requirement links point by default: the docs' ``spec/`` folder, relative to
#: a page placed at the root of the built docs (``docs/_build/html/``).
DEFAULT_SPEC_BASE_URL: Final = "spec/"
#: Default output file of ``gritwit report`` (next to ``gritwit conform``'s default).
DEFAULT_OUTPUT: Final = "conformance-report.html"
#: Environment variable giving the base of requirement links (e.g. the published docs).
BASE_URL_VARIABLE: Final = "GRITWIT_SPEC_BASE_URL"
#: Where the built docs keep the spec pages, from the repository root.
_BUILT_SPEC: Final = ("docs", "_build", "html", "spec")


def _checkout_root() -> Path | None:
    """The gritwit checkout (with its docs): above the working directory, else above this
    package (:func:`gritwit._checkout.checkout_root`); ``None`` for an installed suite."""
    root = checkout_root()
    return root if root is not None and (root / "docs").is_dir() else None


def _installed_spec() -> Path | None:
    """The Markdown chapters installed with the suite (:mod:`..data._paths`), if any."""
    spec = data_root() / "spec"
    return spec if (spec / "00-conventions.md").is_file() else None


def spec_base_url_for(output: Path | None) -> tuple[str, str | None]:
    """The default base of requirement links for a page written to ``output``, and a note.

    ``$GRITWIT_SPEC_BASE_URL`` when set (e.g. the URL of the published docs);
    otherwise, in a gritwit checkout, the spec pages of its built docs
    (``docs/_build/html/spec/``) as a path relative to the page, so the links work
    wherever the page is written; otherwise, for a suite installed from its wheel, the
    Markdown chapters installed with it (a ``{chapter}.md`` template, :func:`spec_url`);
    otherwise :data:`DEFAULT_SPEC_BASE_URL`.  The note says when the links will not work
    as they stand, or open Markdown rather than the rendered spec.
    """
    env = os.environ.get(BASE_URL_VARIABLE, "")
    if env:
        return env, None
    root = _checkout_root()
    installed = _installed_spec() if root is None else None
    if output is not None and installed is not None:
        relative = Path(os.path.relpath(installed, output.resolve().parent)).as_posix()
        return f"{relative}/{{chapter}}.md", (
            f"requirement links open the Markdown chapters installed with the suite "
            f"({installed}); pass --spec-base-url or set {BASE_URL_VARIABLE} to the rendered spec"
        )
    if output is None or root is None:
        return DEFAULT_SPEC_BASE_URL, (
            f"requirement links point to {DEFAULT_SPEC_BASE_URL!r} next to the page; "
            f"pass --spec-base-url or set {BASE_URL_VARIABLE} to the rendered spec"
        )
    spec = root.joinpath(*_BUILT_SPEC)
    relative = Path(os.path.relpath(spec, output.resolve().parent)).as_posix() + "/"
    note = None
    if not spec.is_dir():
        note = (
            f"requirement links point to {spec}, not built yet: sphinx-build docs docs/_build/html"
        )
    return relative, note


def render(
    reports: Sequence[Report],
    base_url: str = DEFAULT_SPEC_BASE_URL,
    mutation: dict[str, Any] | None = None,
    teleport: Sequence[dict[str, Any]] = (),
) -> str:
    """The HTML page of already loaded reports (one column each, in order).

    ``mutation``: a ``gritwit-mutation/1`` document, rendered as a section after the matrix;
    ``teleport``: ``gritwit-teleport/1`` documents, rendered as one matrix of pairs.
    """
    if not reports:
        raise ValueError("render needs at least one report")
    extra = mutation_section(mutation, base_url) if mutation is not None else []
    if teleport:
        extra += teleport_section(list(teleport))
    return render_matrix(build_matrix(reports), base_url, extra)


def render_reports(
    paths: Sequence[Path],
    base_url: str = DEFAULT_SPEC_BASE_URL,
    mutation: Path | None = None,
    teleport: Sequence[Path] = (),
) -> str:
    """Load, validate and render the report files ``paths`` into one HTML page.

    Raises :class:`ReportError` for the first file that is not a valid report.
    The output depends only on the files' contents, their names and ``base_url``.
    """
    if not paths:
        raise ReportError("gritwit report", ["no report files given"])
    loaded = [load_report(Path(p)) for p in paths]
    return render(
        loaded,
        base_url,
        load_mutation(mutation) if mutation is not None else None,
        [load_teleport(Path(p)) for p in teleport],
    )


def main_report(args: argparse.Namespace) -> int:
    """Handler of ``gritwit report``: 0 when the page was written, 1 for a bad report."""
    base_url, note = args.spec_base_url, None
    if base_url is None:
        base_url, note = spec_base_url_for(None if args.output == "-" else Path(args.output))
    missing = [p for p in args.reports if not Path(p).exists()]
    try:
        page = render_reports(
            [Path(p) for p in args.reports],
            base_url=base_url,
            mutation=Path(args.mutation) if args.mutation else None,
            teleport=[Path(p) for p in args.teleport],
        )
    except ReportError as exc:
        print(f"gritwit report: {exc}", file=sys.stderr)
        if missing:
            print(
                "gritwit report: a report is written by gritwit conform: "
                "`gritwit conform --out NAME` writes NAME.json",
                file=sys.stderr,
            )
        return 1
    if args.output == "-":
        sys.stdout.write(page)
        return 0
    out = Path(args.output)
    try:
        out.write_bytes(page.encode("utf-8"))
    except OSError as exc:
        print(f"gritwit report: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {out} ({len(args.reports)} report(s))")
    if note is not None:
        print(f"note: {note}", file=sys.stderr)
    return 0


def add_report_parser(subparsers: Any) -> None:
    """Register ``gritwit report REPORT.json [...] [-o OUT.html] [--spec-base-url URL]``."""
    help_text = "render conformance reports (JSON) as one HTML compliance matrix"
    parser = subparsers.add_parser("report", help=help_text, description=help_text)
    parser.add_argument(
        "reports", nargs="+", metavar="REPORT.json", help="reports written by gritwit conform"
    )
    parser.add_argument(
        "-o",
        "--output",
        default=DEFAULT_OUTPUT,
        metavar="OUT.html",
        help=f"the page to write, '-' for standard output (default: {DEFAULT_OUTPUT})",
    )
    parser.add_argument(
        "--spec-base-url",
        default=None,
        metavar="URL",
        help="base of requirement links, e.g. https://example.org/gritwit/spec/, or a "
        "template with {chapter} and {rid} (default: "
        f"${BASE_URL_VARIABLE} if set; in a gritwit checkout, its built docs' spec pages "
        "(docs/_build/html/spec/) relative to the page; installed from the wheel, the "
        "Markdown chapters installed with it; else "
        f"{DEFAULT_SPEC_BASE_URL!r})",
    )
    parser.add_argument(
        "--mutation",
        default=None,
        metavar="MUTATION.json",
        help="a report of gritwit mutate, rendered as a section after the matrix",
    )
    parser.add_argument(
        "--teleport",
        action="append",
        default=[],
        metavar="TELEPORT.json",
        help="a report of gritwit teleport (repeatable): one matrix of implementation pairs",
    )
    parser.set_defaults(handler=main_report)
