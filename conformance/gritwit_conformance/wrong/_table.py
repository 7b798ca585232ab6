"""The wrong adapters' table: what the suite must report for each, read without importing.

:class:`WrongAdapter` is one row; :func:`declared` reads the row a wrong adapter module
declares, ``ROW = WrongAdapter(...)``, from the module's syntax tree (``ast``): the
module is not imported and none of its code runs, and a row that is anything but
literals (strings, numbers, tuples, sets, ``frozenset(...)``, :data:`STARTUP_TIMEOUT`)
is refused by name.  Both :mod:`gritwit_conformance.wrong` and its :mod:`._rows` import
this module, which imports neither: no import circle.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["STARTUP_TIMEOUT", "WrongAdapter", "body_hash", "copied_hash", "declared"]


@dataclass(frozen=True, slots=True)
class WrongAdapter:
    """What the suite must report for one wrong adapter."""

    #: The profiles to run (``--profile``); ``protocol`` always runs as well.
    profiles: tuple[str, ...]
    #: Requirement IDs the report must list as failed (a subset of what it lists).
    failed: frozenset[str]
    #: ``failed``: a wrong answer; ``errored``: the adapter breaks the protocol (ADP-012);
    #: ``timed-out``: it gives no answer within the limit (ADP-012, ADP-020.1).
    outcome: Literal["failed", "errored", "timed-out"]
    description: str
    #: For ``errored`` and ``timed-out``: text the reason of every such record contains.
    reason: str = ""
    #: ``--smoke`` is enough to catch it (a quicker run).
    smoke: bool = False
    #: The bug breaks even the handshake, so every test errors and none can pass.
    breaks_handshake: bool = False
    #: Not caught yet: what the suite misses (the test is a strict expected failure).
    gap: str = ""
    #: The harness's per-response time-out for this run, in seconds (0: the default).
    timeout: float = 0.0
    #: Reference functions whose body the adapter copied (and bent), each with the
    #: BLAKE3 hash of its source when copied: ``(("gritwit.runtime._x:Class.method",
    #: "<hex>"),)``.  The fit test (``test_wrong_faults.py``) fails once a copied body
    #: changes in the reference, so the copy is brought up to date, not left to drift.
    copied_from: tuple[tuple[str, str], ...] = ()


#: Per-response time-out of the sandbox adapters' runs: a bug that changes the
#: interpreter's start-up changes its snapshot, whose image module the adapter's first run
#: compiles (seconds on a loaded machine) before it answers.
STARTUP_TIMEOUT = 60.0
#: The names a row may use besides literals.
_NAMES: dict[str, object] = {"STARTUP_TIMEOUT": STARTUP_TIMEOUT}


class _NotLiteral(ValueError):
    """A row holds something other than data."""


def _value(node: ast.expr) -> object:
    """A row's argument: a literal, ``frozenset(literal)`` or a name of :data:`_NAMES`."""
    if isinstance(node, ast.Name) and node.id in _NAMES:
        return _NAMES[node.id]
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "frozenset"
        and len(node.args) <= 1
        and not node.keywords
    ):
        return frozenset(_value(node.args[0])) if node.args else frozenset()  # type: ignore[call-overload]
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise _NotLiteral(ast.unparse(node)) from None


def declared(path: Path) -> WrongAdapter:
    """The row the module at ``path`` declares (``ROW = WrongAdapter(...)`` at its top
    level), read from its syntax tree; ``RuntimeError`` naming the module otherwise."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and [getattr(t, "id", None) for t in node.targets] == ["ROW"]
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "WrongAdapter"
        ):
            call = node.value
            try:
                args = [_value(arg) for arg in call.args]
                kwargs = {str(k.arg): _value(k.value) for k in call.keywords}
            except _NotLiteral as exc:
                raise RuntimeError(
                    f"wrong adapter {path.stem}: its ROW holds {exc}, not data"
                ) from None
            return WrongAdapter(*args, **kwargs)  # type: ignore[arg-type]
    raise RuntimeError(f"wrong adapter {path.stem} declares no ROW = WrongAdapter(...)")


def body_hash(source: str, qualname: str) -> str:
    """The hash of the function ``qualname`` (``f`` or ``Class.f``) of module text
    ``source``: BLAKE3 of its syntax tree without its docstring, 16 hex digits.

    Comments, blank lines and line breaks do not change it; any change to what the
    code does does.  ``KeyError`` when the text defines no such function.
    """
    import blake3

    scope: list[ast.stmt] = ast.parse(source).body
    *owners, name = qualname.split(".")
    for owner in owners:
        cls = next((n for n in scope if isinstance(n, ast.ClassDef) and n.name == owner), None)
        if cls is None:
            raise KeyError(qualname)
        scope = cls.body
    found = next(
        (
            n
            for n in scope
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name
        ),
        None,
    )
    if found is None:
        raise KeyError(qualname)
    body = found.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring: words, not behaviour
    tree = ast.dump(ast.Module(body=body, type_ignores=[]), include_attributes=False)
    signature = ast.dump(found.args, include_attributes=False)
    return blake3.blake3(f"{signature}\n{tree}".encode()).hexdigest()[:16]


def copied_hash(target: str) -> str:
    """:func:`body_hash` of ``module:qualname`` as the installed reference has it (read from
    the module's file: nothing is imported)."""
    import importlib.util

    module, _, qualname = target.partition(":")
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise KeyError(target)
    return body_hash(Path(spec.origin).read_text(encoding="utf-8"), qualname)
