"""A Python actor's input is bounded in bytes (SBX-010.5, SBX-010.6), at the bound's edge.

Messages are sent from the outside with ``wit-send`` and run with ``wit-run``; the program
logs, for each transition, what it was handed.  The expected transitions follow from the
rules alone: a message's size is the length of its object as SBX-010.4 writes it,
computed here with ``json.dumps`` (the ids' text is 64 characters whatever they are), and
its ``mt`` is tuned so that two messages add up to exactly the bound, or one byte more.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, suite_premise
from ._sandbox_texts import _head_core, _wit_run

pytestmark = [pytest.mark.profile("sandbox"), pytest.mark.slow]

Json = dict[str, Any]
OUTSIDE = "00" * 32
#: The input bound of SBX-010.5.
BOUND = 25_165_824

#: Appends one line per transition to ``log``: a JSON list, for each message handed, of
#: its id, its data's length (``null`` for none) and the omitted object itself, if one.
LOG = (
    "import json, os\nt = json.load(open('/input/transition.json'))\n"
    "log = open('log').read() if os.path.exists('log') else ''\n"
    "items = [[m['id'], None if m['data'] is None else len(m['data']),"
    " m if 'omitted' in m else None] for m in t['messages']]\n"
    "open('log', 'w').write(log + json.dumps(items) + '\\n')\n"
)


def _size(mt: str, data: bytes) -> int:
    """The bytes of a message's object in ``messages`` (SBX-010.2, SBX-010.4)."""
    entry = {
        "id": "0" * 64,
        "from": OUTSIDE,
        "headers": {"mt": mt},
        "content": "0" * 64,
        "data": base64.b64encode(data).decode(),
    }
    return len(json.dumps(entry, sort_keys=True, separators=(",", ":")))


def _send(impl: Implementation, runtime: str, actor: str, mt: str, data: bytes) -> str:
    sent = call_ok(
        impl,
        "SBX-010.5",
        "wit-send",
        runtime=runtime,
        to=actor,
        mt=mt,
        content={"blob": data.hex()},
    )
    return str(sent["message"])


def _filler(used: int, extra: int) -> tuple[str, bytes]:
    """A message whose size is ``BOUND - used + extra``: 2 MiB of data, its ``mt`` tuned."""
    data = b"\x07" * (2 << 20)
    mt = "f" * (BOUND - used + extra - _size("", data))
    suite_premise(_size(mt, data) == BOUND - used + extra, "the filler has the size wanted")
    return mt, data


def _log(impl: Implementation, runtime: str, actor: str) -> list[list[list[Any]]]:
    core = _head_core(impl, runtime, actor, "SBX-010.5")
    check("SBX-010.5", "log" in core, expected="a core with the entry log", came=sorted(core))
    text = bytes.fromhex(core["log"]["data"]).decode()
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.req("SBX-010.5", "SBX-010.6", "SBX-012.1", "SBX-010.2")
def test_messages_are_handed_up_to_exactly_the_input_bound_and_a_larger_one_omitted(
    impl: Implementation,
) -> None:
    """Two messages of exactly 24 MiB together are handed in one transition, a third after
    them in the next; two of 24 MiB and one byte in two.  A message whose object alone is
    larger (a blob of nearly 16 MiB beside an ``mt`` of 3 MiB) is handed omitted, exactly
    as SBX-010.6 writes it, with the message after it in the same transition; nothing
    fails."""
    runtime = call_ok(impl, "SBX-010.5", "wit-open")["runtime"]
    actor = call_ok(impl, "SBX-010.5", "wit-genesis", runtime=runtime, program=LOG)["actor"]
    stepped, failures = _wit_run(impl, runtime, "SBX-010.5")
    check(
        "SBX-010.5",
        actor in stepped and not failures,
        expected="the logger's genesis transition adopted, no failure",
        came=failures,
        what="the first wit-run's failures",
    )
    big = bytes(range(256)) * (15 << 12)  # 15 MiB
    expected: list[list[tuple[str, int | None]]] = []
    for extra in (0, 1):
        first = _send(impl, runtime, actor, "big", big)
        mt, data = _filler(_size("big", big), extra)
        second = _send(impl, runtime, actor, mt, data)
        third = _send(impl, runtime, actor, "small", b"x")
        stepped, failures = _wit_run(impl, runtime, "SBX-010.5")
        check_equal(
            "SBX-010.5", {}, failures, "the failures of the transitions of what the outside sent"
        )
        b64 = len(base64.b64encode(big)), len(base64.b64encode(data)), 4
        if extra == 0:  # exactly the bound: one transition, then the third
            expected += [[(first, b64[0]), (second, b64[1])], [(third, b64[2])]]
        else:  # one byte past it: the second (and the third behind it) wait
            expected += [[(first, b64[0])], [(second, b64[1]), (third, b64[2])]]
    huge = b"\x00" * ((16 << 20) - 64)  # the largest blob: its encoding within 16 MiB
    omitted = _send(impl, runtime, actor, "o" * (3 << 20), huge)
    after = _send(impl, runtime, actor, "after", b"y")
    stepped, failures = _wit_run(impl, runtime, "SBX-010.6")
    check_equal("SBX-010.6", {}, failures, "the failures of the transitions of an omitted message")
    log = _log(impl, runtime, actor)
    got = [[[item[0], item[1]] for item in line] for line in log[1:]]
    check_equal(
        "SBX-010.5",
        [[list(pair) for pair in line] for line in expected],
        got[: len(expected)],
        "the [message id, data length] each transition was handed: up to exactly the input bound",
    )
    content = g.object_id(g.Blob(data=huge)).hex()
    want: Json = {
        "id": omitted,
        "from": OUTSIDE,
        "headers": {},
        "content": content,
        "data": None,
        "omitted": "too-large",
        "size": _size("o" * (3 << 20), huge),
    }
    check_equal(
        "SBX-010.6",
        1 + len(expected) + 1,
        len(log),
        "the transitions logged: the genesis, those of the bound, one for the omitted message",
    )
    last = log[-1]
    check_equal(
        "SBX-010.6",
        [omitted, after],
        [item[0] for item in last],
        "the messages of the last transition: the omitted one and the one after it",
    )
    check_equal("SBX-010.6", want, last[0][2], "the omitted message as handed in messages")
    impl.call("wit-close", runtime=runtime)
