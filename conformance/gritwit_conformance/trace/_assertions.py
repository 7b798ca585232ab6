"""What a suite test's assertions name, beside what it cites (ADP-005.5).

A failure's version marks come from the clauses its failing assertion names, so an
assertion that names a clause its test does not cite marks nothing, or the wrong
thing.  :func:`uncited_in_messages` reads every test of the suite statically (``ast``,
no import) and lists the clause IDs its assertion messages name that its ``req``
marks do not cite: the IDs in the message of each ``assert`` and of each
``pytest.fail(…)``/``raise AssertionError(…)`` in the test's own body and in the
bodies of the helpers it calls (those of its module and those it imports from the
suite's own modules), transitively.

A test cites an ID when a ``req`` mark names it or a clause it belongs to (a message
naming ``RUN-021.3`` in a test citing ``RUN-021`` is the same rule), or names one of
its sub-clauses (a test citing ``ENC-010.1`` may say ``ENC-010``): the marks are read
from the test's decorators, the module's and its class's ``pytestmark``, and the
module-level functions and names its decorators use (the ``pytest.param`` lists
built by a helper).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..data._requirement_ids import CLASS_RULE, IN_TEXT, WHOLE

__all__ = [
    "CHECK_HELPERS",
    "CLASS_CHECKS",
    "TestNaming",
    "checked_ids",
    "message_ids",
    "suite_namings",
    "uncited_in_messages",
]

_Function = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True, slots=True)
class TestNaming:
    """One test function: where it is, what it cites, what its assertion messages name."""

    #: ``file::name``, the file relative to the suite
    place: str
    cited: frozenset[str]
    named: frozenset[str]

    @property
    def uncited(self) -> list[str]:
        """The IDs its messages name that no citation covers (see the module's text)."""
        return sorted(rid for rid in self.named if not covers(self.cited, rid))


def covers(cited: Iterable[str], rid: str) -> bool:
    """Whether citing ``cited`` cites ``rid``: itself, a clause above it or below it."""
    return any(c == rid or rid.startswith(f"{c}.") or c.startswith(f"{rid}.") for c in cited)


def _texts(node: ast.AST) -> Iterator[str]:
    """The string constants of an expression, the literal parts of f-strings included."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            yield sub.value


def _is_fail(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Attribute) and func.attr == "fail") or (
        isinstance(func, ast.Name) and func.id in {"AssertionError", "fail"}
    )


def message_ids(function: _Function) -> set[str]:
    """The IDs named in the messages of ``function``'s own assertions and failures."""
    return _scan(function)[0]


#: The suite's check helpers (``suite/_check.py``) → the place of their clause argument.
CHECK_HELPERS: dict[str, int] = {
    "check": 0,
    "check_equal": 0,
    "check_in": 0,
    "check_outcome": 0,
    "check_type": 0,
    "check_same": 0,
    "fail": 0,
    "same_answer": 0,
    "ClauseFailure": 0,
    "ok_answer": 1,
    "call_ok": 1,
    "error_answer": 1,
    # the http profile's helpers (suite/http/_api.py), whose ``rule`` opens with its clause
    "body_of": 2,
    "expect_error": 3,
    "object_of": 2,
    "create": 1,
}


#: The checks of an error class, which judge CONV-004 beside their clause (the class
#: reported exactly, ``suite/_check.py``'s ``CLASS_RULE``) → the place of the class they
#: expect, ``None`` where every call expects one.  A literal ``"ok"`` (``check_outcome``)
#: or ``None`` (``check_class``, a run that succeeds) there expects no class.
CLASS_CHECKS: dict[str, int | None] = {
    "error_answer": None,
    "expect_error": None,
    "check_error_class": None,
    "same_answer": None,
    "check_outcome": 2,
    "check_class": 1,
}


def _expects_a_class(call: ast.Call, name: str) -> bool:
    place = CLASS_CHECKS[name]
    if place is None:
        return True
    argument = next((k.value for k in call.keywords if k.arg == "expected"), None)
    if argument is None and len(call.args) > place:
        argument = call.args[place]
    return not (isinstance(argument, ast.Constant) and argument.value in ("ok", None))


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.attr
    return None


def _helper_name(call: ast.Call) -> str | None:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        # `checks.check(…)`, never `pytest.fail(…)` (its argument is a message)
        name = func.attr if func.value.id not in {"pytest"} else None
    return name if name in CHECK_HELPERS else None


def _clause_argument(call: ast.Call, place: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in ("clause", "rule"):
            return keyword.value
    return call.args[place] if len(call.args) > place else None


def checked_ids(function: _Function) -> set[str]:
    """The clauses ``function``'s own check helper calls name: a literal clause argument
    (a string or tuple of strings), or a local name given literal clauses (``rule =
    "WIT-017.3" if … else "ADP-004.11"``)."""
    assigned = _local_assignments(function)
    found: set[str] = set()
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        called = _called_name(node)
        if called in CLASS_CHECKS and _expects_a_class(node, called):
            found.add(CLASS_RULE)
        name = _helper_name(node)
        argument = _clause_argument(node, CHECK_HELPERS[name]) if name else None
        if argument is None:
            continue
        if isinstance(argument, ast.Name):
            for value in assigned.get(argument.id, []):
                found.update(_literal_clauses(value))
        else:
            for text in _texts(argument):
                found.update(IN_TEXT.findall(text))
    return found


def _literal_clauses(value: ast.expr) -> list[str]:
    """The clauses a value names as literals: a string, a tuple of them, either branch of
    ``a if … else b``; nothing for any other expression (a call's answer is no clause)."""
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return IN_TEXT.findall(value.value) if WHOLE.match(value.value) else []
    if isinstance(value, ast.IfExp):
        return _literal_clauses(value.body) + _literal_clauses(value.orelse)
    if isinstance(value, ast.Tuple):
        return [rid for element in value.elts for rid in _literal_clauses(element)]
    return []


def _local_assignments(function: _Function) -> dict[str, list[ast.expr]]:
    assigned: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value)
    return assigned


def _message_texts(message: ast.AST, assigned: dict[str, list[ast.expr]]) -> Iterator[str]:
    """A message's literal text, and the literal clauses of the local names it shows
    (``f"{rule}: …"`` with ``rule = "WIT-017.3" if … else "ADP-004.11"``)."""
    yield from _texts(message)
    for node in ast.walk(message):
        if isinstance(node, ast.Name):
            for value in assigned.get(node.id, []):
                yield from _literal_clauses(value)


def _scan(function: _Function) -> tuple[set[str], set[str]]:
    """One walk of ``function``: the IDs of its assertion messages and of its checks'
    clauses, the names it calls."""
    found: set[str] = checked_ids(function)
    names: set[str] = set()
    assigned = _local_assignments(function)
    for node in ast.walk(function):
        texts: Iterable[str] = ()
        if isinstance(node, ast.Assert) and node.msg is not None:
            texts = _message_texts(node.msg, assigned)
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                names.add(func.id)
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                names.add(func.attr)  # a helper's method, `scenario.check(…)`
            if _is_fail(node):
                texts = (t for arg in node.args for t in _message_texts(arg, assigned))
        for text in texts:
            found.update(IN_TEXT.findall(text))
    return found, names


def _req_marks(node: ast.AST) -> set[str]:
    found: set[str] = set()
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "req"
            and isinstance(call.func.value, ast.Attribute)
            and call.func.value.attr == "mark"
        ):
            found.update(
                a.value
                for a in call.args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            )
    return found


def _pytestmark(body: list[ast.stmt]) -> set[str]:
    found: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytestmark" for t in statement.targets
        ):
            found |= _req_marks(statement.value)
    return found


@dataclass(frozen=True, slots=True)
class _Module:
    tree: ast.Module
    functions: dict[str, _Function]
    #: module-level names → the statements that assign them
    assigned: dict[str, list[ast.stmt]]
    #: imported name → the suite module it comes from (a path relative to the suite)
    imported: dict[str, str]


def _module(path: Path, suite: Path) -> _Module:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    functions: dict[str, _Function] = {}
    assigned: dict[str, list[ast.stmt]] = {}
    imported: dict[str, str] = {}
    for statement in tree.body:
        if isinstance(statement, _Function):
            functions[statement.name] = statement
        elif isinstance(statement, ast.ClassDef):
            for inner in statement.body:
                if isinstance(inner, _Function):
                    functions.setdefault(inner.name, inner)
        elif isinstance(statement, ast.Assign | ast.AnnAssign):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        assigned.setdefault(name.id, []).append(statement)
        elif isinstance(statement, ast.ImportFrom):
            source = _source(path, suite, statement)
            if source is not None:
                for alias in statement.names:
                    imported[alias.asname or alias.name] = source
    return _Module(tree, functions, assigned, imported)


def _source(path: Path, suite: Path, statement: ast.ImportFrom) -> str | None:
    """The suite module an import reads from, relative to the suite, or None."""
    parts = (statement.module or "").split(".") if statement.module else []
    if statement.level:
        base = path.parent
        for _ in range(statement.level - 1):
            base = base.parent
    elif parts[:2] == ["gritwit_conformance", "suite"]:
        base, parts = suite, parts[2:]
    else:
        return None
    target = base.joinpath(*parts).with_suffix(".py") if parts else base / "__init__.py"
    try:
        return target.relative_to(suite).as_posix() if target.is_file() else None
    except ValueError:
        return None


class _Suite:
    """The suite's modules, parsed once; each function's own IDs and callees, once."""

    def __init__(self, suite: Path) -> None:
        self.suite = suite
        self.modules: dict[str, _Module] = {}
        self.direct: dict[tuple[str, str], tuple[set[str], list[tuple[str, _Function]]]] = {}

    def module(self, relative: str) -> _Module:
        if relative not in self.modules:
            self.modules[relative] = _module(self.suite / relative, self.suite)
        return self.modules[relative]

    def _direct(
        self, relative: str, function: _Function
    ) -> tuple[set[str], list[tuple[str, _Function]]]:
        key = (relative, function.name)
        if key not in self.direct:
            module = self.module(relative)
            ids, called = _scan(function)
            callees: list[tuple[str, _Function]] = []
            for name in sorted(called):
                if name in module.functions:
                    callees.append((relative, module.functions[name]))
                elif name in module.imported:
                    where = module.imported[name]
                    helper = self.module(where).functions.get(name)
                    if helper is not None:
                        callees.append((where, helper))
            self.direct[key] = (ids, callees)
        return self.direct[key]

    def reached(self, relative: str, function: _Function) -> list[tuple[str, _Function]]:
        """``function`` and every suite function it calls, transitively, with their files."""
        seen = {(relative, function.name)}
        out = [(relative, function)]
        stack = [(relative, function)]
        while stack:
            where, current = stack.pop()
            for place, callee in self._direct(where, current)[1]:
                if (place, callee.name) not in seen:
                    seen.add((place, callee.name))
                    stack.append((place, callee))
                    out.append((place, callee))
        return out

    def named(self, relative: str, function: _Function) -> set[str]:
        """The IDs of every assertion message ``function`` reaches, its own included."""
        found: set[str] = set()
        for where, current in self.reached(relative, function):
            found |= self._direct(where, current)[0]
        return found


def _cited(module: _Module, function: _Function, klass: ast.ClassDef | None) -> set[str]:
    cited = _pytestmark(module.tree.body) | _req_marks_of(function.decorator_list)
    if klass is not None:
        cited |= _pytestmark(klass.body) | _req_marks_of(klass.decorator_list)
    # pytest.param lists a module-level helper or name builds for the decorators
    for decorator in function.decorator_list:
        for name in {n.id for n in ast.walk(decorator) if isinstance(n, ast.Name)}:
            if name in module.functions:
                cited |= _req_marks(module.functions[name])
            for statement in module.assigned.get(name, []):
                cited |= _req_marks(statement)
    return cited


def _req_marks_of(nodes: list[ast.expr]) -> set[str]:
    found: set[str] = set()
    for node in nodes:
        found |= _req_marks(node)
    return found


def suite_namings(suite: Path) -> list[TestNaming]:
    """Every test function of the suite at ``suite``: its citations and named IDs."""
    parsed = _Suite(suite)
    out: list[TestNaming] = []
    for path in sorted(suite.rglob("test_*.py")):
        relative = path.relative_to(suite).as_posix()
        module = parsed.module(relative)
        tests: list[tuple[_Function, ast.ClassDef | None]] = []
        for statement in module.tree.body:
            if isinstance(statement, _Function) and statement.name.startswith("test"):
                tests.append((statement, None))
            elif isinstance(statement, ast.ClassDef) and statement.name.startswith("Test"):
                tests += [
                    (f, statement)
                    for f in statement.body
                    if isinstance(f, _Function) and f.name.startswith("test")
                ]
        for function, klass in tests:
            out.append(
                TestNaming(
                    place=f"{relative}::{function.name}",
                    cited=frozenset(_cited(module, function, klass)),
                    named=frozenset(parsed.named(relative, function)),
                )
            )
    return out


def uncited_in_messages(suite: Path | list[TestNaming]) -> list[str]:
    """One line per test whose assertion messages name a clause it does not cite (of
    the suite at ``suite``, or of namings :func:`suite_namings` read)."""
    namings = suite_namings(suite) if isinstance(suite, Path) else suite
    return [
        f"{t.place}: its assertions name {', '.join(t.uncited)}, which it does not cite "
        f"(cites {', '.join(sorted(t.cited)) or 'nothing'})"
        for t in namings
        if t.uncited
    ]
