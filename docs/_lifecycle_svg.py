"""The diagram of a message's life: an SVG drawn from the table of RUN-015 (style rule 5).

One box per state, one arrow per way into a state, labelled with the requirement
IDs that way cites.  States sit in rows by their distance from the message's
start; within the rows, every placement on a small grid is scored (crossing
arrows, arrows through boxes, labels on top of each other, length) and the best
one is drawn.  Hand-built SVG, no dependencies: ``docs/conf.py`` calls
:func:`write_lifecycle_svg` at build time and ``reference/tests/test_docs_lifecycle.py``
checks what it draws.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from html import escape
from pathlib import Path

from _lifecycle import Lifecycle, parse_lifecycle

__all__ = ["render_svg", "write_lifecycle_svg"]

_BOX_W, _BOX_H = 124, 40
_ROW_GAP, _COL_GAP = 86, 120
_MARGIN = 24
_START_R = 7
_LABEL_CHAR, _LABEL_LINE = 7.3, 14
_PER_LINE = 2  # requirement IDs per label line
_BEND_BACK, _BEND_PAIR = 36.0, 28.0

Point = tuple[float, float]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Way:
    """One arrow: from ``source`` (``None``: the start) to ``target``."""

    source: str | None
    target: str
    requirements: tuple[str, ...]


def _ways(life: Lifecycle) -> list[_Way]:
    return [
        _Way(source=source, target=state.name, requirements=entry.requirements)
        for state in life.states
        for entry in state.entries
        for source in (entry.sources or (None,))
    ]


def _ranks(life: Lifecycle, ways: list[_Way]) -> dict[str, int]:
    """Each state's row: its longest distance from the start once the arrows that lead
    back (found depth first, in table order) are left out; unreachable states last."""
    names = [state.name for state in life.states]
    after: dict[str | None, list[str]] = {}
    for way in ways:
        after.setdefault(way.source, []).append(way.target)
    back: set[tuple[str | None, str]] = set()
    done: set[str] = set()
    order: list[str] = []  # reverse post-order: a topological order without ``back``

    def visit(name: str, path: set[str]) -> None:
        path.add(name)
        for nxt in after.get(name, []):
            if nxt in path:
                back.add((name, nxt))
            elif nxt not in done:
                visit(nxt, path)
        path.discard(name)
        done.add(name)
        order.insert(0, name)

    for first in after.get(None, names[:1]):
        if first not in done:
            visit(first, set())
    rank = dict.fromkeys(after.get(None, names[:1]), 0)
    for name in order:
        for nxt in after.get(name, []):
            if (name, nxt) not in back:
                rank[nxt] = max(rank.get(nxt, 0), rank.get(name, 0) + 1)
    last = max(rank.values()) + 1
    return {name: rank.get(name, last) for name in names}


def _bends(way: _Way, rank: dict[str, int], pairs: set[tuple[str | None, str]]) -> list[float]:
    """The bows an arrow may take: arrows back up (or sideways) bow out to either side,
    long ones may, and two arrows between the same boxes part."""
    if way.source is None:
        return [0.0]
    span = rank[way.target] - rank[way.source]
    if span <= 0:
        return [_BEND_BACK, -_BEND_BACK]
    if (way.target, way.source) in pairs:
        return [_BEND_PAIR]
    return [0.0] if span == 1 else [0.0, _BEND_BACK, -_BEND_BACK]


def _through(a: Point, b: Point, bend: float) -> Point:
    """The point the arrow from ``a`` to ``b`` passes half-way (its label's place)."""
    (ax, ay), (bx, by) = a, b
    length = math.hypot(bx - ax, by - ay) or 1.0
    return (ax + bx) / 2 - (by - ay) / length * bend, (ay + by) / 2 + (bx - ax) / length * bend


def _crosses(p: Point, q: Point, r: Point, s: Point) -> bool:
    def side(a: Point, b: Point, c: Point) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    return side(p, q, r) * side(p, q, s) < 0 and side(r, s, p) * side(r, s, q) < 0


def _hits_box(
    p: Point, q: Point, centre: Point, w: float = _BOX_W / 2 + 8, h: float = _BOX_H / 2 + 8
) -> bool:
    """Whether segment ``pq`` passes through the ``2w`` by ``2h`` box at ``centre``
    (Liang-Barsky clipping); by default a state's box with some room around it."""
    low, high = 0.0, 1.0
    dx, dy = q[0] - p[0], q[1] - p[1]
    for step, room in (
        (-dx, p[0] - (centre[0] - w)),
        (dx, centre[0] + w - p[0]),
        (-dy, p[1] - (centre[1] - h)),
        (dy, centre[1] + h - p[1]),
    ):
        if step == 0:
            if room < 0:
                return False
        elif step < 0:
            low = max(low, room / step)
        else:
            high = min(high, room / step)
        if low > high:
            return False
    return True


def _score(centres: dict[str, Point], routes: list[tuple[_Way, Point, Point, Point]]) -> float:
    """Lower is better: crossings, arrows through boxes, crowded labels, length."""
    cost = 0.0
    legs = [(w, (a, m), (m, b)) for w, a, m, b in routes]
    for (w1, *l1), (w2, *l2) in itertools.combinations(legs, 2):
        if {w1.source, w1.target} & {w2.source, w2.target}:
            continue
        cost += 10 * sum(_crosses(*s, *t) for s in l1 for t in l2)
    for w, a, m, b in routes:
        cost += 0.02 * (math.dist(a, m) + math.dist(m, b))
        for name, centre in centres.items():
            if name not in (w.source, w.target):
                cost += 40 * (_hits_box(a, m, centre) or _hits_box(m, b, centre))
    labels = [(w, m, _label_size(w.requirements)) for w, _, m, _ in routes]
    for (_, m1, s1), (_, m2, s2) in itertools.combinations(labels, 2):
        cost += 15 * (
            abs(m1[0] - m2[0]) < (s1[0] + s2[0]) / 2 + 8
            and abs(m1[1] - m2[1]) < (s1[1] + s2[1]) / 2 + 8
        )
    for way, at, (width, height) in labels:  # a label hiding another arrow
        for other, a, m, b in routes:
            if other is not way and width:
                half = (width / 2, height / 2)
                cost += 8 * (_hits_box(a, m, at, *half) or _hits_box(m, b, at, *half))
    return cost


def _grid(col: int, row: int) -> Point:
    top = _MARGIN + 2 * _START_R + _ROW_GAP * 0.6
    return (
        _MARGIN + _BOX_W / 2 + col * (_BOX_W + _COL_GAP),
        top + row * (_BOX_H + _ROW_GAP) + _BOX_H / 2,
    )


def _start(centres: dict[str, Point], ways: list[_Way]) -> Point:
    first = next((w.target for w in ways if w.source is None), next(iter(centres)))
    return centres[first][0], _MARGIN + _START_R


def _route(
    way: _Way, centres: dict[str, Point], start: Point, bends: list[float]
) -> tuple[float, Point, Point, Point]:
    """The bend among ``bends`` whose arrow passes through fewest other boxes, and its path."""
    a = start if way.source is None else centres[way.source]
    b = centres[way.target]
    options = []
    for bend in bends:
        m = _through(a, b, bend)
        hits = sum(
            _hits_box(a, m, c) or _hits_box(m, b, c)
            for name, c in centres.items()
            if name not in (way.source, way.target)
        )
        options.append((hits, abs(bend), bend, m))
    _, _, bend, m = min(options, key=lambda o: o[:2])
    return bend, a, m, b


def _layout(life: Lifecycle, ways: list[_Way]) -> tuple[dict[str, Point], list[float]]:
    """The best-scoring box centres, and each way's bend."""
    rank = _ranks(life, ways)
    rows: list[list[str]] = [[] for _ in range(max(rank.values()) + 1)]
    for state in life.states:
        rows[rank[state.name]].append(state.name)
    columns = max(len(row) for row in rows)
    pairs = {(w.source, w.target) for w in ways}
    allowed = [_bends(w, rank, pairs) for w in ways]
    best: tuple[float, dict[str, Point], list[float]] | None = None
    choices = [itertools.permutations(range(columns), len(row)) for row in rows]
    for placement in itertools.product(*choices):
        centres = {
            name: _grid(col, r)
            for r, cols in enumerate(placement)
            for name, col in zip(rows[r], cols, strict=True)
        }
        start = _start(centres, ways)
        routed = [_route(w, centres, start, b) for w, b in zip(ways, allowed, strict=True)]
        score = _score(
            centres, [(w, a, m, b) for w, (_, a, m, b) in zip(ways, routed, strict=True)]
        )
        if best is None or score < best[0]:
            best = (score, centres, [bend for bend, *_ in routed])
    assert best is not None
    return best[1], best[2]


def _border(centre: Point, towards: Point) -> Point:
    """Where the segment from a box's centre towards a point leaves the box."""
    (cx, cy), (tx, ty) = centre, towards
    dx, dy = tx - cx, ty - cy
    if dx == dy == 0:
        return centre
    scale = min(
        (_BOX_W / 2 + 3) / abs(dx) if dx else math.inf,
        (_BOX_H / 2 + 3) / abs(dy) if dy else math.inf,
    )
    return cx + dx * scale, cy + dy * scale


def _label_lines(ids: tuple[str, ...]) -> list[str]:
    return [" ".join(ids[i : i + _PER_LINE]) for i in range(0, len(ids), _PER_LINE)]


def _label_size(ids: tuple[str, ...]) -> tuple[float, float]:
    lines = _label_lines(ids)
    if not lines:
        return 0.0, 0.0
    return max(len(line) for line in lines) * _LABEL_CHAR + 8, len(lines) * _LABEL_LINE + 4


def _label(ids: tuple[str, ...], at: Point) -> str:
    lines = _label_lines(ids)
    if not lines:
        return ""
    w, h = _label_size(ids)
    x, y = at
    parts = [
        f'<rect class="label" x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" '
        f'width="{w:.1f}" height="{h:.1f}" rx="3"/>'
    ]
    for i, line in enumerate(lines):
        baseline = y - h / 2 + (i + 1) * _LABEL_LINE - 1
        parts.append(f'<text class="req" x="{x:.1f}" y="{baseline:.1f}">{escape(line)}</text>')
    return "".join(parts)


def _curve(a: Point, mid: Point, b: Point, from_start: bool) -> tuple[Point, Point, Point]:
    """The quadratic curve from box ``a`` through ``mid`` to box ``b``: start, control, end."""
    start = (a[0], a[1] + _START_R + 2) if from_start else _border(a, mid)
    end = _border(b, mid)
    ctrl = (2 * mid[0] - (start[0] + end[0]) / 2, 2 * mid[1] - (start[1] + end[1]) / 2)
    return start, ctrl, end


def _arrow(curve: tuple[Point, Point, Point]) -> str:
    (sx, sy), (cx, cy), (ex, ey) = curve
    return f'<path class="way" d="M{sx:.1f},{sy:.1f} Q{cx:.1f},{cy:.1f} {ex:.1f},{ey:.1f}"/>'


def _on(curve: tuple[Point, Point, Point], t: float) -> Point:
    (sx, sy), (cx, cy), (ex, ey) = curve
    u = 1 - t
    return u * u * sx + 2 * u * t * cx + t * t * ex, u * u * sy + 2 * u * t * cy + t * t * ey


def _label_place(
    curve: tuple[Point, Point, Point], size: tuple[float, float], taken: list[tuple[Point, Point]]
) -> Point:
    """A point of ``curve`` for a label of ``size``: the middle, unless that covers a
    label or box already in ``taken`` (centre, half-size) and a point nearer an end does not."""
    for t in (0.5, 0.4, 0.6, 0.3, 0.7):
        at = _on(curve, t)
        if not any(
            abs(at[0] - c[0]) < size[0] / 2 + half[0] + 4
            and abs(at[1] - c[1]) < size[1] / 2 + half[1] + 4
            for c, half in taken
        ):
            return at
    return _on(curve, 0.5)


_STYLE = (
    "text{font-family:'DejaVu Sans',Arial,Helvetica,sans-serif;fill:#1f2933}"
    ".state rect{fill:#eef4fb;stroke:#3d6d99;stroke-width:1.5}"
    ".state text{font-size:14px;font-weight:bold;text-anchor:middle}"
    ".way{fill:none;stroke:#52606d;stroke-width:1.3;marker-end:url(#head)}"
    ".label{fill:#fff;fill-opacity:.9;stroke:none}"
    ".req{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:12px;"
    "fill:#7a3e00;text-anchor:middle}"
)


def render_svg(life: Lifecycle, title: str = "The life of a message (RUN-015)") -> str:
    """An SVG document: a box per state, an arrow per way in, labelled with its IDs."""
    ways = _ways(life)
    centres, bends = _layout(life, ways)
    start = _start(centres, ways)
    width = max(x for x, _ in centres.values()) + _BOX_W / 2 + _MARGIN
    height = max(y for _, y in centres.values()) + _BOX_H / 2 + _MARGIN
    paths, labels = [], []
    taken = [(c, (_BOX_W / 2, _BOX_H / 2)) for c in centres.values()]
    for way, bend in zip(ways, bends, strict=True):
        a = start if way.source is None else centres[way.source]
        curve = _curve(
            a, _through(a, centres[way.target], bend), centres[way.target], not way.source
        )
        paths.append(_arrow(curve))
        size = _label_size(way.requirements)
        at = _label_place(curve, size, taken)
        taken.append((at, (size[0] / 2, size[1] / 2)))
        labels.append(_label(way.requirements, at))
    boxes = [
        f'<g class="state" id="state-{escape(s.name)}">'
        f"<title>{escape(s.name)}: {escape(s.observable)}</title>"
        f'<rect x="{centres[s.name][0] - _BOX_W / 2:.1f}" '
        f'y="{centres[s.name][1] - _BOX_H / 2:.1f}" width="{_BOX_W}" height="{_BOX_H}" rx="8"/>'
        f'<text x="{centres[s.name][0]:.1f}" y="{centres[s.name][1] + 5:.1f}">'
        f"{escape(s.name)}</text></g>"
        for s in life.states
    ]
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" '
            f'height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" role="img">',
            f"<title>{escape(title)}</title>",
            "<desc>Generated by docs/_lifecycle_svg.py from the table of RUN-015 in "
            "spec/07-runtime.md; do not edit.</desc>",
            f"<style>{_STYLE}</style>",
            '<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
            'markerHeight="8" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" '
            'fill="#52606d"/></marker></defs>',
            f'<circle fill="#1f2933" cx="{start[0]:.1f}" cy="{start[1]:.1f}" r="{_START_R}"/>',
            *paths,
            *boxes,
            *(label for label in labels if label),
            "</svg>",
            "",
        ]
    )


def write_lifecycle_svg(chapter: Path, out: Path) -> Path:
    """Parse ``chapter``, write its diagram to ``out`` if that changes it; return ``out``."""
    svg = render_svg(parse_lifecycle(chapter.read_text(encoding="utf-8")))
    out.parent.mkdir(parents=True, exist_ok=True)
    if not out.is_file() or out.read_text(encoding="utf-8") != svg:
        out.write_text(svg, encoding="utf-8")
    return out
