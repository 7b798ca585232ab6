"""Competing geneses (WIT-012.3, WIT-012.6): an actor's first transition fails
``invalid-genesis`` only when none of the genesis messages pending for it carries its id,
wherever in a sender's list; duplicates are read alone; near-miss and lone-surrogate
``mt`` are no genesis.  Helpers: :mod:`._geneses_and_senders`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance.data._classes import is_valid_text
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import (
    check,
    check_equal,
    check_type,
    fail,
    suite_premise,
)

from ._geneses_and_senders import OUTSIDE, Json, _core_id, _mine, _Pair, _unsigned, run_settings

pytestmark = pytest.mark.profile("wit")


def _wit(name: str, **headers: str) -> Json:
    return {"blob": name.encode().hex(), "headers": {"runtime": "test-actor", **headers}}


# --------------------------------------------------------------------------- competing geneses

#: A: a counter without state; its id is the id of this core (WIT-002).
A = _core_id("counter")
RIGHT = {"tree": {"wit": _wit("counter")}}
#: Genesis contents that do not carry A's id, each a near miss of another kind.
WRONG: dict[str, Json] = {
    "echo-core": {"tree": {"wit": _wit("echo")}},
    "counter-with-state": {"tree": {"wit": _wit("counter"), "count": {"blob": b"5".hex()}}},
    "id-as-text-blob": {"blob": A.encode().hex()},
    "id-as-raw-blob": {"blob": A},
    "not-a-core": {"tree": {"x": {"blob": "01"}}},
    "other-runtime": {"tree": {"wit": {"blob": b"counter".hex(), "headers": {"runtime": "x"}}}},
    "same-data-more-headers": {"tree": {"wit": _wit("counter", v="2")}},
}
WRONG_NAMES = tuple(WRONG)
#: ``mt`` values that are not ``genesis`` (WIT-012.1: exact bytes), by text class; a message
#: of one carrying A's core is an ordinary message, read without effect (WIT-028.4).
NEAR_MTS: dict[str, tuple[str, ...]] = {
    "ascii": ("genesis ", " genesis", "genesis\n", "genesi", "genesiss", "genesis!"),
    "mixed-case": ("Genesis", "GENESIS", "genesiS"),
    "bmp": ("g\u00e9nesis", "genesis\u00a0", "genesis\ufeff", "genesis\uffff", "\uff47enesis"),
    "astral": ("genesis\U0001f600", "\U0001d420enesis"),
    "nul": ("genesis\x00", "\x00genesis"),
    "empty": ("",),
    # not text: wit-send refuses it, invalid-utf8, and sends nothing (ADP-004.8 pass 2)
    "lone-surrogate": ("genesis\ud800", "\udc00genesis", "genesi\udfffs"),
}
NEAR = tuple(mt for group in NEAR_MTS.values() for mt in group if is_valid_text(mt))


@dataclass
class _Msg:
    """One message of the outside to A, as the model sees it."""

    kind: str  # right, wrong, near, inc, update, other, bare
    signal: bool = False
    amount: int = 0
    note: str = ""


@dataclass
class _Model:
    """What WIT-005, WIT-012 and WIT-013 say A has pending, has read and holds."""

    msgs: list[_Msg] = field(default_factory=list)
    read_upto: int = 0
    spawner_genesis: bool = False  # a right genesis pending from a spawner
    started: bool = False
    count: int = 0
    notes: set[str] = field(default_factory=set)

    def pending(self) -> list[_Msg]:
        """The outside's pending list (WIT-005): after the last read, from the last signal."""
        start = max([self.read_upto] + [i for i, m in enumerate(self.msgs) if m.signal])
        return self.msgs[start:]

    def outcome(self) -> str:
        """What the first transition does now: ``wait``, ``start`` or ``invalid-genesis``."""
        kinds = [m.kind for m in self.pending() if m.kind in ("right", "wrong")]
        if self.spawner_genesis:
            kinds.append("right")
        if not kinds:
            return "wait"  # WIT-012.2
        return "start" if "right" in kinds else "invalid-genesis"  # WIT-012.1, WIT-012.3

    def read_all(self) -> None:
        for m in self.pending():
            self.count += m.amount if m.kind == "inc" else 0
            if m.kind == "update":
                self.notes.add(m.note)
        self.read_upto = len(self.msgs)
        self.spawner_genesis = False


#: A send: (kind, WRONG name or near-miss mt, signal, sent with wit-genesis) — or ("run",).
Op = tuple[Any, ...]


def _setup_spawner(pair: _Pair) -> None:
    """A spawner whose step queues a right genesis to A, A not run yet (ADP-014 step 2a)."""
    spawner = str(pair.both("wit-genesis", actor="spawner", state={"n": "01"})["actor"])
    pair.both("wit-run", max_steps=10)
    pair.both("wit-send", to=spawner, mt="spawn", content=RIGHT)
    run = pair.both("wit-run", max_steps=1)
    ran = [a for a, _ in run["steps"]]
    check_equal("WIT-012.6", [spawner], ran, "the steps of the spawner's run (its step alone)")


def _run_geneses(impl: Implementation, ops: list[Op], spawner: bool, what: str) -> None:
    """Send ``ops`` to A (a run after the last), checking every run against WIT-012.

    Which genesis starts A and what A reads after it depend on the order each sender's
    pending messages are read in, oldest first (WIT-005): a run unlike the reference's
    and A's core are checks of WIT-005 too."""
    pair = _Pair(impl, ("WIT-012.3", "WIT-012.6", "WIT-005"))
    model = _Model()
    try:
        if spawner:
            _setup_spawner(pair)
            model.spawner_genesis = True
        for index, op in enumerate([*ops, ("run",)]):
            if op[0] != "run":
                _send(pair, model, index, op)
                continue
            _check_run(pair, model, what)
        _check_final(pair, model, what)
        pair.settle()
    finally:
        pair.close()


def _send(pair: _Pair, model: _Model, index: int, op: Op) -> None:
    kind, wrong, signal, via_genesis = op
    msg = _Msg(kind=kind, signal=signal)
    if kind == "near" and not is_valid_text(wrong):
        refused: Json = {"to": A, "mt": wrong, "content": RIGHT, "signal": signal}
        got, want = pair.call("wit-send", check=False, **refused)
        what = f"wit-send with mt {wrong!a}: a lone surrogate is no text"
        check_equal("ADP-004.8", {"error": "invalid-utf8"}, got, what)
        pair.agree("wit-send", refused, got, want)
        return  # nothing sent
    if kind == "right" and via_genesis:
        msg.signal = False  # wit-genesis queues (ADP-014)
        answer = pair.both("wit-genesis", actor="counter")
        check_equal("WIT-002", A, answer.get("actor"), "the actor wit-genesis of counter names")
    else:
        args: Json = {"to": A, "signal": signal}
        if kind in ("right", "wrong"):
            args.update(mt="genesis", content=RIGHT if kind == "right" else WRONG[wrong])
        elif kind == "inc":
            msg.amount = index + 1  # distinct contents: no two messages share an id
            args.update(mt="inc", content={"blob": str(msg.amount).encode().hex()})
        elif kind == "update":
            msg.note = f"note{index}"
            args.update(mt="update", content={"tree": {msg.note: {"blob": "01"}}})
        elif kind == "near":  # A's own core under an mt that is not `genesis`
            args.update(mt=wrong, content=RIGHT)
        elif kind == "other":
            args.update(mt="genesis!", content={"blob": f"{index:02x}"})
        else:  # bare: a message without headers
            args.update(content={"blob": f"{index:02x}"})
        pair.both("wit-send", **args)
    model.msgs.append(msg)


def _check_run(pair: _Pair, model: _Model, what: str) -> None:
    expected = "start" if model.started else model.outcome()
    for call in range(8):
        got, want = pair.call("wit-run", max_steps=100)
        mine = [a for a, _ in got.get("steps", [])]
        if call == 0 and not model.started:
            pending = [m.kind for m in model.pending()]
            where = f"{what}: first run with A pending {pending} from the outside" + (
                " and a right genesis from a spawner" if model.spawner_genesis else ""
            )
            shown = {"failures": got.get("failures"), "A stepped": A in mine[:1]}
            if expected == "invalid-genesis":
                check_equal(
                    "WIT-012.3",
                    {"failures": [[A, "invalid-genesis"]], "A stepped": False},
                    shown,
                    f"{where}: no pending genesis carries A's id, so its first transition "
                    "fails invalid-genesis",
                )
            elif expected == "start":
                check_equal(
                    ("WIT-012.3", "WIT-012.6"),
                    {"failures": [], "A stepped": True},
                    shown,
                    f"{where}: a pending genesis carries A's id, so A starts whatever else is "
                    "pending before or after it",
                )
            else:
                check_equal(
                    "WIT-012.2",
                    {"failures": [], "A stepped": False},
                    {**shown, "A stepped": A in mine},
                    f"{where}: no genesis pending, A waits",
                )
        pair.agree_later("wit-run", {"max_steps": 100}, got, want)
        if expected != "start" or not mine:
            break
    if expected == "start":
        model.started = True
        model.read_all()
        check(
            "WIT-012.6",
            not mine,
            expected=f"{what}: A quiescent",
            came="it still runs after 8 runs",
        )


def _check_final(pair: _Pair, model: _Model, what: str) -> None:
    step = pair.head(A, later=True)
    if not model.started:
        check(
            "WIT-012.2",
            step is None,
            expected=f"{what}: no step of A (it never had a right genesis pending)",
            came="a step",
        )
        return
    started = check_type("WIT-012.3", step, g.Step, expected=f"{what}: a head of A, started")
    core = check_type("WIT-002", pair.obj(started.core), g.Tree, expected="A's core a tree")
    check_equal(
        ("WIT-013.4", "WIT-020.4", "WIT-005"),
        sorted({"wit", "count", *model.notes}),
        sorted(core.entries),
        f"{what}: A's core after reading every pending message (the counter's entries and "
        "the notes of the updates it read)",
    )
    count, want = pair.call("wit-query", actor=A, name="count")
    pair.agree_later("wit-query", {"actor": A, "name": "count"}, count, want)
    what = f"{what}: the count (the sum of every inc read)"
    data = bytes.fromhex(str(count.get("data", ""))).decode("utf-8", "replace")
    check_equal(("WIT-020.2", "WIT-005"), str(model.count), data, what)


#: letters of the permutation cases: R/D right (wit-send / wit-genesis), W/X misaddressed,
#: I an inc, U an update, O a message of another mt, B one without headers.
_LETTER = {
    "R": ("right", "", False, False),
    "D": ("right", "", False, True),
    "I": ("inc", "", False, False),
    "U": ("update", "", False, False),
    "O": ("other", "", False, False),
    "B": ("bare", "", False, False),
}


def _ops(word: str, salt: int = 0) -> list[Op]:
    """``word``'s sends: W and X misaddressed of two kinds picked by ``salt``; ``!`` after
    a letter signals it; ``|`` is a run."""
    ops: list[Op] = []
    wrongs = 0
    for ch in word:
        if ch == "|":
            ops.append(("run",))
        elif ch == "!":
            kind, wrong, _, _ = ops[-1]
            ops[-1] = (kind, wrong, True, False)
        elif ch in "WX":
            name = WRONG_NAMES[(salt + 3 * wrongs + (ch == "X")) % len(WRONG_NAMES)]
            wrongs += 1
            ops.append(("wrong", name, False, False))
        else:
            ops.append(("N",) if ch == "N" else _LETTER[ch])
    return ops


def _orders(letters: str) -> list[str]:
    return sorted({"".join(p) for p in itertools.permutations(letters)})


#: every order of two right geneses (one a duplicate, sent with wit-genesis), a
#: misaddressed one, an inc and an update: A always starts
STARTS = _orders("RDWIU")
#: every order of two misaddressed geneses, an inc and an update: A always fails
FAILS = _orders("WXIU")


@pytest.mark.req("WIT-012.3", "WIT-012.6", "WIT-012.1", "WIT-012.5", "WIT-013.3")
@pytest.mark.parametrize("word", STARTS)
@pytest.mark.req("ADP-004.8", "WIT-002", "WIT-012.2", "WIT-013.4", "WIT-020.2", "WIT-020.4")
@pytest.mark.req("WIT-005")
def test_a_right_genesis_anywhere_among_pending_messages_starts_the_actor(
    impl: Implementation, word: str
) -> None:
    _run_geneses(impl, _ops(word, salt=STARTS.index(word)), False, f"order {word}")


@pytest.mark.req("WIT-012.3", "WIT-012.6", "WIT-013.3")
@pytest.mark.parametrize("word", FAILS)
@pytest.mark.req(
    "ADP-004.8", "WIT-002", "WIT-012.1", "WIT-012.2", "WIT-013.4", "WIT-020.2", "WIT-020.4"
)
@pytest.mark.req("WIT-005")
def test_only_misaddressed_geneses_fail_the_first_transition(
    impl: Implementation, word: str
) -> None:
    _run_geneses(impl, _ops(word, salt=FAILS.index(word)), False, f"order {word}")


#: (word, a spawner's right genesis pending too): signals, runs between, two senders
MORE = [
    ("WR!", False),  # the right genesis signalled supersedes the misaddressed one
    ("RW!", False),  # a misaddressed signal supersedes the right genesis: fails
    ("W!R", False),
    ("R!W", False),
    ("WIW!U", False),
    ("W|R", False),  # fails, then starts once the right genesis arrives
    ("W|X|D", False),
    ("WU|IR", False),
    ("IU|W|UR|I", False),
    ("|W|R", False),  # nothing pending: waits (WIT-012.2)
    ("I|U|W", False),
    ("W", True),  # the first sender's genesis is misaddressed, the second's is right
    ("WXW", True),
    ("UW", True),
    ("WUW", True),
    ("IWU", True),
    ("W!", True),
    ("", True),
    ("WR", True),  # two right ones from two senders, a misaddressed one first
]


@pytest.mark.req("WIT-012.3", "WIT-012.6", "WIT-012.2", "WIT-012.1", "WIT-005")
@pytest.mark.parametrize(("word", "spawner"), MORE, ids=[f"{w or '-'}{'+spawner' * s}"
                                                        for w, s in MORE])  # fmt: skip
@pytest.mark.req("ADP-004.8", "WIT-002", "WIT-013.4", "WIT-020.2", "WIT-020.4")
def test_competing_geneses_across_signals_runs_and_senders(
    impl: Implementation, word: str, spawner: bool
) -> None:
    _run_geneses(impl, _ops(word), spawner, f"case {word!r}{' + spawner' * spawner}")


_SIGNAL = st.sampled_from((False, False, False, True))
_SEND = st.one_of(
    st.tuples(st.just("wrong"), st.sampled_from(WRONG_NAMES), _SIGNAL, st.just(False)),
    st.tuples(st.just("near"), st.sampled_from(NEAR), _SIGNAL, st.just(False)),
    st.tuples(
        st.sampled_from(("right", "inc", "update", "other", "bare")),
        st.just(""),
        _SIGNAL,
        st.booleans(),
    ),
    st.just(("run",)),
)


@pytest.mark.req("WIT-012.3", "WIT-012.6", "WIT-012.2", "WIT-012.1", "WIT-012.5", "WIT-013.3")
@pytest.mark.req("WIT-005")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
@run_settings
@given(ops=st.lists(_SEND, min_size=1, max_size=9), spawner=st.booleans())
@pytest.mark.req("ADP-004.8", "WIT-002", "WIT-013.4", "WIT-020.2", "WIT-020.4")
def test_random_competing_geneses(impl: Implementation, ops: list[Op], spawner: bool) -> None:
    _run_geneses(impl, ops, spawner, f"ops {ops}, spawner {spawner}")


#: spawner id classes (all above A's 0x72…, so none runs before A in a round)
SPAWNER_CASES = [("7f", "80"), ("80", "7f"), ("7f.lo", "7f.hi"), ("80.hi", "80.lo", "ff", "7f")]


@pytest.mark.req("ADP-014", "WIT-012.5", "ID-005")
@pytest.mark.inputs("order:signed-bytes", "order:canonical-signed-bytes")
@pytest.mark.parametrize("classes", SPAWNER_CASES, ids=["+".join(c) for c in SPAWNER_CASES])
def test_duplicate_geneses_are_read_alone_senders_in_unsigned_id_order(
    impl: Implementation, classes: tuple[str, ...]
) -> None:
    """Each sender's oldest pending genesis runs alone, the first such sender in id order
    (ADP-014 step 2c): the outside's, then the spawners' by unsigned id."""
    pair = _Pair(impl, "WIT-012.5")
    try:
        states: list[str] = []
        for klass in classes:
            states.append(_mine("spawner", klass, tuple(states)))
        counter = pair.both("wit-genesis", actor="counter")["actor"]
        check_equal("ADP-014", A, counter, "the actor wit-genesis of counter names")
        spawners = [
            str(pair.both("wit-genesis", actor="spawner", state={"n": n})["actor"]) for n in states
        ]
        suite_premise(all(_unsigned(s) > _unsigned(A) for s in spawners), "spawners after A")
        pair.both("wit-run", max_steps=100)
        for s in spawners:
            pair.both("wit-send", to=s, mt="spawn", content=RIGHT)
        sent = pair.both("wit-run", max_steps=len(spawners))
        ran = sorted(a for a, _ in sent["steps"])
        check_equal("ADP-014", sorted(spawners), ran, "the actors of the spawners' run")
        pair.both("wit-send", to=A, mt="genesis", content=RIGHT)  # a duplicate from the outside
        first = pair.head(A)
        check(
            "WIT-012.5",
            first is not None and first.inbox is not None,
            expected="A's first step, with an inbox",
            came=first,
        )
        run = pair.both("wit-run", max_steps=100)
        steps = [sid for a, sid in run["steps"] if a == A]
        what = "A's steps: one per pending duplicate genesis, each read alone"
        check_equal("WIT-012.5", 1 + len(spawners), len(steps), what)
        inboxes: list[dict[str, str]] = []
        for step in [first, *(pair.obj(sid) for sid in steps)]:
            read = check_type("WIT-012.5", step, g.Step, expected="a step of A")
            if read.inbox is None:
                fail("WIT-012.5", expected="a step of A with an inbox", came="none")
            box = check_type("WIT-012.5", pair.obj(read.inbox), g.Mailbox, expected="an inbox")
            inboxes.append({k.hex(): v.hex() for k, v in box.entries.items()})
        moved = [
            [k for k in after if after[k] != before.get(k)]
            for before, after in itertools.pairwise(inboxes)
        ]
        what = "the senders each step of A read (one sender's genesis a step)"
        check_equal("WIT-012.5", [1] * len(moved), [len(m) for m in moved], what)
        want = [OUTSIDE, *sorted(spawners, key=_unsigned)]
        check_equal(
            ("ADP-014", "ID-005"),
            [m[:4] for m in want],
            [m[0][:4] for m in moved],
            "the senders of the duplicate geneses in the order read (ascending unsigned ids)",
        )
    finally:
        pair.close()


#: N is A's own core under a near-miss ``mt``; the first run waits (N, NUN: no genesis
#: pending, WIT-012.2), fails (NW: only a misaddressed one, WIT-012.3) or starts (WNR)
NEAR_CASES = [
    pytest.param("N", marks=pytest.mark.req("WIT-012.2", "WIT-028.4")),
    pytest.param("NUN", marks=pytest.mark.req("WIT-012.2", "WIT-013.3", "WIT-028.4")),
    pytest.param("NW", marks=pytest.mark.req("WIT-012.3")),
    pytest.param("WNR", marks=pytest.mark.req("WIT-012.3", "WIT-012.6")),
]
VALID_NEAR = sorted(c for c in NEAR_MTS if c != "lone-surrogate")


@pytest.mark.req("WIT-012.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "nul", "empty")
@pytest.mark.parametrize("word", NEAR_CASES)
@pytest.mark.parametrize("klass", VALID_NEAR)
@pytest.mark.req("ADP-004.8", "WIT-002", "WIT-013.4", "WIT-020.2", "WIT-020.4")
@pytest.mark.req("WIT-005")
def test_a_near_miss_mt_is_no_genesis(impl: Implementation, klass: str, word: str) -> None:
    for mt in NEAR_MTS[klass]:
        ops = [("near", mt, False, False) if op[0] == "N" else op for op in _ops(word)]
        _run_geneses(impl, ops, False, f"case {word!r}, N with mt {mt!r}")


@pytest.mark.req("WIT-012.1", "WIT-012.2", "ADP-004.8")
@pytest.mark.inputs("lone-surrogate")
@pytest.mark.parametrize("word", ["N", "NW", "NR", "NUN"])
@pytest.mark.req("WIT-002", "WIT-012.3", "WIT-012.6", "WIT-013.4", "WIT-020.2", "WIT-020.4")
@pytest.mark.req("WIT-005")
def test_a_genesis_mt_with_a_lone_surrogate_is_refused_and_sends_nothing(
    impl: Implementation, word: str
) -> None:
    for mt in NEAR_MTS["lone-surrogate"]:
        ops = [("near", mt, False, False) if op[0] == "N" else op for op in _ops(word)]
        _run_geneses(impl, ops, False, f"case {word!r}, N with mt {mt!r}")
