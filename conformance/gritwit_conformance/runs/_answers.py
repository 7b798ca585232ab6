"""A failing test's diagnosis, from what it exchanged with the implementation (ADP-020.9).

A test's check sees a consequence — an id that differs, an answer the implementation's
own decoder then refused — while the cause is often an encoding the implementation made
earlier in the same test.  After the run, each failing test's ``exchange`` (ADP-020.7)
is read again here, in order:

* the answers to the stateless codec commands (``encode``, ``decode-value``,
  ``decode``, ``id``) are compared with the reference's answers to the same requests,
  and at the first that differs :func:`..diff._diagnose.diagnose` names the rule the
  implementation's bytes break;
* the bytes of stored objects it answered (``wit-object``, ``rt-object``) are read with
  the strict decoder, which must take every stored object (OBJ-017);
* the test's own message is read for a reading the suite made with the reference's
  decoder (``undecodable: [ENC-010] unsorted-keys …``); never for words of the
  implementation's answers, which it may choose;
* a refusal of another class than the reference's, for a request holding a map whose
  keys a wrong key order reorders, is put down to the key order when the encoder breaks
  ENC-010: an implementation checks the fields in its own key order, and OBJ-016 checks
  them in the canonical one, so it finds another fault first;
* otherwise, when the implementation's encoder was found broken after the run
  (:mod:`._probe`) and the test compared ids or encodings it computed (its exchange
  holds one, or its message names an id), that finding.

:func:`diagnose_failure` returns the first diagnosis that names a rule, else the first
found, else None.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from typing import Any, Final

from ..diff._diagnose import Diagnosis, diagnose, read_bytes

__all__ = [
    "order_sensitive",
    "compared_ids",
    "compares_ids",
    "diagnose_answers",
    "diagnose_failure",
    "diagnose_message",
    "reference_answer",
]

#: The codec commands a reference answers alike in any state (ADP-009).
_STATELESS: Final = frozenset({"encode", "decode-value", "decode", "id"})
#: Commands answering the stored bytes of an object of a runtime (ADP-014, ADP-015).
_OBJECT_BYTES: Final = frozenset({"wit-object", "rt-object"})
#: Readings the suite makes with the reference's decoder, as its messages word them.
_READINGS: Final = (
    re.compile(r"undecodable: \[(ENC-[\d.]+|OBJ-[\d.]+)\] ([a-z-]+): ([^\n(]*)"),
    re.compile(r"gritwit\._error_types\.\w+: \[(ENC-[\d.]+|OBJ-[\d.]+)\] ([a-z-]+): ([^\n(]*)"),
    re.compile(
        r"read by the strict decoder: ([a-z-]+)(?: at byte \d+)? \((ENC-[\d.]+|OBJ-[\d.]+)\)"
    ),
)
_ID: Final = re.compile(r"^[0-9a-f]{64}$")
#: An id in a failure's message: the test compared one (with a second process of the
#: adapter, say, whose answers are not in the exchange).
_ID_IN_TEXT: Final = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
#: Error classes of a refused encoding or object (ENC-016, OBJ-016, ID-003).
_CODEC_CLASSES: Final = frozenset(
    {
        "truncated",
        "trailing-bytes",
        "malformed",
        "forbidden-type",
        "indefinite-length",
        "non-shortest",
        "invalid-utf8",
        "non-text-key",
        "duplicate-key",
        "unsorted-keys",
        "too-deep",
        "too-large",
        "invalid-object",
        "invalid-id",
    }
)


@cache
def _reference() -> Any:
    from gritwit.adapter import ReferenceAdapter

    return ReferenceAdapter()


def reference_answer(cmd: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The reference's answer to a stateless codec request, as JSON (``ok``, the result
    fields or ``error``)."""
    answer = _reference().handle(json.loads(json.dumps({"seq": 0, "cmd": cmd, **args})))
    return dict(json.loads(json.dumps(answer)))


def _args(request: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in request.items() if k not in ("seq", "cmd")}


def _hex(value: object) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return bytes.fromhex(value)
    except ValueError:
        return None


def _error(answer: Mapping[str, Any]) -> tuple[str, str]:
    error = answer.get("error")
    error = error if isinstance(error, Mapping) else {}
    return str(error.get("class", "?")), str(error.get("requirement") or "")


def _against_reference(
    index: int, request: Mapping[str, Any], answer: Mapping[str, Any]
) -> Diagnosis | None:
    """The implementation's answer to a stateless codec request against the reference's."""
    cmd = str(request.get("cmd"))
    try:
        expected = reference_answer(cmd, _args(request))
    except Exception:  # a request the reference cannot take: no diagnosis
        return None
    said = f"the answer to {cmd} (exchange {index + 1})"
    ok, expected_ok = answer.get("ok") is True, expected.get("ok") is True
    expected_class, expected_rule = _error(expected)
    expected_rule = expected_rule or "no rule named"
    if ok and expected_ok:
        if cmd in ("encode", "decode-value"):
            want, came = _hex(expected.get("bytes")), _hex(answer.get("bytes"))
            if want is None or came is None or want == came:
                return None
            found = diagnose(want, came)
            if found is None:
                return None
            return Diagnosis(rule=found.rule, words=f"{said}: {found.words}", source="answer")
        for name in ("object", "id"):
            if name in expected and answer.get(name) != expected[name]:
                return Diagnosis(
                    rule=None,
                    words=f"{said} gives another {name} than the reference's",
                    source="answer",
                )
        return None
    if ok:
        return Diagnosis(
            rule=_error(expected)[1] or None,
            words=(
                f"{said} is ok where the reference refuses the request as {expected_class} "
                f"({expected_rule})"
            ),
            source="answer",
        )
    kind, rule = _error(answer)
    if expected_ok:
        return Diagnosis(
            rule=None,
            words=(
                f"{said} refuses as {kind} ({rule or 'no rule named'}) a request the "
                "reference answers ok"
            ),
            source="answer",
        )
    if kind != expected_class:
        return Diagnosis(
            rule=_error(expected)[1] or None,
            words=(
                f"{said} refuses as {kind} where the reference refuses as {expected_class} "
                f"({expected_rule})"
            ),
            source="answer",
        )
    return None


def diagnose_answers(exchanges: Iterable[Mapping[str, Any]]) -> list[Diagnosis]:
    """What the exchanges show, in order: each codec answer that differs from the
    reference's, each stored object's bytes the strict decoder refuses."""
    return [diagnosis for _, diagnosis in _answers(exchanges)]


def _answers(exchanges: Iterable[Mapping[str, Any]]) -> list[tuple[Mapping[str, Any], Diagnosis]]:
    found: list[tuple[Mapping[str, Any], Diagnosis]] = []
    for index, entry in enumerate(exchanges):
        request, answer = entry.get("request"), entry.get("answer")
        if not isinstance(request, Mapping) or not isinstance(answer, Mapping) or entry.get("cut"):
            continue
        cmd = request.get("cmd")
        if cmd in _STATELESS:
            diagnosis = _against_reference(index, request, answer)
        elif cmd in _OBJECT_BYTES and answer.get("ok") is True:
            came = _hex(answer.get("bytes"))
            oid = str(request.get("id", ""))[:12]
            what = f"the bytes {cmd} answered for {oid}… (exchange {index + 1})"
            diagnosis = None if came is None else read_bytes(came, as_object=True, what=what)
        else:
            diagnosis = None
        if diagnosis is not None:
            found.append((request, diagnosis))
    return found


def _maps(value: object) -> Iterable[list[str]]:
    """The key lists of every JSON object in ``value``."""
    if isinstance(value, Mapping):
        yield [str(key) for key in value]
        for item in value.values():
            yield from _maps(item)
    elif isinstance(value, list):
        for item in value:
            yield from _maps(item)


def _order_matters(request: Mapping[str, Any]) -> bool:
    """The request holds a map whose keys a wrong key order puts in another order, so an
    implementation that checks its fields in that order may refuse for another rule
    (OBJ-016 checks fields in canonical key order)."""
    for keys in _maps(_args(request)):
        encoded = {k: k.encode("utf-8", "surrogatepass") for k in keys}
        canonical = sorted(keys, key=lambda k: (len(encoded[k]), encoded[k]))
        if canonical != sorted(keys) or canonical != sorted(keys, key=lambda k: (len(k), k)):
            return True
    return False


#: What a message quotes of the implementation: an answer's repr, the lines that show one.
_QUOTED: Final = re.compile(r"<answer to [^\n]*?>|^\s*(?:its answer|last request):.*$", re.M)


def diagnose_message(reason: str) -> Diagnosis | None:
    """A reading the suite made with the reference's decoder, as the test's message gives
    it; what the message quotes of the implementation's answers is not read."""
    own = _QUOTED.sub("", reason)
    for pattern in _READINGS:
        match = pattern.search(own)
        if match is None:
            continue
        if pattern is _READINGS[2]:
            kind, rule, detail = match.group(1), match.group(2), ""
        else:
            rule, kind, detail = match.group(1), match.group(2), match.group(3).strip()
        words = (
            "the test read the implementation's bytes with the reference's strict decoder, "
            f"which refuses the bytes that came: {kind} ({rule})"
        )
        return Diagnosis(
            rule=rule, words=words + (f": {detail}" if detail else ""), source="message"
        )
    return None


def _values(value: object) -> Iterable[tuple[str, object]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield str(key), item
            yield from _values(item)
    elif isinstance(value, list):
        for item in value:
            yield from _values(item)


def compares_ids(exchanges: Iterable[Mapping[str, Any]]) -> bool:
    """The implementation answered ids or encodings it computed, or refused an encoding or
    object (perhaps its own): what a broken encoder changes."""
    for entry in exchanges:
        answer = entry.get("answer")
        if not isinstance(answer, Mapping):
            continue
        if answer.get("ok") is False and _error(answer)[0] in _CODEC_CLASSES:
            return True
        for key, value in _values(answer):
            if key == "bytes" or (isinstance(value, str) and _ID.match(value)):
                return True
    return False


def order_sensitive(exchange: Mapping[str, Any] | None) -> bool:
    """The test's first differing codec answer is a refusal of another class than the
    reference's, for a request whose keys a wrong key order reorders: a broken key
    order (ENC-010) may be its cause, which only the encoder's probe can tell."""
    entries = list(exchange.get("exchanges", [])) if exchange else []
    return any(
        " refuses as " in diagnosis.words and _order_matters(request)
        for request, diagnosis in _answers(entries)
    )


def compared_ids(reason: str, exchange: Mapping[str, Any] | None) -> bool:
    """A failing test compared ids or encodings the implementation computed: its
    exchange holds one (:func:`compares_ids`), or its message names an id."""
    entries = list(exchange.get("exchanges", [])) if exchange else []
    return compares_ids(entries) or _ID_IN_TEXT.search(reason) is not None


def diagnose_failure(
    reason: str, exchange: Mapping[str, Any] | None, encoder: Diagnosis | None = None
) -> Diagnosis | None:
    """The diagnosis of one failing test (see the module's docstring), or None."""
    entries = list(exchange.get("exchanges", [])) if exchange else []
    answers = _answers(entries)
    found = [diagnosis for _, diagnosis in answers]
    if encoder is not None and encoder.rule == "ENC-010":
        for request, diagnosis in answers:
            if " refuses as " in diagnosis.words and _order_matters(request):
                found.insert(0, replace(
                    encoder,
                    words=(
                        f"{diagnosis.words}: checks made in another key order than the "
                        f"canonical one (OBJ-016) find another fault first, and the "
                        f"implementation's encoder breaks ENC-010: {encoder.words}"
                    ),
                ))  # fmt: skip
                break
    message = diagnose_message(reason)
    if message is not None:
        found.append(message)
    if encoder is not None and encoder.rule is not None and compared_ids(reason, exchange):
        found.append(
            replace(
                encoder,
                words=(
                    f"this test compares ids or encodings the implementation computed, and its "
                    f"encoder breaks {encoder.rule}: {encoder.words}"
                ),
            )
        )
    return next((d for d in found if d.rule is not None), found[0] if found else None)
