"""The implementation's encoder, probed once after a failing run (ADP-020.9).

Every id is the hash of an encoding (ID-001), so a wrong encoder fails every test that
compares an id — most of them far from any encoding rule (a step id after a run, a
message id after a send).  After a run with failures, the harness asks the
implementation (when it claims ``codec``) to ``encode`` a few objects and values whose
canonical bytes each rule of the encoding chapter decides — map keys of several lengths
and of several scripts (ENC-010), every kind of object (OBJ-018) — and compares each
answer with the reference's; :func:`encoder_diagnosis` names the first rule the
implementation's bytes break.  The failures whose tests compared ids or encodings the
implementation computed then carry that diagnosis (:func:`._answers.diagnose_failure`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from ..diff._diagnose import Diagnosis, diagnose
from ._answers import reference_answer

__all__ = ["PROBES", "encoder_diagnosis"]

_A: Final = "11" * 32
_B: Final = "22" * 32
#: (command, arguments): objects and values whose canonical bytes each ENC rule decides.
_HEADERS: Final = {"c": "1", "bb": "2", "é": "3", "\ue000": "4", "\U0001f600": "5"}
PROBES: Final[tuple[tuple[str, dict[str, Any]], ...]] = (
    # keys of several UTF-8 lengths, ASCII and not: a plain string sort, a UTF-16 sort
    # and a length-in-characters sort each put them in another order than ENC-010
    ("encode", {"object": {"type": "blob", "headers": _HEADERS, "data": "00"}}),
    ("encode", {"object": {"type": "tree", "entries": {"b": _A, "aa": _B, "é": _A}}}),
    (
        "encode",
        {"object": {"type": "message", "headers": {"mt": "x"}, "content": _A, "previous": _B}},
    ),
    (
        "encode",
        {
            "object": {
                "type": "step",
                "actor": _A,
                "previous": _B,
                "core": _A,
                "inbox": _B,
                "outbox": _A,
            }
        },
    ),
    ("encode", {"object": {"type": "mailbox", "entries": {_A: _B, _B: _A}, "base": _A}}),
    ("decode-value", {"bytes": "a36161016162026361616103"}),  # {"a": 1, "b": 2, "aaa": 3}
    ("decode-value", {"bytes": "8319ffff1a000100001b0000000100000000"}),  # shortest heads
)

#: An implementation's call: command and arguments to its answer (``.ok``, ``.result``).
Call = Callable[..., Any]


def encoder_diagnosis(call: Call) -> Diagnosis | None:
    """The first encoding rule the implementation's answers to :data:`PROBES` break, or
    None when every answer is the reference's (or the implementation cannot be asked).

    ``call(cmd, **args)`` is the implementation's (``Implementation.call``); an answer
    that is refused, or a call that raises, is passed over: the probe judges bytes only.
    """
    for cmd, args in PROBES:
        expected = reference_answer(cmd, args)
        try:
            answer = call(cmd, **args)
        except Exception:  # a broken adapter here says nothing of its bytes
            return None
        if not (answer.ok and expected.get("ok") is True):
            continue
        want, came = expected.get("bytes"), answer.result.get("bytes")
        if not isinstance(came, str) or not isinstance(want, str) or came == want:
            continue
        try:
            found = diagnose(bytes.fromhex(want), bytes.fromhex(came))
        except ValueError:
            continue
        if found is not None and found.rule is not None:
            what = args.get("object", {}).get("type", "value")
            return Diagnosis(
                rule=found.rule,
                words=f"{cmd} of a {what} after the run: {found.words}",
                source="encoder",
            )
    return None
