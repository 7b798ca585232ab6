"""Mutants of the reference's spec-enforcing code: found and applied on source text.

Pure: source text in, :class:`Mutant` records and mutated source text out; no
I/O.  Each mutant is one small change a competent implementer could make by
mistake:

========== ==============================================================
operator    change
========== ==============================================================
``cmp``     a comparison operator swapped for its neighbour: ``<`` ↔ ``<=``,
            ``>`` ↔ ``>=``, ``==`` ↔ ``!=``, ``in`` ↔ ``not in``,
            ``is`` ↔ ``is not`` (boundaries and inverted checks)
``bool``    ``and`` ↔ ``or`` (a rule that names several things)
``not``     ``not x`` → ``x``
``int``     an integer literal ``n`` → ``n + 1`` (limits, offsets, counts)
``arith``   ``+`` ↔ ``-`` (and ``+=`` ↔ ``-=``)
``guard``   ``if c:`` whose body raises → ``if False:`` (a check left out)
``call``    a statement that is only a call → ``pass`` (a step left out)
``return``  ``return True`` ↔ ``return False``
========== ==============================================================

Mutants are applied by splicing the replacement over the exact source span of
the node (``ast`` positions), so the rest of the file keeps its bytes.  A
mutant's id hashes its module, enclosing function, operator, original and
replacement text and its rank among identical changes in that function, so it
survives edits elsewhere in the file.

A mutant counts as run at import (``in_function`` false: every test of its
profile reaches it) when it is at module or class level, or inside a top-level
function that module-level code calls by name (a table or template built once at
import, e.g. ``_TEMPLATES = _templates()``): the tests' line tracer starts after
the imports, so such a line would otherwise look reached by no test.

Not mutated: docstrings and other strings, annotations, anything inside a
``raise`` or ``assert`` statement (messages, not behaviour), ``if
TYPE_CHECKING`` blocks, ``__all__``, and ``__repr__``/``__str__`` methods.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from ..data._requirement_ids import IN_TEXT

__all__ = ["Mutant", "apply_mutant", "find_mutants", "requirement_ids"]

_REQ = IN_TEXT

_CMP_SWAP: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_SKIP_FUNCTIONS = frozenset({"__repr__", "__str__"})


def _called_at_import(tree: ast.Module) -> frozenset[str]:
    """Names of functions that the module's own top-level code calls by name.

    Only module-level statements count (not function bodies, where a call runs
    when the function does); a class body runs at import, so its calls count too.
    """
    names: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            names.add(node.func.id)
        pending.extend(ast.iter_child_nodes(node))
    return frozenset(names)


@dataclass(frozen=True, slots=True)
class Mutant:
    """One change to one module of the reference."""

    id: str
    #: Path of the module inside the package, e.g. ``gritwit/_cbor.py``.
    module: str
    line: int
    #: Last line of the replaced span.
    end_line: int
    operator: str
    original: str
    replacement: str
    #: Dotted name of the enclosing function or class, or ``<module>``.
    function: str
    #: The change is inside a function body (else: module or class level, run at import).
    in_function: bool
    #: Requirement IDs the mutated code enforces (see :func:`requirement_ids`).
    requirements: tuple[str, ...]
    #: Source offsets of the replaced span (start, end) in the module text.
    span: tuple[int, int]

    def describe(self) -> str:
        return (
            f"{self.module}:{self.line} {self.operator}: {self.original!r} -> {self.replacement!r}"
        )


def requirement_ids(text: str) -> tuple[str, ...]:
    """The requirement IDs named in ``text``, in order of first appearance."""
    return tuple(dict.fromkeys(_REQ.findall(text)))


class _Offsets:
    """Line/column (ast positions, UTF-8 columns) to string offsets."""

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno: int, col: int) -> int:
        line = self.lines[lineno - 1]
        prefix = line.encode("utf-8")[:col].decode("utf-8", errors="ignore")
        return self.starts[lineno - 1] + len(prefix)

    def span(self, node: ast.AST) -> tuple[int, int]:
        return (
            self.offset(node.lineno, node.col_offset),  # type: ignore[attr-defined]
            self.offset(node.end_lineno, node.end_col_offset),  # type: ignore[attr-defined]
        )


@dataclass(frozen=True, slots=True)
class _Candidate:
    operator: str
    span: tuple[int, int]
    replacement: str
    line: int
    end_line: int
    function: str
    in_function: bool
    context: str  # source text whose requirement IDs the mutant is attributed to first
    scope_text: str  # the enclosing function (or class/module) text, the fallback


def _raises(body: list[ast.stmt]) -> bool:
    return any(isinstance(node, ast.Raise) for stmt in body for node in ast.walk(stmt))


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


class _Finder:
    def __init__(self, source: str, tree: ast.Module) -> None:
        self.source = source
        self.offsets = _Offsets(source)
        self.module_doc = ast.get_docstring(tree) or ""
        self.found: list[_Candidate] = []
        self.scopes: list[tuple[str, str]] = []  # (name, text)
        self.functions = 0  # how many enclosing scopes are functions
        self.statement_text = ""
        self.tree = tree
        #: Top-level functions that run at import (see the module's docstring).
        self.import_time = _called_at_import(tree)

    def text(self, node: ast.AST) -> str:
        start, end = self.offsets.span(node)
        return self.source[start:end]

    def scope(self) -> tuple[str, str]:
        if not self.scopes:
            return "<module>", self.module_doc
        name = ".".join(n for n, _ in self.scopes)
        for _, text in reversed(self.scopes):
            if requirement_ids(text):
                return name, text
        return name, self.module_doc

    def add(self, operator: str, node: ast.AST, replacement: str, context: str = "") -> None:
        name, scope_text = self.scope()
        self.found.append(
            _Candidate(
                operator=operator,
                span=self.offsets.span(node),
                replacement=replacement,
                line=node.lineno,  # type: ignore[attr-defined]
                end_line=node.end_lineno or node.lineno,  # type: ignore[attr-defined]
                function=name,
                in_function=self.functions > 0,
                context=context or self.statement_text,
                scope_text=scope_text,
            )
        )

    # --- statements -----------------------------------------------------------------

    def body(self, stmts: list[ast.stmt]) -> None:
        for index, stmt in enumerate(stmts):
            if index == 0 and _is_docstring(stmt):
                continue
            self.stmt(stmt)

    def stmt(self, node: ast.stmt) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in _SKIP_FUNCTIONS:
                return
            is_function = not isinstance(node, ast.ClassDef) and not (
                not self.scopes and node.name in self.import_time
            )
            self.scopes.append((node.name, self.text(node)))
            for decorator in node.decorator_list:
                self.statement_text = self.text(decorator)
                self.expr(decorator)
            if not isinstance(node, ast.ClassDef):
                for default in [*node.args.defaults, *node.args.kw_defaults]:
                    if default is not None:
                        self.statement_text = self.text(node)
                        self.expr(default)
            self.functions += is_function
            self.body(node.body)
            self.scopes.pop()
            self.functions -= is_function
            return
        if isinstance(node, (ast.Raise, ast.Assert, ast.Import, ast.ImportFrom, ast.Pass)):
            return
        if isinstance(node, (ast.Global, ast.Nonlocal, ast.Break, ast.Continue)):
            return
        self.statement_text = self.text(node)
        if isinstance(node, ast.If):
            if _is_type_checking(node.test):
                return
            self.statement_text = self.text(node.test) + "\n" + _first_lines(self, node.body)
            self.expr(node.test)
            if _raises(node.body) and not _is_constant(node.test):
                self.add("guard", node.test, "False", context=self.statement_text)
            self.body(node.body)
            self.body(node.orelse)
            return
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return
        if isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.expr(node.value)
            return
        if isinstance(node, ast.Expr):
            if isinstance(node.value, (ast.Call, ast.Await)):
                self.add("call", node, "pass")
            self.expr(node.value)
            return
        if (
            isinstance(node, ast.Return)
            and isinstance(node.value, ast.Constant)
            and type(node.value.value) is bool
        ):
            self.add("return", node.value, str(not node.value.value))
            return
        if isinstance(node, ast.AugAssign) and isinstance(node.op, (ast.Add, ast.Sub)):
            swapped = "-=" if isinstance(node.op, ast.Add) else "+="
            target = self.text(node.target)
            self.add("arith", node, f"{target} {swapped} {self.text(node.value)}")
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                continue
            if isinstance(child, ast.expr):
                self.expr(child)
            else:  # withitem, excepthandler, match_case …
                for sub in ast.iter_child_nodes(child):
                    if isinstance(sub, ast.expr):
                        self.expr(sub)
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                self.body(block)
        for handler in getattr(node, "handlers", []):
            self.body(handler.body)
        for case in getattr(node, "cases", []):
            self.body(case.body)

    # --- expressions ----------------------------------------------------------------

    def expr(self, node: ast.expr) -> None:
        if isinstance(node, (ast.JoinedStr, ast.Lambda)):
            return
        if isinstance(node, ast.Compare):
            for index, op in enumerate(node.ops):
                swap = _CMP_SWAP.get(type(op))
                if swap is None:
                    continue
                mutated = ast.Compare(
                    left=node.left,
                    ops=[swap() if i == index else o for i, o in enumerate(node.ops)],
                    comparators=node.comparators,
                )
                self.add("cmp", node, f"({ast.unparse(mutated)})")
        elif isinstance(node, ast.BoolOp):
            other: ast.boolop = ast.Or() if isinstance(node.op, ast.And) else ast.And()
            self.add("bool", node, f"({ast.unparse(ast.BoolOp(op=other, values=node.values))})")
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            self.add("not", node, f"({self.text(node.operand)})")
        elif isinstance(node, ast.Constant) and type(node.value) is int:
            self.add("int", node, f"({node.value + 1})")
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, (ast.Add, ast.Sub))
            and not (_stringy(node.left) or _stringy(node.right))
        ):
            other_op: ast.operator = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
            mutated_bin = ast.BinOp(left=node.left, op=other_op, right=node.right)
            self.add("arith", node, f"({ast.unparse(mutated_bin)})")
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child)
            elif isinstance(child, ast.comprehension):
                for sub in (child.iter, *child.ifs):
                    self.expr(sub)


def _first_lines(finder: _Finder, body: list[ast.stmt]) -> str:
    return "\n".join(finder.text(stmt) for stmt in body[:3])


def _is_type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def _is_constant(test: ast.expr) -> bool:
    return isinstance(test, ast.Constant)


def _stringy(node: ast.expr) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))
    )


def _mutant_id(module: str, candidate: _Candidate, original: str, rank: int) -> str:
    key = "\0".join(
        (module, candidate.function, candidate.operator, original, candidate.replacement, str(rank))
    )
    return "m-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def find_mutants(module: str, source: str) -> list[Mutant]:
    """Every mutant of ``source`` (the text of ``module``), in source order."""
    tree = ast.parse(source)
    finder = _Finder(source, tree)
    finder.body(tree.body)
    mutants: list[Mutant] = []
    ranks: dict[tuple[str, str, str, str], int] = {}
    for candidate in sorted(finder.found, key=lambda c: (c.span, c.operator, c.replacement)):
        original = source[candidate.span[0] : candidate.span[1]]
        key = (candidate.function, candidate.operator, original, candidate.replacement)
        rank = ranks.get(key, 0)
        ranks[key] = rank + 1
        requirements = requirement_ids(candidate.context) or requirement_ids(candidate.scope_text)
        mutants.append(
            Mutant(
                id=_mutant_id(module, candidate, original, rank),
                module=module,
                line=candidate.line,
                end_line=candidate.end_line,
                operator=candidate.operator,
                original=_one_line(original),
                replacement=candidate.replacement,
                function=candidate.function,
                in_function=candidate.in_function,
                requirements=requirements,
                span=candidate.span,
            )
        )
    return mutants


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 120 else flat[:117] + "..."


def apply_mutant(source: str, mutant: Mutant) -> str:
    """``source`` with ``mutant`` applied; raises ``SyntaxError`` if it does not compile."""
    start, end = mutant.span
    mutated = source[:start] + mutant.replacement + source[end:]
    compile(mutated, mutant.module, "exec")
    return mutated


def iter_modules_mutants(sources: dict[str, str]) -> Iterator[Mutant]:
    """Every mutant of every module in ``sources`` (module path → text)."""
    for module in sorted(sources):
        yield from find_mutants(module, sources[module])
