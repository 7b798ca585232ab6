"""Which input classes the tests of each clause exercise (``gritwit trace --inputs``).

A wrong implementation usually works on the ASCII input of a worked example and
breaks on another *class* of input: text above U+FFFF, a lone surrogate, the
largest allowed size and one past it, names whose orders differ under UTF-16 or
case-insensitive comparison.  ``conformance/inputs.toml`` lists the clauses whose
input is text, a name, a key, a size, a count or an order, with their *kinds*;
each kind requires a set of classes (:func:`required`).  Tests say which classes
they exercise with ``@pytest.mark.inputs("astral", "order:utf16", …)`` beside
their ``req`` marker; :func:`scan` reads both statically (no test runs), and
:func:`check` reports per clause what is covered, what is missing, and what the
file says cannot apply.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..data._classes import TEXT_CLASSES, wrong_rules
from ..data._paths import Resources

__all__ = ["INPUTS_FILE", "ClauseInputs", "check", "render", "required", "scan"]

INPUTS_FILE = Path("conformance/inputs.toml")
#: Classes of a size or count limit: both sides of it.
LIMIT_CLASSES = ("largest", "past-largest")
KINDS = ("text", "name", "key", "size", "count", "order")


def required(kinds: Iterable[str], rule: str = "") -> tuple[str, ...]:
    """The classes a clause of these kinds must be exercised with."""
    need: list[str] = []
    for kind in kinds:
        if kind in ("text", "name", "key"):
            need += TEXT_CLASSES
        elif kind in ("size", "count"):
            need += LIMIT_CLASSES
        elif kind == "order":
            need += [f"order:{wrong}" for wrong in wrong_rules(rule or "utf8")]
    return tuple(dict.fromkeys(need))


def known_classes() -> frozenset[str]:
    """Every class a test may name in ``inputs(...)``."""
    from ..data._classes import ORDER_RULES

    return frozenset((*TEXT_CLASSES, *LIMIT_CLASSES, *(f"order:{r}" for r in ORDER_RULES)))


def _strings(node: ast.expr) -> list[str]:
    return [a.value for a in getattr(node, "args", []) if isinstance(a, ast.Constant)
            and isinstance(a.value, str)]  # fmt: skip


def _marks(node: ast.expr, name: str) -> Iterator[list[str]]:
    """The string arguments of every ``pytest.mark.<name>(...)`` call in ``node``."""
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == name
            and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr == "mark"
        ):
            yield _strings(call)


def _module_marks(tree: ast.Module, name: str) -> list[str]:
    found: list[str] = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in statement.targets
        ):
            for args in _marks(statement.value, name):
                found += args
    return found


def test_marks(path: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """Each test function of the file at ``path``: its name, the IDs its ``req`` marks cite
    and the classes its ``inputs`` marks name, the module's ``pytestmark`` included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module_req = _module_marks(tree, "req")
    module_inputs = _module_marks(tree, "inputs")
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not node.name.startswith("test"):
            continue
        req = module_req + [r for d in node.decorator_list for a in _marks(d, "req") for r in a]
        classes = module_inputs + [
            c for d in node.decorator_list for a in _marks(d, "inputs") for c in a
        ]
        yield node.name, req, classes


def scan(paths: Iterable[Path]) -> dict[str, dict[str, set[str]]]:
    """Clause → class → the tests (``file::name``) that cite the clause and exercise the class."""
    covered: dict[str, dict[str, set[str]]] = {}
    for path in paths:
        for name, req, classes in test_marks(path):
            for rid in req:
                for cls in classes:
                    place = f"{path.as_posix()}::{name}"
                    covered.setdefault(rid, {}).setdefault(cls, set()).add(place)
    return covered


@dataclass(frozen=True, slots=True)
class ClauseInputs:
    """One clause of ``inputs.toml``: what it needs, what tests exercise, what cannot apply."""

    id: str
    kinds: tuple[str, ...]
    rule: str
    required: tuple[str, ...]
    covered: dict[str, set[str]]
    not_applicable: dict[str, str] = field(default_factory=dict)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(
            c for c in self.required if c not in self.covered and c not in self.not_applicable
        )


def check(root: Path | Resources) -> tuple[list[ClauseInputs], list[str]]:
    """Every clause of ``inputs.toml`` with its coverage; plus problems with the file itself.

    ``root``: the checkout's root, or the copy installed with the suite."""
    tree = root if isinstance(root, Resources) else Resources(root=root, installed=False)
    problems: list[str] = []
    path = tree.locate(INPUTS_FILE.as_posix())
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("clause", [])
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [], [f"{INPUTS_FILE}: cannot read ({exc})"]
    tests = sorted(tree.locate("conformance/gritwit_conformance/suite").rglob("test_*.py"))
    covered = scan(tests)
    known = known_classes()
    for rid, classes in covered.items():
        for cls in classes:
            if cls not in known:
                places = ", ".join(sorted(classes[cls]))
                problems.append(f"{places}: unknown input class {cls!r} (for {rid})")
    result: list[ClauseInputs] = []
    for entry in entries:
        rid = str(entry.get("id", ""))
        kinds = tuple(entry.get("kinds", ()))
        bad_kinds = sorted(set(kinds) - set(KINDS))
        if bad_kinds or not kinds:
            problems.append(f"{INPUTS_FILE}: {rid}: kinds {list(kinds)} (known: {list(KINDS)})")
        rule = str(entry.get("rule", ""))
        need = required(kinds, rule)
        not_applicable = {str(k): str(v) for k, v in entry.get("not_applicable", {}).items()}
        for cls, reason in not_applicable.items():
            if cls not in need:
                problems.append(f"{INPUTS_FILE}: {rid}: {cls!r} is not a class it requires")
            elif not reason.strip():
                problems.append(f"{INPUTS_FILE}: {rid}: {cls!r} not applicable without a reason")
        mine = {c: places for c, places in covered.get(rid, {}).items() if c in need}
        result.append(ClauseInputs(rid, kinds, rule, need, mine, not_applicable))
    return result, problems


def render(clauses: list[ClauseInputs], problems: list[str], *, verbose: bool = False) -> str:
    """The table ``gritwit trace --inputs`` prints, and its verdict line."""
    lines = []
    complete = 0
    for clause in clauses:
        done = len(clause.required) - len(clause.missing)
        complete += not clause.missing
        head = f"{clause.id:<12} {'/'.join(clause.kinds):<14} {done:>2}/{len(clause.required):<2}"
        if clause.missing:
            lines.append(f"{head} missing: {', '.join(clause.missing)}")
        elif verbose:
            lines.append(f"{head} complete")
        if verbose:
            for cls in clause.required:
                if cls in clause.not_applicable:
                    lines.append(f"{'':<12}   {cls}: not applicable: {clause.not_applicable[cls]}")
                elif cls in clause.covered:
                    lines.append(f"{'':<12}   {cls}: {', '.join(sorted(clause.covered[cls]))}")
    lines += [f"problem: {p}" for p in problems]
    lines.append(
        f"inputs: {len(clauses)} input clauses; {complete} exercise every class they require "
        f"(or say why one cannot apply); {len(clauses) - complete} do not"
    )
    return "\n".join(lines)
