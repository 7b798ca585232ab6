"""The test actors' rows, byte by byte (WIT-019 … WIT-028), through the adapter.

Each test drives one actor through inputs its table names — edge contents
included — and decodes what it produced: the core entries (their bytes, and whether
the core changed at all), the replies to the outside (``mt``, content bytes, queued
not signalled) and the queries' answers.  Expected values come from the spec's
tables, never from an implementation.
"""

from __future__ import annotations

from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import Clause, check, check_equal, check_error_class, check_type, fail, ok_answer
from .._check_more import check_same, plain

pytestmark = pytest.mark.profile("wit")

OUTSIDE = g.ObjectId(bytes(32))


class Rt:
    """One runtime of the implementation under test, with decoding helpers: what it
    answers is checked under ``clause``, the rule of the commands the test drives."""

    def __init__(self, impl: Implementation, clause: Clause = "ADP-014") -> None:
        self.impl = impl
        self.clause = clause
        self.runtime = str(self.ok("wit-open")["runtime"])
        #: Every ``[actor, class]`` the implementation's ``wit-run`` answers reported failed.
        self.failures: list[list[str]] = []

    def ok(self, cmd: str, **args: Any) -> dict[str, Any]:
        payload: dict[str, Any] = dict(args)
        if cmd != "wit-open":
            payload["runtime"] = self.runtime
        return ok_answer(self.impl.call(cmd, **payload), self.clause)

    def genesis(self, actor: str, **state: bytes) -> str:
        hexed = {k: v.hex() for k, v in state.items()}
        return str(self.ok("wit-genesis", actor=actor, state=hexed)["actor"])

    def say(self, to: str, mt: str, data: bytes = b"", **more: Any) -> None:
        self.send(to, mt, {"blob": data.hex(), **more})

    def send(self, to: str, mt: str, content: dict[str, Any]) -> None:
        self.ok("wit-send", to=to, mt=mt, content=content)

    def run(self) -> dict[str, Any]:
        ran = self.ok("wit-run", max_steps=100)
        self.failures.extend(f for f in ran.get("failures", []) if isinstance(f, list))
        return ran

    def obj(self, oid: g.ObjectId | str) -> g.GritObject:
        text = oid if isinstance(oid, str) else oid.hex()
        return g.decode_object(bytes.fromhex(self.ok("wit-object", id=text)["bytes"]))

    def step(self, actor: str) -> g.Step:
        head = self.ok("wit-head", actor=actor).get("step")
        if not isinstance(head, str):
            refused = [f for f in self.failures if f and f[0] == actor]
            why = (
                f"its genesis step was refused: wit-run reported {refused}"
                if refused
                else "no wit-run reported it failed"
            )
            fail(
                self.clause,
                expected=f"a head for actor {actor} after its genesis",
                came=f"wit-head answered step {head!r}; {why}",
                what="the actor's head",
            )
        return check_type(
            self.clause, self.obj(head), g.Step, expected="a step", what=f"the head of {actor}"
        )

    def core(self, actor: str) -> dict[str, g.ObjectId]:
        tree = check_type(
            self.clause,
            self.obj(self.step(actor).core),
            g.Tree,
            expected="a tree",
            what=f"the core of {actor}",
        )
        return dict(tree.entries)

    def entry(self, actor: str, name: str) -> g.Blob:
        return check_type(
            self.clause,
            self.obj(self.core(actor)[name]),
            g.Blob,
            expected="a blob",
            what=f"the entry {name!r} of {actor}'s core",
        )

    def replies(self, actor: str, to: g.ObjectId = OUTSIDE) -> list[tuple[dict[str, str], Any]]:
        """Every message ``actor`` queued to ``to``, oldest first: (headers, decoded content)."""
        step = self.step(actor)
        if step.outbox is None:
            return []
        box = check_type(
            self.clause, self.obj(step.outbox), g.Mailbox, expected="a mailbox",
            what=f"the outbox of {actor}",
        )  # fmt: skip
        at: g.ObjectId | None = box.entries.get(to)
        out = []
        while at is not None:
            message = check_type(
                self.clause, self.obj(at), g.Message, expected="a message",
                what=f"a message of {actor}'s outbox",
            )  # fmt: skip
            out.append((dict(message.headers), self.obj(message.content)))
            at = message.previous
        return out[::-1]

    def query(self, actor: str, name: str) -> bytes | str:
        reply = self.impl.call("wit-query", runtime=self.runtime, actor=actor, name=name)
        if reply.ok:
            return bytes.fromhex(ok_answer(reply, self.clause)["data"])
        return str(reply.error_class)


def _blob(data: bytes) -> g.Blob:
    return g.Blob(data=data)


@pytest.mark.req("WIT-020.1", "WIT-020.4", "WIT-028.7")
@pytest.mark.req("ADP-014", "WIT-020.3")
def test_counter_writes_count_0_at_genesis_and_nothing_for_a_get(impl: Implementation) -> None:
    rt = Rt(impl)
    c = rt.genesis("counter")
    rt.run()
    check_same("WIT-020.4", _blob(b"0"), rt.entry(c, "count"), "a counter without count writes 0")
    core = rt.step(c).core
    rt.say(c, "get")
    rt.run()
    check_same("WIT-020.4", core, rt.step(c).core, "the core after a get-only transition")
    check_same(
        "WIT-020.3",
        [({"mt": "count"}, _blob(b"0"))],
        rt.replies(c),
        "the replies to get: the count, queued",
    )


@pytest.mark.req("WIT-020.2", "WIT-020.3", "WIT-028.4", "WIT-028.5", "WIT-028.6", "WIT-028.7")
@pytest.mark.inputs("ascii", "bmp", "empty")
@pytest.mark.req("ADP-014")
def test_counter_amounts(impl: Implementation) -> None:
    rt = Rt(impl)
    c = rt.genesis("counter")
    for data in (b"", b"007", b"x", b" 1", b"1\n", b"+1", b"-1", b"1" * 19, b"\xd9\xa3"):
        rt.say(c, "inc", data)
    rt.send(c, "inc", {"tree": {"n": {"blob": b"5".hex()}}})
    rt.say(c, "get")
    rt.say(c, "inc", b"000000000000000002")  # 18 digits: a decimal
    rt.say(c, "get")
    check_equal("WIT-028.4", [], rt.run()["failures"], "the failures of the run of the incs")
    check_same(
        "WIT-020.2",
        _blob(b"10"),
        rt.entry(c, "count"),
        "the count after 1 (empty) + 7 + 2, the rest no decimal",
    )
    check_same(
        ("WIT-020.3", "WIT-028.5"),
        [({"mt": "count"}, _blob(b"8")), ({"mt": "count"}, _blob(b"10"))],
        rt.replies(c),
        "each get's reply: the count so far as a canonical decimal, queued",
    )


@pytest.mark.req("WIT-020.2", "WIT-020.4", "WIT-020.5")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ADP-014")
def test_counter_bound_and_a_stored_count_kept_as_is(impl: Implementation) -> None:
    rt = Rt(impl)
    top = rt.genesis("counter", count=b"999999999999999998")
    kept = rt.genesis("counter", count=b"007", n=b"1")
    rt.say(top, "inc", b"2")  # would exceed 18 digits: read without effect
    rt.say(top, "inc")
    rt.say(top, "inc")
    rt.say(kept, "get")
    check_equal("WIT-020.2", [], rt.run()["failures"], "the failures of the run")
    check_same(
        "WIT-020.2",
        _blob(b"999999999999999999"),
        rt.entry(top, "count"),
        "the count, kept within 18 digits",
    )
    check_same(
        "WIT-020.4",
        _blob(b"007"),
        rt.entry(kept, "count"),
        "the count no inc added to: its bytes kept",
    )
    check_equal("WIT-020.5", b"007", rt.query(kept, "count"), "the query count: the stored blob")
    check_same(
        "WIT-020.2",
        [({"mt": "count"}, _blob(b"7"))],
        rt.replies(kept),
        "the reply to get: the count 007 as a canonical decimal",
    )
    rt.say(kept, "inc", b"0")
    rt.run()
    check_same(
        "WIT-020.4",
        _blob(b"7"),
        rt.entry(kept, "count"),
        "the count after an inc of 0, added: rewritten canonical",
    )


@pytest.mark.req("WIT-025.1", "WIT-025.2", "WIT-025.3", "WIT-025.4", "WIT-025.5", "WIT-028.7")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.req("ADP-014")
def test_budget_replies_and_writes(impl: Implementation) -> None:
    rt = Rt(impl)
    b = rt.genesis("budget", budget=b"10")
    rt.run()
    core = rt.step(b).core
    for data in (b"lots", b"", b"0"):
        rt.say(b, "spend", data)
    rt.run()
    check_same("WIT-025.4", core, rt.step(b).core, "the core after refusals and a spend of 0")
    for data in (b"007", b"4", b"3"):
        rt.say(b, "spend", data)
    rt.run()
    check_same("WIT-025.2", _blob(b"0"), rt.entry(b, "budget"), "the budget after 7 and 3 spent")
    check_equal("WIT-025.5", b"0", rt.query(b, "budget"), "the query budget")
    check_same(
        "WIT-025.2",
        [
            ({"mt": "refused"}, _blob(b"")),  # not a decimal: the empty blob (WIT-025.3)
            ({"mt": "refused"}, _blob(b"")),
            ({"mt": "granted"}, _blob(b"0")),
            ({"mt": "granted"}, _blob(b"7")),  # the canonical decimal of the amount (WIT-025.2)
            ({"mt": "refused"}, _blob(b"4")),
            ({"mt": "granted"}, _blob(b"3")),
        ],
        rt.replies(b),
        "the replies to the spends, in order",
    )
    none = rt.genesis("budget")
    rt.say(none, "spend", b"0")
    rt.run()
    entries = sorted(rt.core(none))
    check(
        "WIT-025.4",
        "budget" not in entries,
        expected="a core without a budget entry",
        came=entries,
        what="a budget actor created without one, after a spend of 0",
    )
    check_equal("WIT-025.5", b"0", rt.query(none, "budget"), "the query budget's default")


@pytest.mark.req("WIT-019.1", "WIT-028.5")
@pytest.mark.req("ADP-014")
def test_echo_replies_the_same_content_queued_with_mt_only(impl: Implementation) -> None:
    rt = Rt(impl)
    e = rt.genesis("echo")
    tree = {"tree": {"k": {"blob": "00"}}}
    rt.send(e, "m", tree)
    rt.say(e, "n", b"x", headers={"h": "v"})
    rt.run()
    rt.say(e, "o", b"y")
    rt.run()
    check_equal(
        "WIT-028.5",
        [{"mt": "echo"}] * 3,
        [h for h, _ in rt.replies(e)],
        "the headers of echo's replies: one each, queued",
    )
    contents = [c for _, c in rt.replies(e)]
    expected = [
        g.Tree(entries={"k": g.object_id(_blob(b"\x00"))}),
        g.Blob(data=b"x", headers={"h": "v"}),  # the same object, headers and all
        _blob(b"y"),
    ]
    check_same("WIT-019.1", expected, contents, "the contents of echo's replies")
    check_equal("WIT-019.1", ["wit"], sorted(rt.core(e)), "the entries of echo's core")


@pytest.mark.req("WIT-021.1", "WIT-028.6")
@pytest.mark.inputs("ascii", "largest", "past-largest")
@pytest.mark.req("ADP-014")
def test_fanout_sends_per_entry_in_canonical_order(impl: Implementation) -> None:
    rt = Rt(impl)
    f, e = rt.genesis("fanout"), rt.genesis("echo")
    content = {
        "tree": {
            "b": {"blob": e.encode().hex()},
            "a": {"blob": e.encode().hex()},
            "c": {"blob": e.upper().encode().hex()},  # uppercase: names no actor
            "d": {"blob": (e + "\n").encode().hex()},
        }
    }
    rt.send(f, "fanout", content)
    rt.run()
    fanned = rt.replies(f, g.ObjectId.from_hex(e))
    check_equal(
        "WIT-021.1",
        [{"mt": "fanned"}] * 2,
        [h for h, _ in fanned],
        "the messages fanout queued to echo: for entries a and b, chained",
    )
    check_equal("WIT-021.1", ["wit"], sorted(rt.core(f)), "the entries of fanout's core")


@pytest.mark.req("WIT-022.1", "WIT-012.4")
@pytest.mark.req("ADP-014")
def test_spawner_sends_genesis_for_any_content(impl: Implementation) -> None:
    rt = Rt(impl)
    s = rt.genesis("spawner")
    rt.say(s, "spawn", b"not a core")
    run = rt.run()
    child = g.object_id(_blob(b"not a core"))
    check(
        ("WIT-012.4", "ADP-014"),
        [child.hex(), "invalid-genesis"] in run["failures"],
        expected=f"the failure [{child.hex()}, invalid-genesis] among the run's",
        came=run["failures"],
        what="the failures of the run: the child's genesis",
    )
    check_same(
        "WIT-022.1",
        [({"mt": "genesis"}, _blob(b"not a core"))],
        rt.replies(s, child),
        "what spawner queued to the child",
    )
    check_same(
        "WIT-022.1",
        [({"mt": "spawned"}, _blob(child.hex().encode()))],
        rt.replies(s),
        "spawner's reply: the child's id as text",
    )


@pytest.mark.req("WIT-023.1", "WIT-023.2")
@pytest.mark.inputs("ascii")
@pytest.mark.req("ADP-014")
@pytest.mark.req("CONV-004")
def test_updater_copies_the_name_unchecked(impl: Implementation) -> None:
    rt = Rt(impl)
    u = rt.genesis("updater")
    rt.say(u, "set-code", b"echo", headers={"x": "y"})
    rt.say(u, "set-code", b"\xff")
    check_equal("WIT-023.2", [], rt.run()["failures"], "the failures of the set-code run")
    check_same(
        "WIT-023.1",
        g.Blob(data=b"\xff", headers={"runtime": "test-actor"}),
        rt.entry(u, "wit"),
        "updater's wit after the last set-code",
    )
    rt.say(u, "m", b"x")
    check_equal(
        ("WIT-023.2", "ADP-014"),
        [[u, "unknown-wit"]],
        rt.run()["failures"],
        "the failures of the next run, which runs the name",
    )
    check_error_class(
        "WIT-023.2",
        "unknown-wit",
        rt.query(u, "wut"),
        "the query wut of an actor whose wit names no test actor",
    )


@pytest.mark.req("WIT-026.1", "WIT-026.2", "WIT-026.3")
@pytest.mark.req("ADP-014")
def test_requester_keeps_any_object_as_answer(impl: Implementation) -> None:
    rt = Rt(impl)
    r = rt.genesis("requester")
    rt.run()
    check_equal("WIT-026.3", b"", rt.query(r, "answer"), "the query answer before any answer")
    tree = {"tree": {"k": {"blob": "01"}}}
    rt.send(r, "echo", tree)
    rt.run()
    check_same(
        "WIT-026.2",
        g.object_id(g.Tree(entries={"k": g.object_id(_blob(b"\x01"))})),
        rt.core(r)["answer"],
        "requester's answer entry: the echo's content",
    )
    check_equal("WIT-026.3", b"", rt.query(r, "answer"), "the query answer of a tree answer")
    rt.say(r, "echo", b"a", headers={"h": "v"})
    rt.run()
    check_equal("WIT-026.3", b"a", rt.query(r, "answer"), "the query answer of a blob answer")


@pytest.mark.req("WIT-028.9", "WIT-017.3")
@pytest.mark.inputs("ascii", "mixed-case")
@pytest.mark.parametrize(
    ("actor", "answers"),
    [
        ("echo", ()),
        ("counter", ("count",)),
        ("fanout", ()),
        ("spawner", ()),
        ("updater", ()),
        ("budget", ("budget",)),
        ("requester", ("answer",)),
    ],
)
@pytest.mark.req("CONV-004")
def test_each_actor_answers_exactly_its_queries(
    impl: Implementation, actor: str, answers: tuple[str, ...]
) -> None:
    rt = Rt(impl, "WIT-028.9")
    a = rt.genesis(actor)
    rt.run()
    for name in ("count", "budget", "answer", "nope", "Count"):
        got = rt.query(a, name)
        if name in answers:
            check(
                "WIT-028.9",
                isinstance(got, bytes),
                expected="a blob",
                came=f"error {got!s}" if isinstance(got, str) else got,
                what=f"{actor}'s query {name!r}",
            )
        else:
            check_error_class(
                "WIT-017.3", "unknown-query", got, f"{actor}'s query {name!r}, not its"
            )


@pytest.mark.req("WIT-017.1", "WIT-020.5")
@pytest.mark.req("ADP-014")
def test_a_query_runs_no_pending_message(impl: Implementation) -> None:
    """A query reads the head as it is: a pending ``inc`` stays pending, the head stays."""
    rt = Rt(impl)
    c = rt.genesis("counter", count=b"4")
    rt.run()
    head = rt.ok("wit-head", actor=c)["step"]
    rt.say(c, "inc", b"3")
    check_equal(
        "WIT-017.1",
        b"4",
        rt.query(c, "count"),
        "the query count, from the head, not after the pending inc",
    )
    check_equal("WIT-017.1", head, rt.ok("wit-head", actor=c)["step"], "the head after a query")
    check_equal("WIT-017.1", b"4", rt.query(c, "count"), "the query count again, inc not acted on")
    rt.run()
    check_same(
        "WIT-020.5",
        _blob(b"7"),
        rt.entry(c, "count"),
        "the count after the run: the inc still pending, acted on once",
    )


@pytest.mark.req("WIT-028.8")
@pytest.mark.parametrize(
    ("actor", "state", "message", "changed"),
    [
        ("counter", {"count": b"1"}, ("inc", b"2"), "count"),
        ("budget", {"budget": b"5"}, ("spend", b"1"), "budget"),
        ("requester", {}, ("echo", b"x"), "answer"),
    ],
)
@pytest.mark.req("ADP-014")
def test_entries_no_row_names_keep_their_ids(
    impl: Implementation,
    actor: str,
    state: dict[str, bytes],
    message: tuple[str, bytes],
    changed: str,
) -> None:
    """Entries the actor's rows do not name survive every step with their ids (WIT-028.8)."""
    rt = Rt(impl)
    a = rt.genesis(actor, keep=b"kept", zz=b"", **state)
    rt.run()
    before = rt.core(a)
    rt.say(a, *message)
    rt.run()
    after = rt.core(a)
    check(
        "WIT-028.8",
        after[changed] != before.get(changed),
        expected=f"the entry {changed!r} changed by the {message[0]}",
        came=f"the same id {plain(after[changed])}",
        what=f"{actor}'s entry {changed!r}",
    )
    for name in ("keep", "zz", "wit"):
        check_same("WIT-028.8", before[name], after[name], f"{actor}'s entry {name!r}, kept")
    check_equal(
        "WIT-028.8",
        sorted(set(before) | {changed}),
        sorted(after),
        f"the entries of {actor}'s core: only {changed!r} changed",
    )
