"""Deliberately wrong adapters: the proof that the conformance suite bites.

Each module of this package is the reference adapter with *one* realistic bug,
made by the smallest change that produces it, and runs as an adapter with
``python -m gritwit_conformance.wrong.<name>``; a bug that is one misread constant,
table or threshold is instead a row of :data:`._rows.ROWS`, run by one generic adapter
(``python -m gritwit_conformance.wrong._row <name>``, :func:`command`).  Each bug is
described once: a module declares its own row, ``ROW = WrongAdapter(...)`` after its
imports, and :data:`WRONG` (every module's row, then :data:`ROWS`) says, for each, which
profile exposes the bug, which requirement IDs the suite must report as failed, and
whether the suite must record the tests as *failed* (a wrong answer) or *errored* (a
broken adapter, ADP-012).
``conformance/tests/test_wrong_adapters.py`` runs ``gritwit conform`` against
every entry and checks its report against the table.  Entries with a ``gap``
are bugs the suite does not catch yet; their tests are strict expected
failures, so catching one turns the test red until its ``gap`` is cleared.

The table is plain data and importing this package starts nothing: the modules' rows
are read from their syntax trees (:mod:`._table`), the modules are not imported; the
bugs are installed only in the adapter process, by :func:`run`.

Each bug is a *declared fault*: :func:`patch` (or :func:`fault`, for an
entry of a reference table) names what it bends and refuses a replacement that no
longer fits the original's signature (:class:`StaleFault`); ``written_for=`` declares
the signature an adapter was written against where it deliberately differs, and is
refused once the original moves.  :func:`dry_run` runs an adapter's hooks with nothing
installed (``conformance/tests/test_wrong_faults.py`` runs every one so, in the normal
test run).  Installed, each replacement (and each method an adapter's class defines)
counts its entries and crashes into the file named by ``GRITWIT_FAULT_LOG``
(:mod:`._fault`); ``test_wrong_adapters.py`` fails an adapter whose fault never ran
or crashed on its own account.  Faults that only change constants or data have
nothing to count.
"""

from __future__ import annotations

import importlib.util
import inspect
import shlex
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any, NoReturn, TypeVar

from gritwit.adapter import ReferenceAdapter, serve
from gritwit_conformance.wrong import _fault
from gritwit_conformance.wrong._fault import Fault, StaleFault
from gritwit_conformance.wrong._rows import ROWS
from gritwit_conformance.wrong._table import STARTUP_TIMEOUT, WrongAdapter, declared

__all__ = [
    "ROWS",
    "STARTUP_TIMEOUT",
    "WRONG",
    "DryRun",
    "Fault",
    "StaleFault",
    "LaxDecoderAdapter",
    "WrongAdapter",
    "command",
    "dry_run",
    "fault",
    "patch",
    "run",
    "run_row",
]

Json = dict[str, Any]


#: name → what the suite must report for it: each module's own row (``open_*``: wrong
#: adapters written from ``spec/`` alone by people who had not read the suite),
#: then the rows of the generic adapter (:data:`ROWS`).
WRONG: dict[str, WrongAdapter] = {
    path.stem: declared(path) for path in sorted(Path(__file__).parent.glob("[a-z]*.py"))
}

# The one-line misreadings (a constant, a table, a threshold): rows of one generic adapter.
if set(WRONG) & set(ROWS):
    raise RuntimeError(f"wrong adapters named twice: {sorted(set(WRONG) & set(ROWS))}")
WRONG.update((name, row.entry) for name, row in ROWS.items())


def command(name: str) -> str:
    """The ``--impl`` command line that starts the wrong adapter ``name``."""
    if name in ROWS:
        return f"{shlex.quote(sys.executable)} -m {__name__}._row {name}"
    return f"{shlex.quote(sys.executable)} -m {__name__}.{name}"


#: The row of :data:`ROWS` this process runs (:func:`run_row`), which names its faults.
_ROW: str | None = None


def _adapter_name(depth: int = 2) -> str:
    """The wrong adapter that called: its module's last name (``__main__`` by its spec), or
    the row :func:`run_row` runs."""
    if _ROW is not None:
        return _ROW
    space = sys._getframe(depth).f_globals
    spec = space.get("__spec__")
    return str(spec.name if spec is not None else space["__name__"]).rsplit(".", 1)[-1]


#: While :func:`dry_run` runs an adapter: the faults its ``install`` declared (nothing is
#: installed).
_DRY: list[Fault] | None = None


class DryRun(Exception):  # not an error: how a dry run leaves run()
    """Raised by :func:`run` in a dry run, in place of serving: the faults it declared."""

    def __init__(self, faults: list[Fault]) -> None:
        super().__init__(f"{len(faults)} faults")
        self.faults = faults


def patch(
    module: ModuleType | type,
    name: str,
    value: object,
    *,
    written_for: str | None = None,
) -> None:
    """Replace ``module.name`` in this adapter process, a declared fault.

    Fails loudly if the reference renamed it (``AttributeError``) or if a callable
    ``value`` no longer fits the original's signature (:class:`StaleFault`, see
    :func:`_fault.check`; ``written_for`` declares the signature the adapter was written
    against where its replacement deliberately differs).  The installed replacement
    counts its entries and crashes (:func:`_fault.counted`).
    """
    if not hasattr(module, name):
        raise AttributeError(f"{module.__name__} has no {name}: this wrong adapter is out of date")
    target = f"{module.__name__}.{name}"
    original = inspect.getattr_static(module, name)
    fault = _fault.check(_adapter_name(), target, original, value, written_for)
    if _DRY is not None:
        _DRY.append(fault)
        return
    setattr(module, name, _fault.counted(target, value))


F = TypeVar("F")


def fault(target: str, original: object, replacement: F, *, written_for: str | None = None) -> F:
    """``replacement`` of ``original`` for a table's entry (a registry, a test actor), which
    the adapter installs itself: checked as :func:`patch` checks, and counted.

    ``target`` names the entry in the reports, e.g. ``"_calls.FUNCTIONS[fd_readdir]"``.
    In a dry run it returns ``original``, so the adapter's own assignment changes nothing.
    """
    checked = _fault.check(_adapter_name(), target, original, replacement, written_for)
    if _DRY is not None:  # the adapter puts it into the table: the table stays as it is
        _DRY.append(checked)
        return original  # type: ignore[return-value]
    return _fault.counted(target, replacement)  # type: ignore[return-value]


def _own_methods(adapter_cls: type[ReferenceAdapter]) -> Iterator[tuple[type, str, object]]:
    """The methods a wrong adapter's class defines itself: its fault, when it has no hooks."""
    for cls in adapter_cls.__mro__:
        if cls in ReferenceAdapter.__mro__ or cls is LaxDecoderAdapter:
            continue
        for attr, value in vars(cls).items():
            if isinstance(value, (FunctionType, staticmethod, classmethod)) and not (
                attr.startswith("__") and attr != "__init__"
            ):
                yield cls, attr, value


def _check_overrides(adapter_cls: type[ReferenceAdapter]) -> list[Fault]:
    """Overrides of the reference adapter's methods must fit them, as patches must."""
    adapter = _adapter_name(3)
    faults = []
    for cls, attr, value in _own_methods(adapter_cls):
        target = f"{cls.__name__}.{attr}"
        if hasattr(ReferenceAdapter, attr) and attr != "__init__":  # run() alone makes one
            original = inspect.getattr_static(ReferenceAdapter, attr)
            faults.append(_fault.check(adapter, target, original, value))
        else:  # a method of its own: counted, nothing to check it against
            faults.append(_fault.check(adapter, target, None, value))
    return faults


def run(adapter_cls: type[ReferenceAdapter], *install: Callable[[], None]) -> NoReturn:
    """Install the bug (``install`` hooks patch the reference in this process only) and serve.

    The methods the adapter's class defines itself are counted as its fault too.
    """
    for hook in install:
        hook()
    overrides = _check_overrides(adapter_cls)
    if _DRY is not None:
        raise DryRun([*_DRY, *overrides])
    own = list(_own_methods(adapter_cls))
    for cls, attr, value in own:  # __init__ runs once for every adapter: a fault if alone
        if attr != "__init__" or len(own) == 1:
            setattr(cls, attr, _fault.counted(f"{cls.__name__}.{attr}", value))
    adapter = adapter_cls()
    main = sys.modules["__main__"].__spec__
    if main is not None:  # name it after its module, so reports tell the variants apart
        module = _ROW or main.name.rsplit(".", 1)[-1]
        adapter.name = "gritwit-wrong-" + module.replace("_", "-")
    raise SystemExit(serve(adapter))


def _bend(name: str) -> Callable[[], None]:
    """The install hook of the row ``name``: each bend, a :func:`patch`."""

    def install() -> None:
        for bend in ROWS[name].bends:
            module = importlib.import_module(bend.module)
            patch(module, bend.name, bend.make(module))

    return install


def run_row(name: str) -> NoReturn:
    """Run the row ``name`` of :data:`ROWS` as a wrong adapter (:func:`run`)."""
    global _ROW
    if name not in ROWS:
        raise SystemExit(f"no row {name!r} of gritwit_conformance.wrong._rows.ROWS")
    _ROW = name
    try:
        run(ReferenceAdapter, _bend(name))
    finally:  # a dry run leaves by DryRun
        _ROW = None


def dry_run(name: str) -> list[Fault]:
    """Run the wrong adapter ``name`` up to its serving, installing nothing: its faults.

    Each ``patch()`` is checked (:class:`StaleFault`) and recorded instead of installed;
    the module's code runs as ``__main__``, as ``python -m`` runs it.
    """
    global _DRY
    _DRY = []
    try:
        if name in ROWS:
            run_row(name)
        spec = importlib.util.find_spec(f"{__name__}.{name}")
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(f"no wrong adapter {name}")
        source = Path(spec.origin).read_text(encoding="utf-8")  # as runpy, any import hook
        space = {"__name__": "__main__", "__spec__": spec, "__file__": spec.origin}
        exec(compile(source, spec.origin, "exec", dont_inherit=True), space)
    except DryRun as done:
        return done.faults
    finally:
        _DRY = None
    raise RuntimeError(f"wrong adapter {name} did not call run()")


class LaxDecoderAdapter(ReferenceAdapter):
    """Base of decoder bugs: :meth:`lax` turns bytes the reference rejects into bytes it accepts.

    Every command that decodes (``decode``, ``id``, ``decode-value``, ``put``)
    sees ``lax(input)`` instead of the input, as an implementation whose
    decoder skips one check would.
    """

    def lax(self, data: bytes) -> bytes:
        return data

    def _lax(self, args: Json) -> Json:
        try:
            data = bytes.fromhex(args["bytes"])
        except (KeyError, TypeError, ValueError):
            return args  # let the reference report the bad request
        try:
            return {**args, "bytes": self.lax(data).hex()}
        except Exception:  # the lax path gave up on these bytes: the reference decides
            return args

    def cmd_decode(self, args: Json) -> Json:
        return super().cmd_decode(self._lax(args))

    def cmd_id(self, args: Json) -> Json:
        return super().cmd_id(self._lax(args))

    def cmd_decode_value(self, args: Json) -> Json:
        return super().cmd_decode_value(self._lax(args))

    def cmd_put(self, args: Json) -> Json:
        return super().cmd_put(self._lax(args))
