"""Every ref namespace has one home: ``gritwit/store/_refs.py`` (REF-001.1).

The prefixes of the namespaces the reference reads and writes (``heads/``, ``names/``,
``names/actors/``, ``names/failed/``, ``names/placement/``, ``names/outside-outbox``)
are spelled there, with their builders and parsers, and nowhere else in the package:
a copy of a prefix is how one front end came to read ``names/`` where another read
``names/actors/``.  A house rule, checked on the source; the spec's chapters name the
namespaces (REF-001.1, RUN-004.4, RUN-021.7, RUN-026.2, RUN-003.4).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from gritwit.store import _refs
from gritwit.wit import _cores

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "reference" / "gritwit"
#: The one module allowed to spell the prefixes.
HOME = PACKAGE / "store" / "_refs.py"
#: A string or bytes literal that spells a namespace, or a piece of one.
SPELLED = re.compile(r"^(?:heads|names)/|outside-outbox|^(?:actors|failed|placement)/$")


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes of ``tree``: text about the namespaces is allowed."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def spelled_prefixes(source: str) -> list[tuple[int, str]]:
    """Each ``(line, text)`` of a literal in ``source`` that spells a ref namespace."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in docs:
            value = node.value
            text = value.decode("latin-1") if isinstance(value, bytes) else value
            if isinstance(text, str) and SPELLED.search(text):
                found.append((node.lineno, text))
    return sorted(found)


def test_the_check_finds_a_spelled_prefix() -> None:
    """The scan finds every way a prefix was spelled before it had a home, and passes
    the same text in a docstring or a comment."""
    source = '''
"""A module about heads/<actor> refs."""
HEADS = "heads/"
NAMES_PREFIX = "names/actors/"
OUTSIDE = b"names/outside-outbox/"
def head(actor):
    """heads/<actor>."""
    # heads/ in a comment
    return f"heads/{actor}"
def failed(actor):
    return "names/" + "failed/" + actor
'''
    assert [line for line, _ in spelled_prefixes(source)] == [3, 4, 5, 9, 11, 11]


def test_no_module_but_the_home_spells_a_ref_prefix() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == HOME:
            continue
        for line, text in spelled_prefixes(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}:{line}: {text!r}")
    assert not found, (
        "a ref namespace spelled outside gritwit/store/_refs.py (import its prefix, "
        "builder or parser instead):\n" + "\n".join(found)
    )


@pytest.mark.parametrize(
    ("build", "parse", "prefix"),
    [
        (_refs.failed_ref, _refs.failed_actor, _refs.FAILED_PREFIX),
        (_refs.placement_ref, _refs.placement_actor, _refs.PLACEMENT_PREFIX),
        (_refs.head_ref, _refs.head_actor, _refs.HEADS_PREFIX),
    ],
)
def test_a_builder_and_its_parser_agree(build, parse, prefix) -> None:  # type: ignore[no-untyped-def]
    from gritwit._ids import ObjectId

    actor = ObjectId.from_hex("0123456789abcdef" * 4)
    name = build(actor)
    assert name == prefix + "0123456789abcdef" * 4
    assert parse(name) == actor
    assert _refs.check_ref_name(name) == name  # every built name is a valid ref (REF-001.1)


def test_the_runtime_namespaces_are_distinct_and_inside_names() -> None:
    runtime = {
        _refs.ACTOR_NAMES_PREFIX,
        _refs.FAILED_PREFIX,
        _refs.PLACEMENT_PREFIX,
        _refs.OUTSIDE_MAILBOX_PREFIX,
    }
    assert len(runtime) == 4
    assert all(p.startswith(_refs.NAMES_PREFIX) and p != _refs.NAMES_PREFIX for p in runtime)
    assert _refs.failed_actor("names/failed/not-an-id") is None
    assert _refs.failed_actor(_refs.placement_ref(_refs.ObjectId.from_hex("ab" * 32))) is None
    assert _refs.actor_name_of(_refs.actor_name_ref("alpha")) == "alpha"
    assert _refs.actor_name_of("names/alpha") is None
    assert _refs.outside_mailbox_digit(_refs.outside_mailbox_ref("f")) == "f"
    assert _refs.outside_mailbox_digit(_refs.OUTSIDE_OUTBOX_REF) is None


def test_the_frozen_entries_are_defined_once() -> None:
    """WIT-016 (a frozen core) and RUN-024.7 (a revert) read one tuple."""
    from gritwit.runtime import _revert
    from gritwit.wit import _assemble

    assert _revert.FROZEN_ENTRIES is _cores.FROZEN_ENTRIES
    assert _assemble.FROZEN_ENTRIES is _cores.FROZEN_ENTRIES
    assert not hasattr(_cores, "PROTECTED_ENTRIES")
