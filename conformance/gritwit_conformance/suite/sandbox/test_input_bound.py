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
from ._sandbox_texts import _head_core, _wit_genesis, _wit_run

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
    runtime, actor = _wit_genesis(impl, LOG, "SBX-010.5", "the logger's genesis transition")
    big = bytes(range(256)) * (15 << 12)  # 15 MiB
    expected: list[list[tuple[str, int | None]]] = []
    for extra in (0, 1):
        first = _send(impl, runtime, actor, "big", big)
        mt, data = _filler(_size("big", big), extra)
        second = _send(impl, runtime, actor, mt, data)
        third = _send(impl, runtime, actor, "small", b"x")
        _, failures = _wit_run(impl, runtime, "SBX-010.5")
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
    _, failures = _wit_run(impl, runtime, "SBX-010.6")
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


def _omitted_size(message: str, content: str, size: int) -> int:
    """The bytes of an omitted message's own object as SBX-010.4 writes it (SBX-010.6)."""
    entry: Json = {
        "id": message,
        "from": OUTSIDE,
        "headers": {},
        "content": content,
        "data": None,
        "omitted": "too-large",
        "size": size,
    }
    return len(json.dumps(entry, sort_keys=True, separators=(",", ":")))


@pytest.mark.req("SBX-010.5", "SBX-010.6", "SBX-012.1", "SBX-010.2")
def test_a_message_of_exactly_the_bound_is_whole_and_an_omitted_one_counts_its_own_size(
    impl: Implementation,
) -> None:
    """A message whose size is exactly the input bound is handed whole, not omitted: only
    one *larger* than the bound is (SBX-010.6). An omitted message counts against the bound
    by its omitted object's own size: after it, a message of the bound less that size is
    handed in the same transition, one of a byte more waits for the next."""
    runtime, actor = _wit_genesis(impl, LOG, "SBX-010.5", "the logger's genesis transition")
    huge = b"\x00" * ((16 << 20) - 64)  # the largest blob: its encoding within 16 MiB
    wide = len(base64.b64encode(huge))
    exact_mt = "e" * (BOUND - _size("", huge))
    suite_premise(_size(exact_mt, huge) == BOUND, "the message's size is the bound exactly")
    exact = _send(impl, runtime, actor, exact_mt, huge)
    _, failures = _wit_run(impl, runtime, "SBX-010.6")
    check_equal("SBX-010.6", {}, failures, "the failures of the transition of the bound's size")
    content = g.object_id(g.Blob(data=huge)).hex()
    expected: list[list[list[Any]]] = [[[exact, wide]]]
    omitted_mt = "o" * (3 << 20)
    for extra in (0, 1):
        omitted = _send(impl, runtime, actor, omitted_mt, huge)
        counted = _omitted_size(omitted, content, _size(omitted_mt, huge))
        filler_mt = "f" * (BOUND - counted + extra - _size("", huge))
        suite_premise(
            _size(filler_mt, huge) == BOUND - counted + extra,
            "the filler leaves the bound less the omitted object's size, or a byte less",
        )
        filler = _send(impl, runtime, actor, filler_mt, huge)
        _, failures = _wit_run(impl, runtime, "SBX-010.6")
        check_equal(
            "SBX-010.6", {}, failures, "the failures of the transitions of an omitted message"
        )
        if extra == 0:  # the omitted object and the filler add up to the bound exactly
            expected += [[[omitted, None], [filler, wide]]]
        else:  # one byte past it: the filler waits
            expected += [[[omitted, None]], [[filler, wide]]]
    log = _log(impl, runtime, actor)
    got = [[[item[0], item[1]] for item in line] for line in log[1:]]
    check_equal(
        "SBX-010.6",
        expected,
        got,
        "the [message id, data length] each transition was handed: a message of exactly the "
        "bound whole, an omitted one counted by its own object's size",
    )
    impl.call("wit-close", runtime=runtime)


#: Sends, at each of its transitions, one message of two headers to the actor ``{to}``.
SENDER = (
    "import json\n"
    "send = {{'to': '{to}', 'headers': {{'mt': 'm', 'x': 'y'}}, 'data': 'aGVsbG8='}}\n"
    "open('/out/sends.json', 'w').write(json.dumps([send]))\n"
)


def _two_headers_size() -> int:
    """The size of the sender's message (SBX-010.5): two headers, the data ``hello``."""
    entry = {
        "id": "0" * 64,
        "from": "0" * 64,
        "headers": {"mt": "m", "x": "y"},
        "content": "0" * 64,
        "data": base64.b64encode(b"hello").decode(),
    }
    return len(json.dumps(entry, sort_keys=True, separators=(",", ":")))


@pytest.mark.req("SBX-010.5", "SBX-010.4", "SBX-012.1", "SBX-010.2")
def test_a_message_of_two_headers_counts_each_of_its_bytes_against_the_bound(
    impl: Implementation,
) -> None:
    """An actor's message of two headers (its object's comma between them counted) beside
    the outside's filler: when the two add up to the bound exactly both are handed in one
    transition, one byte more and they are handed one a transition, the first offered
    first: the sender's when its id is at least the logger's last step's, else the
    outside's, the lowest (the rounds' rotation, SBX-010.5)."""
    runtime = call_ok(impl, "SBX-010.5", "wit-open")["runtime"]
    logger = call_ok(impl, "SBX-010.5", "wit-genesis", runtime=runtime, program=LOG)["actor"]
    stepped, failures = _wit_run(impl, runtime, "SBX-010.5")
    check(
        "SBX-010.5",
        logger in stepped and not failures,
        expected="the logger's genesis transition adopted, no failure",
        came=failures,
        what="the first wit-run's failures",
    )
    program = SENDER.format(to=logger)
    sender = call_ok(impl, "SBX-010.5", "wit-genesis", runtime=runtime, program=program)["actor"]
    used = _two_headers_size()
    huge = b"\x00" * ((16 << 20) - 64)  # the largest blob: its encoding within 16 MiB
    for extra in (0, 1):
        if extra:  # the sender's next transition sends the message again
            _send(impl, runtime, sender, "go", b"")
        one = call_ok(impl, "SBX-010.5", "wit-run", runtime=runtime, max_steps=1)
        check_equal(
            "SBX-010.5",
            [[sender]],
            [[actor] for actor, _ in one["steps"]],
            "the one step of wit-run with max_steps 1: the sender's, which sends to the logger",
        )
        mt = "f" * (BOUND - used + extra - _size("", huge))
        suite_premise(
            _size(mt, huge) == BOUND - used + extra,
            "the filler leaves the bound less the two-header message's size, or a byte less",
        )
        _send(impl, runtime, logger, mt, huge)
        last = call_ok(impl, "SBX-010.5", "wit-head", runtime=runtime, actor=logger)["step"]
        stepped, failures = _wit_run(impl, runtime, "SBX-010.5")
        check_equal(
            "SBX-010.5", {}, failures, "the failures of the transitions of the two messages"
        )
    # the rounds start from the first sender whose id is at least the logger's last step's
    # id, wrapping round to the lowest: that sender's message is handed, the other waits
    first = sender if str(last) <= sender else OUTSIDE
    lengths = {sender: len(base64.b64encode(b"hello")), OUTSIDE: len(base64.b64encode(huge))}
    log = _log(impl, runtime, logger)
    check_equal(
        "SBX-010.5",
        [2, 1, 1],
        [len(line) for line in log[1:]],
        "the messages each transition was handed: the two-header message and a filler of the "
        "bound less its size together, then with a filler of one byte more one at a time",
    )
    check_equal(
        "SBX-010.5",
        [[lengths[first]], [lengths[sender if first == OUTSIDE else OUTSIDE]]],
        [[item[1] for item in line] for line in log[-2:]],
        f"the data lengths of the last two transitions' messages: the rounds offer first "
        f"{'the sender' if first == sender else 'the outside'}, the first at least the last "
        f"step's id {str(last)[:12]}… or the lowest",
    )
    impl.call("wit-close", runtime=runtime)
