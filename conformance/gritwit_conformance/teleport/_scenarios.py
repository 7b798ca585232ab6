"""The scenarios of the teleport check: what runs before, between and after two moves.

Each scenario runs on a *source* runtime of implementation A, moves one or more
actors to a *target* runtime of implementation B, goes on there, and moves them
back to a fresh *home* runtime of A, going on once more (RUN-009.7).  Every command
is also sent to the reference (:class:`~._mirror.Leg`), which imports the very
bundles that moved, so each answer after a move is what the reference computes
continuing the same bundle.  ``expect`` checks the reference's own answers: that the
scenario really leaves messages in flight, really keeps an image, and so on; if the
reference did not, the check would prove nothing (:class:`~._mirror.SuiteBug`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import gritwit as g

from ..data._paths import wasm_dir
from ._mirror import Leg, SuiteBug

__all__ = ["SCENARIOS", "Scenario", "sandbox_core"]

Json = dict[str, Any]
Names = dict[str, Any]
#: The image actor of the Wasm test actors (WASM-023 … WASM-029), below ``conformance/wasm``.
IMAGE_MODULE: Final = Path("image", "image_counter.wasm")
#: The sandboxed counter of ``vectors/sandbox.json``: adds each ``inc``'s decimal (1 if empty).
SANDBOX_PROGRAM: Final = (
    "import base64, json, os\n"
    "t = json.load(open('/input/transition.json'))\n"
    "n = int(open('count').read()) if os.path.exists('count') else 0\n"
    "for m in t['messages']:\n"
    "    if m['headers'].get('mt') == 'inc':\n"
    "        n += int(base64.b64decode(m['data']).decode() or '1')\n"
    "open('count', 'w').write(str(n))\n"
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One scenario: its three stretches, the profiles it needs, the clauses it checks."""

    name: str
    description: str
    #: Profiles both implementations must claim besides ``runtime`` (ADP-006).
    profiles: tuple[str, ...]
    #: The clauses a different answer after a move breaks.
    requirements: tuple[str, ...]
    #: Runs on the source leg; returns the actors to move, in order.
    source: Callable[[Leg, Names], list[str]]
    #: Runs on the target leg after the move, and on the home leg after the move back.
    target: Callable[[Leg, Names], None]
    home: Callable[[Leg, Names], None]


def _hex(text: str) -> str:
    return text.encode().hex()


def expect(condition: bool, what: str) -> None:
    """A fact about the reference's answers the scenario relies on."""
    if not condition:
        raise SuiteBug(f"the scenario expects {what}, and the reference does otherwise")


def run(leg: Leg, max_steps: int = 50) -> Json:
    return leg("rt-run", max_steps=max_steps)


def send(leg: Leg, actor: str, mt: str, data: str = "") -> None:
    leg("rt-send", to=actor, mt=mt, content={"blob": _hex(data)})


def count(leg: Leg, actor: str) -> int:
    return int(bytes.fromhex(leg("rt-query", actor=actor, name="count")["data"]) or b"0")


def genesis(leg: Leg, **args: Any) -> str:
    actor = str(leg("rt-genesis", **args)["actor"])
    first = run(leg)
    expect(any(a == actor for a, _ in first["steps"]), "a genesis step")
    return actor


def verify(leg: Leg, actor: str) -> None:
    checked = leg("rt-verify", actor=actor)
    expect(checked.get("verified") is True, f"{actor} to verify after the move (RUN-010)")


# --- counter: a Python test actor; what the outside sent and nobody read stays behind -------


def _counter_source(leg: Leg, names: Names) -> list[str]:
    actor = genesis(leg, actor="counter", state={"note": _hex("teleport")})
    for amount in ("2", "3"):
        send(leg, actor, "inc", amount)
        run(leg)
    send(leg, actor, "inc", "100")  # sent, never run here: stays behind (RUN-009.12)
    names["counter"] = actor
    return [actor]


def _counter_on(amount: str, total: int) -> Callable[[Leg, Names], None]:
    def go(leg: Leg, names: Names) -> None:
        actor = names["counter"]
        left = run(leg)  # nothing moved but the history: the unread inc stayed behind
        expect(left["steps"] == [], "no step before a new message (the inc stayed behind)")
        verify(leg, actor)
        # one message per run: an outside's chain that starts anew after a move and is
        # read two at a time would be "another chain" to RUN-010.3 (see the report)
        for mt, data in (("inc", amount), ("get", "")):
            send(leg, actor, mt, data)
            run(leg)
        expect(count(leg, actor) == total, f"the count {total}")

    return go


# --- an actor marked failed: the mark stays behind (RUN-004, RUN-009.12) -------------------


def _failed_source(leg: Leg, names: Names) -> list[str]:
    actor = genesis(leg, actor="updater")
    send(leg, actor, "set-code", "failing")  # its next transitions all fail (WIT-023, WIT-024)
    run(leg)
    send(leg, actor, "poke")
    failed = run(leg)
    expect([a for a, _ in failed["failures"]] == [actor], "the updater marked failed")
    names["failed"] = actor
    return [actor]


def _failed_on(leg: Leg, names: Names) -> None:
    actor = names["failed"]
    mark = leg("rt-ref", name=f"names/failed/{actor}")
    expect(mark["target"] is None, "no failed mark after the move")
    verify(leg, actor)
    send(leg, actor, "poke")
    again = run(leg)  # it runs here, and fails again: five attempts, then the mark
    expect([a for a, _ in again["failures"]] == [actor], "the moved actor failing anew")


# --- requester and echo: messages in flight both ways, cursors moved with the heads --------


def _ask(leg: Leg, requester: str, echo: str, question: str) -> None:
    content = {"tree": {"to": {"blob": _hex(echo)}, "question": {"blob": _hex(question)}}}
    leg("rt-send", to=requester, mt="ask", content=content)


def _answer(leg: Leg, requester: str) -> str:
    return bytes.fromhex(leg("rt-query", actor=requester, name="answer")["data"]).decode()


def _in_flight(leg: Leg, names: Names, question: str) -> None:
    """Ask, and let only the requester's step happen: the question is in flight."""
    _ask(leg, names["requester"], names["echo"], question)
    one = run(leg, max_steps=1)
    expect(
        [a for a, _ in one["steps"]] == [names["requester"]] and not one["quiescent"],
        f"the question {question!r} in flight from requester to echo",
    )


def _pair_source(leg: Leg, names: Names) -> list[str]:
    names["echo"] = genesis(leg, actor="echo")
    names["requester"] = genesis(leg, actor="requester")
    _ask(leg, names["requester"], names["echo"], "first")
    run(leg)
    expect(_answer(leg, names["requester"]) == "first", "the first answer")
    _in_flight(leg, names, "second")  # the echo's cursor is on "first"; "second" is in flight
    return [names["requester"], names["echo"]]


def _pair_on(delivered: str, next_question: str) -> Callable[[Leg, Names], None]:
    def go(leg: Leg, names: Names) -> None:
        for actor in (names["requester"], names["echo"]):
            verify(leg, actor)
        landed = run(leg)  # the question in flight is delivered here, once (RUN-009.11)
        expect(len(landed["steps"]) == 2, "the echo's reply and the requester's step")
        expect(_answer(leg, names["requester"]) == delivered, f"the answer {delivered!r}")
        if next_question:
            _in_flight(leg, names, next_question)  # and one in flight for the next move

    return go


# --- an image actor: its memory chunks move in the bundle (WASM-024) --------------------------


def _image_source(leg: Leg, names: Names) -> list[str]:
    module = (wasm_dir() / IMAGE_MODULE).read_bytes().hex()
    # the genesis runs alone, before the first append: a service (HTTP) runs it as it
    # comes, so a genesis transition that read the append too could not be compared
    actor = genesis(leg, module=module, state={"image": ""})
    for text in ("hello", " world"):
        send(leg, actor, "append", text)
        run(leg)
    names["image"] = actor
    return [actor]


def _image_on(text: str, buffer: str) -> Callable[[Leg, Names], None]:
    def go(leg: Leg, names: Names) -> None:
        actor = names["image"]
        verify(leg, actor)
        send(leg, actor, "append", text)
        run(leg)
        got = bytes.fromhex(leg("rt-query", actor=actor, name="buffer")["data"]).decode()
        expect(got == buffer, f"the buffer {buffer!r}")
        leg("rt-query", actor=actor, name="count")

    return go


# --- a fork child: its bundle carries the parent's history up to the fork (RUN-008) ----------


def _fork_source(leg: Leg, names: Names) -> list[str]:
    parent = genesis(leg, actor="counter")
    send(leg, parent, "inc", "1")
    run(leg)
    at_step = leg("rt-head", actor=parent)["step"]
    send(leg, parent, "inc", "2")
    run(leg)
    child = str(leg("rt-fork", actor=parent, step=at_step, state={"branch": _hex("b")})["actor"])
    send(leg, child, "inc", "10")
    run(leg)
    names["parent"], names["child"] = parent, child
    return [child]


def _fork_on(amount: str, total: int) -> Callable[[Leg, Names], None]:
    def go(leg: Leg, names: Names) -> None:
        parent, child = names["parent"], names["child"]
        expect(leg("rt-head", actor=parent)["step"] is None, "no head for the parent (not moved)")
        verify(leg, child)
        send(leg, child, "inc", amount)
        run(leg)
        expect(count(leg, child) == total, f"the child's count {total}")

    return go


# --- a sandboxed Python actor, spawned by a test actor (SBX-010 … SBX-015) --------------------


def sandbox_core(program: str, interpreter: str) -> tuple[Json, str]:
    """The content description of a sandboxed actor's core (ADP-019.7), and its id."""
    headers = {"interpreter": interpreter, "runtime": "python-wasi", "sandbox": "1"}
    wit = g.Blob(data=program.encode(), headers=headers)
    core = g.Tree(entries={"wit": g.object_id(wit)})
    description = {"tree": {"wit": {"blob": program.encode().hex(), "headers": headers}}}
    return description, g.object_id(core).hex()


def _sandbox_source(leg: Leg, names: Names) -> list[str]:
    interpreter = leg.oracle.call("sandbox-info").result.get("interpreter")
    if not isinstance(interpreter, str):
        raise SuiteBug("the reference answers sandbox-info without an interpreter")
    spawner = genesis(leg, actor="spawner")
    description, actor = sandbox_core(SANDBOX_PROGRAM, interpreter)
    leg("rt-send", to=spawner, mt="spawn", content=description)
    spawned = run(leg)
    expect([a for a, _ in spawned["steps"]] == [spawner, actor], "the spawned actor's genesis")
    send(leg, actor, "inc", "2")
    ran = run(leg)
    expect(ran["failures"] == [] and len(ran["steps"]) == 1, "a step of the sandboxed actor")
    names["sandboxed"] = actor
    return [actor]


def _sandbox_on(amount: str) -> Callable[[Leg, Names], None]:
    def go(leg: Leg, names: Names) -> None:
        actor = names["sandboxed"]
        verify(leg, actor)
        send(leg, actor, "inc", amount)
        ran = run(leg)
        expect(ran["failures"] == [] and len(ran["steps"]) == 1, "a step after the move")
        leg("rt-head", actor=actor)

    return go


#: Every scenario, in the order they run and are reported.
SCENARIOS: Final[dict[str, Scenario]] = {
    s.name: s
    for s in (
        Scenario(
            "counter",
            "a counter (Python test actor) moves; an inc the outside sent before the "
            "export stays behind",
            (),
            ("RUN-009.7", "RUN-009.8", "RUN-009.12"),
            _counter_source,
            _counter_on("4", 9),
            _counter_on("5", 14),
        ),
        Scenario(
            "failed",
            "an actor marked failed moves; the mark stays behind, and it runs and fails anew",
            (),
            ("RUN-009.7", "RUN-009.12"),
            _failed_source,
            _failed_on,
            _failed_on,
        ),
        Scenario(
            "in-flight",
            "a requester and an echo move together with a question in flight at each "
            "export; the echo's cursor moves with its head",
            (),
            ("RUN-009.7", "RUN-009.10", "RUN-009.11"),
            _pair_source,
            _pair_on("second", "third"),
            _pair_on("third", ""),
        ),
        Scenario(
            "image",
            "a Wasm image actor moves; its memory chunks travel in the bundle",
            ("wasm",),
            ("RUN-009.7", "RUN-009.9"),
            _image_source,
            _image_on("!", "hello world!"),
            _image_on("?", "hello world!?"),
        ),
        Scenario(
            "fork",
            "a fork child moves without its parent, its ancestry in its bundle",
            (),
            ("RUN-009.7", "RUN-009.8"),
            _fork_source,
            _fork_on("5", 16),
            _fork_on("6", 22),
        ),
        Scenario(
            "sandbox",
            "a sandboxed Python actor, spawned by a test actor, moves",
            ("sandbox",),
            ("RUN-009.7",),
            _sandbox_source,
            _sandbox_on("3"),
            _sandbox_on("4"),
        ),
    )
}
