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

from .._check import check, check_equal

pytestmark = pytest.mark.profile("wit")

OUTSIDE = g.ObjectId(bytes(32))


class Rt:
    """One runtime of the implementation under test, with decoding helpers."""

    def __init__(self, impl: Implementation) -> None:
        self.impl = impl
        self.runtime = str(self.ok("wit-open")["runtime"])
        #: Every ``[actor, class]`` the implementation's ``wit-run`` answers reported failed.
        self.failures: list[list[str]] = []

    def ok(self, cmd: str, **args: Any) -> dict[str, Any]:
        payload: dict[str, Any] = dict(args)
        if cmd != "wit-open":
            payload["runtime"] = self.runtime
        reply = self.impl.call(cmd, **payload)
        assert reply.ok, f"{cmd} {args}: expected success, got {reply}"
        result: dict[str, Any] = reply.result
        return result

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
            raise AssertionError(
                f"the implementation has no head for actor {actor} after its genesis "
                f"(wit-head answered step {head!r}); {why} (ADP-014)"
            )
        step = self.obj(head)
        assert isinstance(step, g.Step)
        return step

    def core(self, actor: str) -> dict[str, g.ObjectId]:
        tree = self.obj(self.step(actor).core)
        assert isinstance(tree, g.Tree)
        return dict(tree.entries)

    def entry(self, actor: str, name: str) -> g.Blob:
        blob = self.obj(self.core(actor)[name])
        assert isinstance(blob, g.Blob)
        return blob

    def replies(self, actor: str, to: g.ObjectId = OUTSIDE) -> list[tuple[dict[str, str], Any]]:
        """Every message ``actor`` queued to ``to``, oldest first: (headers, decoded content)."""
        step = self.step(actor)
        if step.outbox is None:
            return []
        box = self.obj(step.outbox)
        assert isinstance(box, g.Mailbox)
        at: g.ObjectId | None = box.entries.get(to)
        out = []
        while at is not None:
            message = self.obj(at)
            assert isinstance(message, g.Message)
            out.append((dict(message.headers), self.obj(message.content)))
            at = message.previous
        return out[::-1]

    def query(self, actor: str, name: str) -> bytes | str:
        reply = self.impl.call("wit-query", runtime=self.runtime, actor=actor, name=name)
        return bytes.fromhex(reply.result["data"]) if reply.ok else str(reply.error["class"])


def _blob(data: bytes) -> g.Blob:
    return g.Blob(data=data)


@pytest.mark.req("WIT-020.1", "WIT-020.4", "WIT-028.7")
@pytest.mark.req("ADP-014", "WIT-020.3")
def test_counter_writes_count_0_at_genesis_and_nothing_for_a_get(impl: Implementation) -> None:
    rt = Rt(impl)
    c = rt.genesis("counter")
    rt.run()
    assert rt.entry(c, "count") == _blob(b"0"), "a counter without count writes 0 (WIT-020.4)"
    core = rt.step(c).core
    rt.say(c, "get")
    rt.run()
    assert rt.step(c).core == core, "a get-only transition writes nothing (WIT-020.4)"
    assert rt.replies(c) == [({"mt": "count"}, _blob(b"0"))], "get replies the count (WIT-020.3)"


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
    assert rt.run()["failures"] == []
    assert rt.entry(c, "count") == _blob(b"10"), "1 (empty) + 7 + 2; the rest is no decimal"
    assert rt.replies(c) == [({"mt": "count"}, _blob(b"8")), ({"mt": "count"}, _blob(b"10"))], (
        "each get replies the count so far as a canonical decimal, queued (WIT-020.3, WIT-028.5)"
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
    assert rt.run()["failures"] == []
    assert rt.entry(top, "count") == _blob(b"999999999999999999"), (
        "the count stays within 18 digits"
    )
    assert rt.entry(kept, "count") == _blob(b"007"), "no inc added: count keeps its bytes"
    assert rt.query(kept, "count") == b"007", "the query answers the stored blob (WIT-020.5)"
    assert rt.replies(kept) == [({"mt": "count"}, _blob(b"7"))]
    rt.say(kept, "inc", b"0")
    rt.run()
    assert rt.entry(kept, "count") == _blob(b"7"), "an inc of 0 is added: count rewritten"


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
    assert rt.step(b).core == core, "refusals and a spend of 0 write nothing (WIT-025.4)"
    for data in (b"007", b"4", b"3"):
        rt.say(b, "spend", data)
    rt.run()
    assert rt.entry(b, "budget") == _blob(b"0")
    assert rt.query(b, "budget") == b"0"
    assert rt.replies(b) == [
        ({"mt": "refused"}, _blob(b"")),  # not a decimal: the empty blob (WIT-025.3)
        ({"mt": "refused"}, _blob(b"")),
        ({"mt": "granted"}, _blob(b"0")),
        ({"mt": "granted"}, _blob(b"7")),  # the canonical decimal of the amount (WIT-025.2)
        ({"mt": "refused"}, _blob(b"4")),
        ({"mt": "granted"}, _blob(b"3")),
    ]
    none = rt.genesis("budget")
    rt.say(none, "spend", b"0")
    rt.run()
    assert "budget" not in rt.core(none), "a budget created without one never writes it"
    assert rt.query(none, "budget") == b"0", "the query's default (WIT-025.5)"


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
    assert [h for h, _ in rt.replies(e)] == [{"mt": "echo"}] * 3, "one reply each, queued"
    contents = [c for _, c in rt.replies(e)]
    assert contents == [
        g.Tree(entries={"k": g.object_id(_blob(b"\x00"))}),
        g.Blob(data=b"x", headers={"h": "v"}),  # the same object, headers and all
        _blob(b"y"),
    ]
    assert set(rt.core(e)) == {"wit"}, "echo writes no entry"


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
    assert [h for h, _ in fanned] == [{"mt": "fanned"}] * 2, "entries a and b, chained"
    assert set(rt.core(f)) == {"wit"}


@pytest.mark.req("WIT-022.1", "WIT-012.4")
@pytest.mark.req("ADP-014")
def test_spawner_sends_genesis_for_any_content(impl: Implementation) -> None:
    rt = Rt(impl)
    s = rt.genesis("spawner")
    rt.say(s, "spawn", b"not a core")
    run = rt.run()
    child = g.object_id(_blob(b"not a core"))
    check(
        ("WIT-022.1", "WIT-012.4", "ADP-014"),
        [child.hex(), "invalid-genesis"] in run["failures"],
        expected=f"wit-run failures holding [{child.hex()}, invalid-genesis]: the spawned "
        "genesis of content that is no core fails",
        came=run,
    )
    assert rt.replies(s, child) == [({"mt": "genesis"}, _blob(b"not a core"))]
    assert rt.replies(s) == [({"mt": "spawned"}, _blob(child.hex().encode()))]


@pytest.mark.req("WIT-023.1", "WIT-023.2")
@pytest.mark.inputs("ascii")
@pytest.mark.req("ADP-014")
def test_updater_copies_the_name_unchecked(impl: Implementation) -> None:
    rt = Rt(impl)
    u = rt.genesis("updater")
    rt.say(u, "set-code", b"echo", headers={"x": "y"})
    rt.say(u, "set-code", b"\xff")
    assert rt.run()["failures"] == []
    assert rt.entry(u, "wit") == g.Blob(data=b"\xff", headers={"runtime": "test-actor"})
    rt.say(u, "m", b"x")
    check_equal(
        ("WIT-023.2", "ADP-014"),
        [[u, "unknown-wit"]],
        rt.run()["failures"],
        "wit-run failures: the next transition runs the name",
    )
    assert rt.query(u, "wut") == "unknown-wit", "no test actor answers its queries (WIT-023.2)"


@pytest.mark.req("WIT-026.1", "WIT-026.2", "WIT-026.3")
@pytest.mark.req("ADP-014")
def test_requester_keeps_any_object_as_answer(impl: Implementation) -> None:
    rt = Rt(impl)
    r = rt.genesis("requester")
    rt.run()
    assert rt.query(r, "answer") == b"", "no answer yet: the empty blob"
    tree = {"tree": {"k": {"blob": "01"}}}
    rt.send(r, "echo", tree)
    rt.run()
    assert rt.core(r)["answer"] == g.object_id(g.Tree(entries={"k": g.object_id(_blob(b"\x01"))}))
    assert rt.query(r, "answer") == b"", "an answer that is no blob: the empty blob"
    rt.say(r, "echo", b"a", headers={"h": "v"})
    rt.run()
    assert rt.query(r, "answer") == b"a"


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
def test_each_actor_answers_exactly_its_queries(
    impl: Implementation, actor: str, answers: tuple[str, ...]
) -> None:
    rt = Rt(impl)
    a = rt.genesis(actor)
    rt.run()
    for name in ("count", "budget", "answer", "nope", "Count"):
        got = rt.query(a, name)
        if name in answers:
            assert isinstance(got, bytes), f"{actor} must answer {name!r}: {got}"
        else:
            assert got == "unknown-query", f"{actor} must not answer {name!r}: {got!r}"


@pytest.mark.req("WIT-017.1", "WIT-020.5")
@pytest.mark.req("ADP-014")
def test_a_query_runs_no_pending_message(impl: Implementation) -> None:
    """A query reads the head as it is: a pending ``inc`` stays pending, the head stays."""
    rt = Rt(impl)
    c = rt.genesis("counter", count=b"4")
    rt.run()
    head = rt.ok("wit-head", actor=c)["step"]
    rt.say(c, "inc", b"3")
    assert rt.query(c, "count") == b"4", "the query answers from the head, not after the inc"
    assert rt.ok("wit-head", actor=c)["step"] == head, "a query creates no step (WIT-017.1)"
    assert rt.query(c, "count") == b"4", "and the inc is still not acted on"
    rt.run()
    assert rt.entry(c, "count") == _blob(b"7"), "the inc was still pending, acted on once"


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
    assert after[changed] != before.get(changed), f"the {message[0]} changed {changed!r}"
    for name in ("keep", "zz", "wit"):
        assert after[name] == before[name], f"{actor} must keep the entry {name!r} (WIT-028.8)"
    assert set(after) == set(before) | {changed}, f"{actor} changed only {changed!r}"
