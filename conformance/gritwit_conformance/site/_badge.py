"""Badges: one per implementation, spec version and profile (pure).

Each badge is an SVG (flat, two-part, in the manner of shields.io, text in the
system's sans-serif: no web font, nothing fetched) and a shields.io *endpoint*
document (``schemaVersion`` 1) for those who let shields.io draw it.  The label
names the profile and spec version (CONV-003); the message says how many of the
tests that ran to a verdict passed, and the status word when it is not a pass
(ADP-020.2: skipped, not claimed and not applicable tests count for nothing).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Final

from ..report._model import Counts
from ._model import judged

__all__ = ["Badge", "badge", "badge_svg", "endpoint_json"]

# status (Counts.status) -> (word, shields colour name, hex of that colour)
_STYLE: Final = {
    "pass": ("passed", "brightgreen", "#3d9b23"),
    "fail": ("fail", "red", "#c9362a"),
    "errored": ("errored", "orange", "#c75c14"),
    "timed-out": ("timed out", "orange", "#c75c14"),
    "incomplete": ("incomplete", "yellow", "#a07c00"),
    "xfail": ("known failures", "yellowgreen", "#748a10"),
    "skipped": ("skipped", "lightgrey", "#767676"),
    "not-applicable": ("not applicable", "lightgrey", "#767676"),
    "not-claimed": ("not claimed", "lightgrey", "#767676"),
    "none": ("no tests", "lightgrey", "#767676"),
}
_WITH_COUNTS: Final = frozenset({"pass", "fail", "errored", "timed-out", "incomplete", "xfail"})


@dataclass(frozen=True, slots=True)
class Badge:
    """What a badge says; ``title`` (the implementation) is its tooltip."""

    label: str
    message: str
    color: str
    hex: str
    title: str


def badge(title: str, profile: str, version: str, counts: Counts, selection: str = "") -> Badge:
    """The badge of one profile of one report.

    ``selection`` (``selection: N of M tests``) ends the message of a badge made from
    a run of some tests only, so that it never reads as a verdict on the whole suite
    (ADP-020.8: a 9-test selection read ``store | fail 3/9``).
    """
    status = counts.status
    word, color, hex_ = _STYLE[status]
    if status in _WITH_COUNTS:
        ratio = f"{counts.passed}/{judged(counts)}"
        message = f"{ratio} passed" if status == "pass" else f"{word} {ratio}"
    else:
        message = word
    if selection:
        message = f"{message} ({selection})"
    return Badge(f"{profile} {version}", message, color, hex_, title)


def _width(text: str) -> int:
    """Approximate width in px of ``text`` at 11 px sans-serif (Verdana-like metrics)."""
    narrow = sum(ch in "ijlt.,:;|!' /()[]1" for ch in text)
    wide = sum(ch in "mwMW%" for ch in text)
    return round(6.5 * (len(text) - narrow - wide) + 4 * narrow + 9.5 * wide) + 10


def _x(text: str) -> str:
    """Text for XML: escaped, quotes too; characters XML 1.0 cannot hold made visible."""
    clean = "".join(
        ch
        if ch in "\t\n\r"
        or (0x20 <= ord(ch) < 0xD800)
        or (0xE000 <= ord(ch) <= 0xFFFD)
        or ord(ch) >= 0x10000
        else f"\\x{ord(ch):02x}"
        for ch in text
    )
    return html.escape(clean, quote=True)


def badge_svg(b: Badge) -> str:
    """The badge as a standalone SVG document."""
    left, right = _width(b.label), _width(b.message)
    total = left + right
    label, message = _x(b.label), _x(b.message)
    title = _x(f"{b.title}: {b.label}: {b.message}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" '
        f'role="img" aria-label="{label}: {message}">'
        f"<title>{title}</title>"
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{b.hex}"/>'
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,DejaVu Sans,Geneva,sans-serif" font-size="11">'
        f'<text x="{left / 2}" y="14">{label}</text>'
        f'<text x="{left + right / 2}" y="14">{message}</text>'
        "</g></svg>\n"
    )


def endpoint_json(b: Badge) -> str:
    """The badge as a shields.io endpoint document (https://shields.io/badges/endpoint-badge)."""
    document = {"schemaVersion": 1, "label": b.label, "message": b.message, "color": b.color}
    return json.dumps(document, ensure_ascii=True, indent=1) + "\n"
