"""The suite's checks: each names the clause it checks and says in words what was
expected and what came (ADP-005.5, CONV-004).

A failure raises :class:`ClauseFailure`, an :class:`AssertionError` that carries the
clause the failing check judged (``.clause``, ``.clauses``) and the suite's own words
apart from the implementation's (``.suite_text``, ``.came``).  The plugin marks a
failure of an implementation claiming an older spec from that clause alone: its own
entries of ``spec/CHANGES.md``, its parent's and its sub-clauses' — never from words in
the adapter's answer, which the implementation chose.

The message reads ``CLAUSE: what: expected …, came …``: values are written as the
protocol writes them (JSON, long values cut), an answer as ``ok {…}`` or ``error
<class>: <message>``, never as a Python tuple or a rewritten ``assert``.

:func:`ok_answer` checks an answer's outcome before anything reads its fields, so an
error where a value was expected fails as ``expected a value, came error <class>:
<message>`` under the clause of the check, not as ``KeyError: 'object'``.

A check of an error class (:func:`error_answer`, :func:`check_outcome` and
:func:`same_answer` where an error was expected, :func:`check_error_class`) judges
:data:`CLASS_RULE` beside its own clause: CONV-004, that an implementation reports
exactly the class the rule names.  Each entry of CONV-004 in the change log adds rows
to the class table, so such a failure is marked by one of them only when the entry
quotes a class the check expected (``.by_term``), never by the others.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping
from typing import Any, NoReturn, TypeVar

from gritwit_conformance.data._requirement_ids import CLASS_RULE
from gritwit_conformance.harness._messages import Response, shorten_value

__all__ = [
    "CLASS_RULE",
    "Clause",
    "ClauseFailure",
    "call_ok",
    "check",
    "check_equal",
    "check_error_class",
    "check_in",
    "check_outcome",
    "check_type",
    "describe",
    "error_answer",
    "fail",
    "first_difference",
    "ok_answer",
    "request_of",
    "same_answer",
    "SuiteBug",
    "suite_premise",
]

T = TypeVar("T")

#: One clause (``"OBJ-003.1"``) or several a check judges at once, the first the main one.
Clause = str | tuple[str, ...]


class ClauseFailure(AssertionError):
    """A failed check of the suite: which clause, what was expected, what came."""

    def __init__(
        self,
        clause: Clause,
        *,
        expected: str,
        came: str,
        what: str = "",
        by_term: tuple[str, ...] = (),
    ) -> None:
        named = (clause,) if isinstance(clause, str) else tuple(clause)
        if not named:
            raise ValueError("a check names the clause it checks")
        self.clauses: tuple[str, ...] = (*named, *(c for c in by_term if c not in named))
        #: the clauses among them whose changelog entries mark this failure only when
        #: they quote a term of ``expected`` (CLASS_RULE: the class expected)
        self.by_term = by_term
        #: the main clause the failing check judged: the rule a mark names
        self.clause = self.clauses[0]
        self.expected = expected
        self.came = came
        self.what = what
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """``CLAUSE: what: expected …, came …``."""
        head = ", ".join(self.clauses)
        what = f"{self.what}: " if self.what else ""
        return f"{head}: {what}expected {self.expected}, came {self.came}"

    @property
    def suite_text(self) -> str:
        """The suite's own words of the failure (clause, what, expected): never the
        implementation's answer, which only ``came`` holds."""
        return f"{', '.join(self.clauses)}: {self.what}: expected {self.expected}"

    def __str__(self) -> str:
        return self.message


# Reports name the class as they name AssertionError (``ClauseFailure: OBJ-003.1: …``),
# not by its module path, which says nothing to an implementer.
ClauseFailure.__module__ = "builtins"


def _json(value: object) -> str:
    return json.dumps(shorten_value(value), ensure_ascii=False, default=_plain)


def _plain(value: object) -> object:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    if isinstance(value, tuple):
        return list(value)
    return str(value)


def describe(value: object) -> str:
    """``value`` in words: an answer as ``ok {…}``/``error <class>: <message>``, bytes as
    hex, anything else as JSON (a tuple as a list), long values cut."""
    if isinstance(value, Response):
        if value.ok:
            return f"ok {_json(value.result)}"
        message = value.error.get("message") if isinstance(value.error, dict) else None
        said = f": {_json(message)[1:-1]}" if isinstance(message, str) and message else ""
        return f"error {value.error_class}{said}"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"bytes {_json(bytes(value).hex())}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, set | frozenset | tuple | list | dict | str | int | float):
        return _json(value)
    return str(shorten_value(str(value)))


def fail(
    clause: Clause,
    *,
    expected: str,
    came: object,
    what: str = "",
    by_term: tuple[str, ...] = (),
) -> NoReturn:
    """Fail the check of ``clause``: ``came`` is described unless it is already words.
    ``by_term`` as :class:`ClauseFailure`'s (``(CLASS_RULE,)`` for a class check)."""
    said = came if isinstance(came, str) else describe(came)
    raise ClauseFailure(clause, expected=expected, came=said, what=what, by_term=by_term)


def check(
    clause: Clause,
    condition: object,
    *,
    expected: str,
    came: object,
    what: str = "",
    by_term: tuple[str, ...] = (),
) -> None:
    """Pass when ``condition`` holds; otherwise fail saying ``expected`` and what came.

    ``came`` is a value (described) or words; it may be a callable computing them, so
    a passing check builds no text.
    """
    if condition:
        return
    fail(
        clause,
        expected=expected,
        came=came() if callable(came) else came,
        what=what,
        by_term=by_term,
    )


def check_error_class(clause: Clause, expected: str, came: object, what: str = "") -> None:
    """``came``, the error class an implementation reported (``None``: it reported
    none, the run or command succeeded), is ``expected``: a check of ``clause`` and of
    CONV-004 (:data:`CLASS_RULE`)."""
    if came == expected:
        return
    said = "no error" if came is None else f"error {came}" if isinstance(came, str) else came
    fail(clause, expected=f"error {expected}", came=said, what=what, by_term=(CLASS_RULE,))


def first_difference(expected: object, came: object, path: str = "") -> str:
    """Where ``came`` first differs from ``expected``, in words (``at .entries["a"]: …``)."""
    if isinstance(expected, Mapping) and isinstance(came, Mapping):
        for key in expected:
            if key not in came:
                return f"{path or 'the value'} lacks {_json(str(key))}"
            if expected[key] != came[key]:
                return first_difference(expected[key], came[key], f"{path}[{_json(str(key))}]")
        extra = [k for k in came if k not in expected]
        if extra:
            return f"{path or 'the value'} has {_json(str(extra[0]))} too"
    if isinstance(expected, list | tuple) and isinstance(came, list | tuple):
        for i, (a, b) in enumerate(zip(expected, came, strict=False)):
            if a != b:
                return first_difference(a, b, f"{path}[{i}]")
        if len(expected) != len(came):
            return f"{path or 'the list'} has {len(came)} items, not {len(expected)}"
    where = f"at {path}: " if path else ""
    return f"{where}{describe(came)} where {describe(expected)} was expected"


def check_equal(clause: Clause, expected: object, came: object, what: str = "") -> None:
    """Pass when ``came == expected``; otherwise fail with both and their first difference."""
    if came == expected:
        return
    said = describe(came)
    structured = isinstance(expected, Mapping | list | tuple) and type(came) is type(expected)
    if structured:
        said = f"{said} ({first_difference(expected, came)})"
    fail(clause, expected=describe(expected), came=said, what=what)


def check_in(clause: Clause, came: object, allowed: Iterable[object], what: str = "") -> None:
    """Pass when ``came`` is one of ``allowed``."""
    options = list(allowed)
    if came in options:
        return
    shown = " or ".join(describe(o) for o in options)
    fail(clause, expected=f"one of {shown}" if len(options) > 1 else shown, came=came, what=what)


def check_type(clause: Clause, value: object, kind: type[T], *, expected: str, what: str = "") -> T:
    """``value`` itself, checked to be a ``kind`` (a stored mailbox, a message …)."""
    if not isinstance(value, kind):
        fail(clause, expected=expected, came=value, what=what)
    return value


def ok_answer(reply: Response, clause: Clause, what: str = "") -> dict[str, Any]:
    """The result of ``reply``, checked to be a value before anything reads its fields.

    An error answer fails the check of ``clause``: ``expected a value, came error
    <class>: <message>``.
    """
    if not reply.ok:
        fail(clause, expected="a value", came=reply, what=what or request_of(reply))
    return dict(reply.result)


def call_ok(impl: Any, clause: Clause, cmd: str, **args: Any) -> dict[str, Any]:
    """Send ``cmd`` to ``impl`` (an ``Implementation``) and return its result, checked to
    be a value under ``clause`` (:func:`ok_answer`)."""
    reply: Response = impl.call(cmd, **args)
    return ok_answer(reply, clause)


def error_answer(
    reply: Response, clause: Clause, classes: str | Collection[str], what: str = ""
) -> str:
    """The error class of ``reply``, checked to be ``classes`` (one class or several)."""
    wanted = (classes,) if isinstance(classes, str) else tuple(classes)
    if not reply.ok and reply.error_class in wanted:
        return str(reply.error_class)
    expected = " or ".join(f"error {c}" for c in wanted)
    fail(
        clause,
        expected=expected,
        came=reply,
        what=what or request_of(reply),
        by_term=(CLASS_RULE,),
    )


def check_outcome(clause: Clause, reply: Response, expected: str, what: str = "") -> None:
    """``reply``'s outcome is ``expected``: ``"ok"`` or an error class."""
    if reply.outcome() == expected:
        return
    if expected == "ok":
        fail(clause, expected="a value", came=reply, what=what or request_of(reply))
    fail(
        clause,
        expected=f"error {expected}",
        came=reply,
        what=what or request_of(reply),
        by_term=(CLASS_RULE,),
    )


def same_answer(clause: Clause, came: Response, expected: Response, what: str = "") -> None:
    """``came`` answers as ``expected`` (the reference's answer) does: the same outcome,
    and the same result when that is a value."""
    what = what or request_of(came)
    if came.outcome() != expected.outcome():
        if expected.ok:
            fail(clause, expected="a value", came=came, what=what)
        fail(
            clause,
            expected=f"error {expected.error_class}",
            came=came,
            what=what,
            by_term=(CLASS_RULE,),
        )
    if expected.ok:
        check_equal(clause, expected.result, came.result, what)


class SuiteBug(Exception):
    """The suite's own premise failed (an input it built is not what it meant): no
    implementation's fault, so not an AssertionError, and no clause's mark."""


def suite_premise(condition: object, premise: str) -> None:
    """Stop with :class:`SuiteBug` unless the suite's own ``premise`` holds."""
    if not condition:
        raise SuiteBug(f"suite bug: {premise}")


def request_of(reply: Response) -> str:
    """The request ``reply`` answers, in protocol form, cut: the default ``what``."""
    shown = _json({"cmd": reply.cmd or "?", **reply.request})
    return shown if len(shown) <= 300 else f"{shown[:300]}…"
