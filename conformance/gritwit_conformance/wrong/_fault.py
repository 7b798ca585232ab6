"""Declared faults: a wrong adapter's replacement is checked against what it bends, and counted.

A wrong adapter models one bug by replacing a reference function (:func:`patch`). Two
things can silently turn it into an adapter that merely crashes, which the suite would
count as caught:

* the reference changes the function's signature, so the replacement can no longer take
  the arguments the reference passes; :func:`check` refuses such a replacement with
  :class:`StaleFault` before anything runs;
* the replacement is never entered, or raises on its own account (a ``TypeError`` of a
  stale call, an ``AttributeError`` of a renamed attribute) instead of misreading.

So every installed replacement counts its entries and its *crashes* (an exception of
:data:`CRASHES` raised in the adapter's own code, or in binding the call) in the adapter
process, and appends them, as they happen, to the file named by :data:`LOG_VARIABLE`
when the harness sets it: a line ``pid<TAB>fault<TAB>entries<TAB>crashes<TAB>what`` at
install (0 entries), at the first entry and crash, then at doubling counts and at exit,
so a SIGKILL loses only the tail of a count, never its first entry. :func:`read_log`
sums a run's lines.
"""

from __future__ import annotations

import atexit
import functools
import inspect
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType, TracebackType
from typing import Any

__all__ = [
    "CRASHES",
    "LOG_VARIABLE",
    "Fault",
    "FaultCount",
    "StaleFault",
    "check",
    "counted",
    "read_log",
]

#: The environment variable naming the file an adapter process appends its counts to.
LOG_VARIABLE = "GRITWIT_FAULT_LOG"
#: Exceptions that, raised in the replacement's own code, are a crash of the fault, not
#: its misreading: what a replacement that no longer fits the reference raises.
CRASHES: tuple[type[BaseException], ...] = (
    TypeError,
    AttributeError,
    NameError,
    ImportError,
    AssertionError,
)
_EMPTY = inspect.Parameter.empty
_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


class StaleFault(TypeError):
    """A replacement that no longer fits the reference function it replaces."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One patch of a wrong adapter: what it bends, and the two signatures."""

    adapter: str
    target: str
    original: str
    replacement: str


def _signature(value: object) -> inspect.Signature | None:
    try:
        return inspect.signature(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _unwrap(value: object) -> object:
    if isinstance(value, (staticmethod, classmethod)):
        return value.__func__
    return value


def parse(declared: str) -> inspect.Signature:
    """The signature written as ``"(self, built, ref, expected)"`` (annotations not evaluated)."""
    source = f"def _written_for{declared}:\n    pass\n"
    space: dict[str, Any] = {}
    flags = annotations.compiler_flag  # the __future__ feature imported above
    exec(compile(source, "<written_for>", "exec", flags=flags, dont_inherit=True), space)
    return inspect.signature(space["_written_for"])


def _shape(sig: inspect.Signature) -> list[tuple[str, object, bool]]:
    return [(p.name, p.kind, p.default is _EMPTY) for p in sig.parameters.values()]


def misfit(original: inspect.Signature, replacement: inspect.Signature) -> str:
    """Why ``replacement`` cannot take every call ``original`` can (empty: it can).

    The reference may call the original with any of its positional parameters by
    position, any parameter it can name by keyword, and extra arguments if it has
    ``*args`` or ``**kwargs``; the replacement must accept all of them and require
    nothing more.
    """
    orig = list(original.parameters.values())
    repl = list(replacement.parameters.values())
    var_pos = any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in repl)
    var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in repl)
    o_pos = [p for p in orig if p.kind in _POSITIONAL]
    r_pos = [p for p in repl if p.kind in _POSITIONAL]
    if len(r_pos) < len(o_pos) and not var_pos:
        return f"takes {len(r_pos)} positional parameters, the original {len(o_pos)}"
    for i, p in enumerate(o_pos):
        if i == 0 and p.name in ("self", "cls"):
            continue  # the instance or class is never passed by keyword
        keyword = p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        if keyword and i < len(r_pos) and r_pos[i].name != p.name and not var_kw:
            return f"parameter {i} is {r_pos[i].name!r}, the original's {p.name!r}"
    names = {p.name for p in repl if p.kind is not inspect.Parameter.POSITIONAL_ONLY}
    for p in orig:
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in names and not var_kw:
            return f"does not accept the keyword {p.name!r}"
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in orig) and not var_pos:
        return "has no *args, the original has"
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in orig) and not var_kw:
        return "has no **kwargs, the original has"
    given = {p.name for p in orig}
    for i, p in enumerate(repl):
        if p.default is not _EMPTY or p.kind in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        ):
            continue
        if p.kind in _POSITIONAL and i < len(o_pos):
            continue
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name in given:
            continue
        return f"requires {p.name!r}, which the original does not take"
    return ""


def check(
    adapter: str,
    target: str,
    original: object,
    replacement: object,
    written_for: str | None = None,
) -> Fault:
    """Refuse (:class:`StaleFault`) a callable replacement that no longer fits ``original``.

    Constants are not checked. ``written_for`` declares the signature of the original the
    adapter was written against, where its replacement deliberately differs: the original
    must still have it, and the replacement is then not compared.
    """
    orig_sig = _signature(_unwrap(original)) if callable(_unwrap(original)) else None
    repl_sig = _signature(_unwrap(replacement)) if callable(_unwrap(replacement)) else None
    fault = Fault(adapter, target, str(orig_sig), str(repl_sig))
    if written_for is not None:
        declared = parse(written_for)
        if orig_sig is None or _shape(declared) != _shape(orig_sig):
            raise StaleFault(
                f"wrong adapter {adapter}: {target} was written for {written_for}, "
                f"the reference's is now {orig_sig}: mend the adapter so it models its bug again"
            )
        return fault
    if orig_sig is None or repl_sig is None or isinstance(_unwrap(original), type):
        return fault
    why = misfit(orig_sig, repl_sig)
    if why:
        raise StaleFault(
            f"wrong adapter {adapter}: the replacement of {target} {why}: "
            f"original {orig_sig}, replacement {repl_sig}; mend the adapter so it models its "
            "bug again (or declare written_for= where it deliberately differs)"
        )
    return fault


# --- counting ---------------------------------------------------------------------------


@dataclass(slots=True)
class FaultCount:
    """Entries and crashes of one fault (mutable: it counts)."""

    entries: int = 0
    crashes: int = 0
    what: str = ""
    written: tuple[int, int] = field(default=(-1, -1))


_COUNTS: dict[str, FaultCount] = {}
_LOCK = threading.Lock()


def _write(target: str, count: FaultCount) -> None:
    path = os.environ.get(LOG_VARIABLE)
    if not path or count.written == (count.entries, count.crashes):
        return
    count.written = (count.entries, count.crashes)
    what = count.what.replace("\t", " ").replace("\n", " ")[:300]
    line = f"{os.getpid()}\t{target}\t{count.entries}\t{count.crashes}\t{what}\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode("utf-8"))  # one small write: appended whole
    finally:
        os.close(fd)


def _flush() -> None:
    with _LOCK:
        for target, count in _COUNTS.items():
            _write(target, count)


atexit.register(_flush)


def _note(target: str, *, crash: BaseException | None = None) -> None:
    with _LOCK:
        count = _COUNTS.setdefault(target, FaultCount())
        if crash is None:
            count.entries += 1
            due = count.entries & (count.entries - 1) == 0  # 1, 2, 4, 8, ...
        else:
            count.crashes += 1
            count.what = count.what or f"{type(crash).__name__}: {crash}"
            due = count.crashes & (count.crashes - 1) == 0
        if due:
            _write(target, count)


def _own_crash(exc: BaseException, home: str, tb: TracebackType | None) -> bool:
    """``exc`` is a crash of the replacement: raised binding the call, or in its own file."""
    if not isinstance(exc, CRASHES):
        return False
    if tb is None or tb.tb_next is None:  # raised by the call itself: the arguments do not fit
        return True
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_filename == home


def counted(target: str, replacement: object) -> object:
    """``replacement`` wrapped to count its entries and crashes under ``target``."""
    inner = _unwrap(replacement)
    if not isinstance(inner, FunctionType):
        return replacement  # a class, a constant, a builtin: installed as it is
    func: Callable[..., Any] = inner
    home = func.__code__.co_filename
    with _LOCK:  # its first line says it is installed, before it runs (entries 0)
        _write(target, _COUNTS.setdefault(target, FaultCount()))
    wrapper: Callable[..., Any]
    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            _note(target)
            try:
                return await func(*args, **kwargs)
            except BaseException as exc:
                if _own_crash(exc, home, exc.__traceback__):
                    _note(target, crash=exc)
                raise

    elif inspect.isgeneratorfunction(func):  # its body runs as it is iterated

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            _note(target)
            try:
                return (yield from func(*args, **kwargs))
            except BaseException as exc:
                if _own_crash(exc, home, exc.__traceback__):
                    _note(target, crash=exc)
                raise

    else:

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            _note(target)
            try:
                return func(*args, **kwargs)
            except BaseException as exc:
                if _own_crash(exc, home, exc.__traceback__):
                    _note(target, crash=exc)
                raise

    if isinstance(replacement, staticmethod):
        return staticmethod(wrapper)
    if isinstance(replacement, classmethod):
        return classmethod(wrapper)
    return wrapper


def read_log(path: Path) -> dict[str, FaultCount]:
    """Per fault, the entries and crashes of a run: the last line of each process, summed."""
    last: dict[tuple[str, str], tuple[int, int, str]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 5:
                pid, target, entries, crashes, what = parts
                last[pid, target] = (int(entries), int(crashes), what)
    total: dict[str, FaultCount] = {}
    for (_, name), (ran, crashed, why) in last.items():
        count = total.setdefault(name, FaultCount())
        count.entries += ran
        count.crashes += crashed
        count.what = count.what or why
    return total
