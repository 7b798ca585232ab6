"""A requester acts on its senders in unsigned id order (WIT-028.2, WIT-026.2,
ID-005), also across ids that differ at 0x80.  Helpers: :mod:`._geneses_and_senders`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal, suite_premise
from ._geneses_and_senders import OUTSIDE, _core_id, _mine, _Pair, _unsigned, run_settings

pytestmark = pytest.mark.profile("wit")


def _signed(hex_id: str) -> tuple[int, ...]:
    """The wrong rule: bytes compared as signed (two's complement) values."""
    return tuple(b - 256 if b >= 0x80 else b for b in bytes.fromhex(hex_id))


def _echo_states(classes: tuple[str, ...]) -> list[str]:
    """Distinct echo states, one per class."""
    out: list[str] = []
    for klass in classes:
        out.append(_mine("echo", klass, tuple(out)))
    return out


ECHO_CLASSES = ("low", "7f", "7f.lo", "7f.hi", "80", "80.lo", "80.hi", "high", "ff")


def _last_echo(senders: Mapping[str, list[bytes]], key: Callable[[str], Any] = _unsigned) -> bytes:
    """The content the requester keeps: the last echo read, senders in ``key`` order."""
    order = sorted((s for s in senders if senders[s]), key=key)
    return senders[order[-1]][-1]


def _requester_scenario(
    impl: Implementation, classes: tuple[str, ...], asks: list[int], outside: int, high_r: bool
) -> None:
    """Echo actors of ``classes`` each answer ``asks[i]`` questions of one requester; then
    the outside sends ``outside`` echoes; the requester reads all in one transition."""
    pair = _Pair(impl, "WIT-028.2")
    try:
        state = {"n": _mine("requester", "high")} if high_r else {}
        r = str(pair.both("wit-genesis", actor="requester", state=state)["actor"])
        echoes = [
            str(pair.both("wit-genesis", actor="echo", state={"n": n})["actor"])
            for n in _echo_states(classes)
        ]
        start = pair.both("wit-run", max_steps=100)
        check_equal(
            "WIT-028.2",
            sorted([r, *echoes]),
            sorted(a for a, _ in start["steps"]),
            "the actors stepping in the first wit-run: the requester and every echo, each "
            "adopting its genesis",
        )
        senders: dict[str, list[bytes]] = {e: [] for e in echoes}
        plan = [(e, q) for e, count in zip(echoes, asks, strict=True) for q in range(count)]
        for e, q in sorted(plan, key=lambda p: (p[1], p[0][::-1])):  # not in id order
            question = f"{e[:8]}#{q}".encode()
            senders[e].append(question)
            content = {
                "tree": {"to": {"blob": e.encode().hex()}, "question": {"blob": question.hex()}}
            }
            pair.both("wit-send", to=r, mt="ask", content=content)
        asked = pair.both("wit-run", max_steps=1 + len(echoes))
        check_equal(
            "WIT-019.1",
            sorted([r, *echoes]),
            sorted(a for a, _ in asked["steps"]),
            "the actors stepping once the questions are sent: the requester asks (one step), "
            "each echo answers (one step each)",
        )
        senders[OUTSIDE] = []
        for i in range(outside):
            data = f"outside#{i}".encode()
            senders[OUTSIDE].append(data)
            pair.both("wit-send", to=r, mt="echo", content={"blob": data.hex()})
        read, read_ref = pair.call("wit-run", max_steps=100)
        check_equal(
            "WIT-028.2",
            [r],
            [a for a, _ in read.get("steps", [])],
            f"the actors stepping once the echoes are pending: the requester reads every "
            f"pending echo in one transition (wit-run answered {read})",
        )
        want = _last_echo(senders)
        answer, answer_ref = pair.call("wit-query", actor=r, name="answer")
        order = sorted((s[:8] for s in senders if senders[s]), key=lambda s: bytes.fromhex(s))
        check_equal(
            ("WIT-028.2", "ID-005", "WIT-026.2"),
            want.hex(),
            answer.get("data", answer),
            f"the requester's answer, hex: senders {order} (ascending as unsigned bytes, "
            "ID-005): the requester acts on them in that order, each oldest first, and keeps "
            "the last echo read",
        )
        pair.agree("wit-run", {"max_steps": 100}, read, read_ref)
        pair.agree("wit-query", {"actor": r, "name": "answer"}, answer, answer_ref)
    finally:
        pair.close()


#: (echo classes, questions per echo, outside echoes, requester id >= 0x80, signed differs)
SENDER_CASES = [
    (("80",), [1], 1, False, True),
    (("high",), [2], 2, False, True),
    (("ff",), [1], 1, True, True),
    (("7f", "80"), [1, 1], 0, False, True),
    (("7f", "80"), [2, 1], 1, True, True),
    (("low", "ff"), [1, 2], 1, False, True),
    (("80.lo", "80.hi"), [1, 1], 0, False, True),
    (("7f.lo", "7f.hi"), [1, 1], 0, False, True),
    (("80", "high"), [1, 1], 0, False, False),  # same sign: both rules agree
    (("low", "7f"), [2, 2], 1, False, False),
    (("low", "7f.hi", "80.lo", "ff"), [1, 2, 1, 1], 2, False, True),
]


@pytest.mark.req("WIT-028.2", "WIT-026.2", "WIT-019.1", "WIT-028.5", "ID-005")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
@pytest.mark.parametrize(
    ("classes", "asks", "outside", "high_r", "separates"),
    SENDER_CASES,
    ids=["+".join(c[0]) + f"-out{c[2]}{'-highR' * c[3]}" for c in SENDER_CASES],
)
def test_requester_acts_on_senders_in_unsigned_id_order(
    impl: Implementation,
    classes: tuple[str, ...],
    asks: list[int],
    outside: int,
    high_r: bool,
    separates: bool,
) -> None:
    ids = {
        e: _core_id("echo", n=bytes.fromhex(n))
        for e, n in zip(classes, _echo_states(classes), strict=True)
    }
    fake: dict[str, list[bytes]] = {ids[c]: [c.encode()] for c in classes}
    fake[OUTSIDE] = [b"outside"] if outside else []
    # the case tells the rules apart exactly when it says it does
    suite_premise(
        (_last_echo(fake) != _last_echo(fake, _signed)) == separates,
        "the case tells the unsigned and the signed order apart exactly when it says it does",
    )
    _requester_scenario(impl, classes, asks, outside, high_r)


@pytest.mark.req("WIT-028.2", "WIT-026.2", "WIT-019.1", "ID-005")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
@run_settings
@given(
    picked=st.lists(st.sampled_from(ECHO_CLASSES), min_size=1, max_size=4, unique=True),
    asks=st.lists(st.integers(1, 2), min_size=4, max_size=4),
    outside=st.integers(0, 2),
    high_r=st.booleans(),
)
def test_random_senders_in_unsigned_id_order(
    impl: Implementation, picked: list[str], asks: list[int], outside: int, high_r: bool
) -> None:
    _requester_scenario(impl, tuple(picked), asks[: len(picked)], outside, high_r)
