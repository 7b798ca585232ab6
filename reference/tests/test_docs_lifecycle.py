"""A message's life (RUN-015): the spec's table, the diagram drawn from it, the runtime.

The table in ``spec/07-runtime.md`` is parsed by ``docs/_lifecycle.py`` and drawn by
``docs/_lifecycle_svg.py`` (both pure; the docs build runs them).  These tests check
that the table parses into a life every state of which the start reaches, that the
SVG is well-formed and shows every state and every way, that each requirement the
table cites exists, that any table of that shape survives the round trip, and that
the reference runtime shows the states the way the table's last column says.
"""

from __future__ import annotations

import asyncio
import string
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest
from aio import run
from core_numbers import head_count
from hypothesis import given
from hypothesis import strategies as st
from scripts import load_script

import gritwit as g
from gritwit.runtime import Runtime, failed_ref, history
from gritwit.wit import (
    OUTSIDE,
    mailbox_entries,
    outside_entries,
    pending,
    read_outside,
    test_actor_core,
)
from gritwit_conformance.trace import collect_definitions

ROOT = Path(__file__).resolve().parents[2]
CHAPTER = ROOT / "spec" / "07-runtime.md"
SVG = "{http://www.w3.org/2000/svg}"


def _load(name: str) -> ModuleType:
    """A helper module from ``docs/``, importable by its own name (the two import each other)."""
    if name in sys.modules:
        return sys.modules[name]
    return load_script(ROOT / "docs" / f"{name}.py", name)


lifecycle = _load("_lifecycle")
drawing = _load("_lifecycle_svg")


@pytest.fixture(scope="module")
def life() -> object:
    return lifecycle.parse_lifecycle(CHAPTER.read_text(encoding="utf-8"))


def _svg_states(svg: str) -> dict[str, str]:
    """State box id → its visible name, from a parsed SVG document."""
    root = ET.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    return {
        group.get("id", ""): "".join(group.find(f"{SVG}text").itertext())  # type: ignore[union-attr]
        for group in root.iter(f"{SVG}g")
        if group.get("class") == "state"
    }


@pytest.mark.req("RUN-015")
def test_the_table_names_the_states_and_the_start_reaches_them_all(life: object) -> None:
    names = [state.name for state in life.states]  # type: ignore[attr-defined]
    assert {"sent", "routed", "delivered", "read", "superseded", "retrying", "held"} <= set(names)
    starts = [s.name for s in life.states for e in s.entries if not e.sources]  # type: ignore[attr-defined]
    assert starts == [names[0]]
    reached, frontier = {names[0]}, [names[0]]
    while frontier:
        frontier = [
            s.name
            for s in life.states  # type: ignore[attr-defined]
            for e in s.entries
            if set(e.sources) & set(frontier) and s.name not in reached
        ]
        reached |= set(frontier)
    assert reached == set(names)
    for state in life.states:  # type: ignore[attr-defined]
        assert state.observable
        assert all(entry.requirements for entry in state.entries), state.name


@pytest.mark.req("RUN-015", "CONV-005")
def test_every_requirement_the_table_cites_exists(life: object) -> None:
    defined, _ = collect_definitions(ROOT / "spec")
    cited = set(life.requirements)  # type: ignore[attr-defined]
    assert {"RUN-001", "RUN-002", "RUN-004", "WIT-004", "WIT-005", "WIT-008"} <= cited
    assert cited - set(defined) == set()


@pytest.mark.req("RUN-015")
def test_the_diagram_shows_every_state_and_every_way(life: object) -> None:
    svg = drawing.render_svg(life)
    boxes = _svg_states(svg)
    names = [state.name for state in life.states]  # type: ignore[attr-defined]
    assert boxes == {f"state-{name}": name for name in names}
    ways = sum(len(e.sources) or 1 for s in life.states for e in s.entries)  # type: ignore[attr-defined]
    root = ET.fromstring(svg)
    assert len([p for p in root.iter(f"{SVG}path") if p.get("class") == "way"]) == ways
    labels = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    arrows = {r for s in life.states for e in s.entries for r in e.requirements}  # type: ignore[attr-defined]
    assert arrows and arrows <= set(labels.split())


@pytest.mark.req("RUN-015")
def test_the_docs_build_writes_the_diagram_only_when_it_changes(tmp_path: Path) -> None:
    chapter, out = tmp_path / "07-runtime.md", tmp_path / "out" / "life.svg"
    table = (
        "| state | entered when | observable as |\n|---|---|---|\n| **sent** | (RUN-001) | x |\n"
    )
    chapter.write_text(f"{lifecycle.HEADING}\n\n{table}", encoding="utf-8")
    drawing.write_lifecycle_svg(chapter, out)
    assert list(_svg_states(out.read_text(encoding="utf-8")).values()) == ["sent"]
    out.touch()
    touched = out.stat().st_mtime_ns
    drawing.write_lifecycle_svg(chapter, out)
    assert out.stat().st_mtime_ns == touched  # unchanged: not rewritten
    chapter.write_text(chapter.read_text().replace("**sent**", "**gone**"), encoding="utf-8")
    drawing.write_lifecycle_svg(chapter, out)
    assert list(_svg_states(out.read_text(encoding="utf-8")).values()) == ["gone"]


@pytest.mark.req("RUN-015")
@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ("| state | entered when | observable as |\n|---|---|---|\n", "no table"),
        (
            "| state | entered when | observable as |\n|---|---|---|\n"
            "| **a** | (RUN-001) | x |\n| **b** | From *c*: y (RUN-002) | z |\n",
            "unknown states",
        ),
        (
            "| state | entered when | observable as |\n|---|---|---|\n"
            "| **a** | (RUN-001) | x |\n| **a** | From *a*: y | z |\n",
            "distinct states",
        ),
        ("| state | when | seen as |\n|---|---|---|\n| **a** | (RUN-001) | x |\n", "no table"),
        ("| state | entered when | observable as |\n|---|---|---|\n| a | b | c |\n", "malformed"),
    ],
)
def test_a_malformed_table_is_refused(table: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        lifecycle.parse_lifecycle(f"# T\n\n{lifecycle.HEADING}\n\nText.\n\n{table}\n## Next\n")
    with pytest.raises(ValueError, match="no heading"):
        lifecycle.parse_lifecycle(table)


_NAMES = st.text(string.ascii_lowercase, min_size=3, max_size=10)
_IDS = st.lists(
    st.builds("{}-{:03d}".format, st.sampled_from(["RUN", "WIT", "REF"]), st.integers(1, 999)),
    min_size=1,
    max_size=4,
    unique=True,
)


@st.composite
def _tables(draw: st.DrawFn) -> tuple[list[tuple[str, list[tuple[list[str], list[str]]]]], str]:
    """A table of 1 to 6 states, each entered from earlier or later ones, and its Markdown."""
    names = draw(st.lists(_NAMES, min_size=1, max_size=6, unique=True))
    rows = []
    for i, name in enumerate(names):
        entries = [([], draw(_IDS))] if i == 0 else []
        for _ in range(draw(st.integers(1 if i else 0, 2))):
            sources = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
            entries.append((sources, draw(_IDS)))
        rows.append((name, entries))
    lines = ["| state | entered when | observable as |", "|---|---|---|"]
    for name, entries in rows:
        clauses = []
        for sources, ids in entries:
            text = f"it happens ({', '.join(ids)})."
            if sources:
                listed = ", ".join(f"*{s}*" for s in sources[:-1])
                either = f"{listed} or *{sources[-1]}*" if listed else f"*{sources[-1]}*"
                text = f"From {either}: {text}"
            clauses.append(text)
        lines.append(f"| **{name}** | {' '.join(clauses)} | seen as `{name}` |")
    return rows, "\n".join([lifecycle.HEADING, "", *lines, "", "## Rationale", ""])


@pytest.mark.req("RUN-015")
@given(_tables())
def test_any_table_of_that_shape_parses_back_and_draws(
    drawn: tuple[list[tuple[str, list[tuple[list[str], list[str]]]]], str],
) -> None:
    rows, markdown = drawn
    parsed = lifecycle.parse_lifecycle(markdown)
    assert [
        (s.name, [(list(e.sources), list(e.requirements)) for e in s.entries])
        for s in parsed.states
    ] == rows
    assert [s.observable for s in parsed.states] == [f"seen as {name}" for name, _ in rows]
    boxes = _svg_states(drawing.render_svg(parsed))
    assert sorted(boxes.values()) == sorted(name for name, _ in rows)


# --- the runtime shows the states as the table says -----------------------------------


def _blob(text: str) -> g.Blob:
    return g.Blob(data=text.encode())


def _seen(store: g.Store, recipient: g.ObjectId) -> tuple[g.ObjectId | None, list[g.ObjectId]]:
    """The recipient's inbox entry for the outside, and what is pending from the outside."""
    outbox = outside_entries(store, read_outside(store)).get(recipient)
    head = store.get_ref("heads/" + recipient.hex())
    step = None if head is None else store.get_object(head)
    inbox = mailbox_entries(store, step.inbox).get(OUTSIDE) if isinstance(step, g.Step) else None
    return inbox, [item.id for item in pending(store, outbox, inbox)]


async def _no_wait(delay: float) -> None:
    await asyncio.sleep(0)


def _counter() -> tuple[g.Store, Runtime, g.ObjectId]:
    """A counter made and run once, in a store of its own: its genesis read, nothing pending."""
    store = g.Store.memory()
    rt = Runtime(store, send_commit="own")
    core, objects = test_actor_core("counter")
    counter = run(rt.genesis(core, objects))
    run(rt.run_until_quiescent())
    return store, rt, counter


@pytest.mark.req("RUN-015", "RUN-001", "WIT-004", "WIT-005", "WIT-008")
def test_sent_then_read_as_the_table_says() -> None:
    store, rt, counter = _counter()
    genesis, nothing = _seen(store, counter)
    assert genesis is not None and nothing == []
    five = _blob("5")
    m = run(rt.send(counter, g.object_id(five), {"mt": "inc"}, objects=(five,)))
    sent = store.get_object(m)
    assert isinstance(sent, g.Message) and sent.previous == genesis  # queued: chained
    outbox = outside_entries(store, read_outside(store))
    assert outbox[counter] == m  # sent: the sender's outbox entry is m
    assert _seen(store, counter) == (genesis, [m])  # ... and m is pending
    run(rt.run_until_quiescent())
    assert _seen(store, counter) == (m, [])  # read: the inbox entry is m, nothing pending
    assert head_count(store, counter) == 5


@pytest.mark.req("RUN-015", "WIT-004", "WIT-005")
def test_a_newer_signal_supersedes_an_unread_one() -> None:
    store, rt, counter = _counter()
    two, three = _blob("2"), _blob("3")
    first = run(rt.send(counter, g.object_id(two), {"mt": "inc"}, (two,), signal=True))
    second = run(rt.send(counter, g.object_id(three), {"mt": "inc"}, (three,), signal=True))
    assert _seen(store, counter)[1] == [second]  # first is no longer pending
    run(rt.run_until_quiescent())
    assert _seen(store, counter) == (second, [])
    assert head_count(store, counter) == 3  # first was never read
    inboxes = [
        mailbox_entries(store, step.inbox).get(OUTSIDE) for _, step in history(store, counter)
    ]
    assert first not in inboxes


@pytest.mark.req("RUN-015", "RUN-004", "WIT-006")
def test_a_message_to_an_actor_that_keeps_failing_is_held_pending() -> None:
    store = g.Store.memory()
    rt = Runtime(store, sleep=_no_wait, send_commit="own")
    core, objects = test_actor_core("failing")
    actor = run(rt.genesis(core, objects))
    hello = _blob("hello")
    m = run(rt.send(actor, g.object_id(hello), {"mt": "hello"}, (hello,)))
    run(rt.run_until_quiescent())
    assert len(rt.failures) == 5  # retrying, then held
    assert store.get_ref(failed_ref(actor)) is not None
    assert rt.head(actor) is None
    inbox, still = _seen(store, actor)
    assert inbox is None and still[-1] == m  # held: still pending
