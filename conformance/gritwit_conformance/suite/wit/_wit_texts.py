"""The cases and helpers of the Wit chapter's exact-bytes tests over every input class
(``test_wit_exact_names``, ``test_wit_decimals_and_ids``, and the runtime's
``test_runtime_texts_and_limits``, split by behaviour).

Each exact-bytes rule of chapter 06 — the core entry names ``wit``, ``wit_update`` and
``frozen`` (WIT-001.1, WIT-016), the header name ``runtime`` and its value
``test-actor`` (WIT-001.2, WIT-001.3), a test actor's name (WIT-001.4), ``mt: "update"``
(WIT-013.1), the update function ``replace`` (WIT-014.3), query names (WIT-017.3), an
``mt`` naming no row (WIT-028.4) and what a decimal or a text-form id is (WIT-028.6) —
is fed near misses of the right word of every class of
:mod:`gritwit_conformance.data._classes`: ASCII (a space, a newline, one letter short), mixed
case, the BMP (no-break space, U+FEFF, a fullwidth letter, U+E000, U+FFFF), astral code
points, lone surrogates, NUL and the empty string.  An implementation that compares
case-insensitively, trims, normalises, stops at NUL or at the first invalid code unit
answers one of them differently.  ``set-code`` data (WIT-023.1) is copied unchecked
whatever its class, lone surrogates as the bytes WTF-8 gives them included.

Every input goes through the commands that take it (``wit-genesis`` state names and actor
names, ``wit-send`` content descriptions, headers and ``mt``, ``wit-run``, ``wit-query``,
``wit-object``), and every answer is compared with the in-process reference (WIT-011 fixes
the ids); on top, what the rule decides is asserted from the rule itself: which failure
class, whether the core changed, which reply was sent.  Text that is no valid name or
text (a lone surrogate, NUL or the empty string as an entry name) is refused by the
object rules; the class is then the reference's.

The scenarios are plain functions of a :class:`Twin` so that the runtime profile runs the
same ones through ``rt-*`` (``suite/runtime/test_runtime_texts_and_limits.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation, InProcess
from gritwit_conformance.suite._check import (
    Clause,
    ClauseFailure,
    SuiteBug,
    check,
    check_equal,
    check_type,
    ok_answer,
)

Json = dict[str, Any]
OUTSIDE = "00" * 32
CLASSES = tc.TEXT_CLASSES
TEST_ACTOR = {"runtime": "test-actor"}
#: How many near misses of each class :func:`each` tries through ``rt-*``.
RT_VARIANTS = 3


# --------------------------------------------------------------------------- near misses


def _fullwidth(ch: str) -> str:
    return chr(0xFF00 + ord(ch) - 0x20) if "!" <= ch <= "~" else ch


def near(word: str, cls: str) -> list[str]:
    """Near misses of ``word`` in the text class ``cls``, plus two plain samples of it."""
    w = word
    variants = {
        "ascii": [w + " ", " " + w, w[:-1], w + "\n", w + "s"],
        "mixed-case": [w.capitalize(), w.upper(), w[:-1] + w[-1].upper()],
        "bmp": [w + "\u00a0", "\ufeff" + w, _fullwidth(w[0]) + w[1:], w + "\ue000", w + "\uffff"],
        "astral": [w + "\U0001f600", "\U00010000" + w, w[:-1] + "\U0001d41e"],
        "lone-surrogate": [w + "\ud800", "\udc00" + w, w[:-1] + "\udfff"],
        "nul": [w + "\x00", "\x00" + w, w[:1] + "\x00" + w[1:]],
        "empty": [""],
    }[cls]
    out = [v for v in (*variants, *tc.TEXT_SAMPLES[cls][:2]) if v != w]
    return list(dict.fromkeys(out))


def raw(text: str) -> bytes:
    """``text`` as bytes; a lone surrogate as WTF-8 writes it (not UTF-8)."""
    return text.encode("utf-8", "surrogatepass")


def blob(data: bytes, **headers: str) -> Json:
    """A content description of a blob."""
    return {"blob": data.hex(), "headers": headers} if headers else {"blob": data.hex()}


def wit_of(name: str) -> Json:
    return blob(name.encode(), **TEST_ACTOR)


def core_id(entries: dict[str, g.GritObject]) -> str:
    """The id of the tree with these entries (WIT-002: an actor's id)."""
    return g.object_id(g.Tree(entries={k: g.object_id(v) for k, v in entries.items()})).hex()


def genesis_core_id(actor: str, **state: bytes) -> str:
    """The core ``wit-genesis`` builds (ADP-014)."""
    wit = g.Blob(data=actor.encode(), headers=TEST_ACTOR)
    return core_id({"wit": wit, **{k: g.Blob(data=v) for k, v in state.items()}})


# --------------------------------------------------------------------------- both sides


class Twin:
    """The implementation and a fresh in-process reference, driven in step.

    ``prefix`` is ``wit`` (ADP-014) or ``rt`` (ADP-015, on directories under ``top``).
    Every answer — results, or ``{"error": class}`` — must be the reference's.
    """

    def __init__(self, impl: Implementation, prefix: str = "wit", top: Path | None = None) -> None:
        self.prefix = prefix
        #: the clause every check through this twin judges (the scenario's own sets it)
        self.clause: Clause = "ADP-014" if prefix == "wit" else "ADP-015"
        self.sides: list[tuple[Implementation, str]] = []
        for side, name in ((impl, "impl"), (InProcess(), "ref")):
            if prefix == "wit":
                opened = side.call("wit-open")
            else:
                if top is None:
                    raise SuiteBug("suite bug: a twin of rt-* needs a directory")
                where = top / name
                where.mkdir(parents=True, exist_ok=True)
                # ADP-015: no back-off (RUN-004.8); these tests count attempts, not delays
                opened = side.call("rt-open", path=str(where), first_delay=0)
            runtime = ok_answer(opened, self.clause, f"{prefix}-open of the {name}")["runtime"]
            self.sides.append((side, str(runtime)))

    @staticmethod
    def _answer(side: Implementation, runtime: str, cmd: str, args: Json) -> Json:
        reply = side.call(cmd, check=False, runtime=runtime, **args)
        return dict(reply.result) if reply.ok else {"error": reply.error_class}

    def __call__(self, cmd: str, **args: Any) -> Json:
        """``<prefix>-<cmd>`` on both sides; the implementation must answer as the reference."""
        full = f"{self.prefix}-{cmd}"
        (mine, h_mine), (ref, h_ref) = self.sides
        want = self._answer(ref, h_ref, full, args)
        got = self._answer(mine, h_mine, full, args)
        if got != want:
            shown = json.dumps(args, ensure_ascii=True)[:300]
            clause = self.clause
            if full == "wit-run" and got.get("failures") != want.get("failures"):
                # the classes wit-run lists are its answer's (ADP-014: one class per failed
                # transition, the rule's), beside the rule of the class (the twin's clause)
                judged = (self.clause,) if isinstance(self.clause, str) else tuple(self.clause)
                clause = judged if "ADP-014" in judged else (*judged, "ADP-014")
            elif full == "rt-fork" and got.get("actor") != want.get("actor"):
                # the child's id is its core's (RUN-008.2): the parent's core at the step
                # with the state set and the entry fork added, byte for byte
                judged = (self.clause,) if isinstance(self.clause, str) else tuple(self.clause)
                clause = (*judged, "RUN-008.2")
            check_equal(clause, want, got, f"{full} {shown} (as the reference answers)")
        return got

    def close(self) -> None:
        for side, runtime in self.sides:
            side.call(f"{self.prefix}-close", runtime=runtime)
        self.sides[1][0].kill()

    # -- reading through the implementation's answers (equal to the reference's) ----------

    def run(self) -> Json:
        return self("run", max_steps=50)

    def obj(self, oid: str | g.ObjectId) -> g.GritObject:
        text = oid if isinstance(oid, str) else oid.hex()
        answer = self("object", id=text)
        check(self.clause, "bytes" in answer, expected=f"the object {text}", came=answer)
        return g.decode_object(bytes.fromhex(answer["bytes"]))

    def step(self, actor: str) -> g.Step:
        head = self("head", actor=actor)["step"]
        check(self.clause, head is not None, expected=f"a step of {actor[:12]}…", came="none")
        return check_type(self.clause, self.obj(head), g.Step, expected=f"{actor}'s head a step")

    def core(self, actor: str) -> dict[str, g.ObjectId]:
        core = self.step(actor).core
        tree = check_type(self.clause, self.obj(core), g.Tree, expected=f"the core {core} a tree")
        return dict(tree.entries)

    def replies(self, actor: str, to: str = OUTSIDE) -> list[tuple[dict[str, str], g.ObjectId]]:
        """Every message ``actor`` queued to ``to``, oldest first: (headers, content id)."""
        step = self.step(actor)
        if step.outbox is None:
            return []
        box = check_type(
            self.clause, self.obj(step.outbox), g.Mailbox, expected="the outbox a mailbox"
        )
        at = box.entries.get(g.ObjectId.from_hex(to))
        out = []
        while at is not None:
            message = check_type(
                self.clause, self.obj(at), g.Message, expected=f"{at} of the outbox a message"
            )
            out.append((dict(message.headers), message.content))
            at = message.previous
        return out[::-1]

    def genesis(self, actor: str, **state: bytes) -> str:
        answer = self("genesis", actor=actor, state={k: v.hex() for k, v in state.items()})
        check(self.clause, "actor" in answer, expected=f"the genesis of {actor!a}", came=answer)
        what = f"the id of the genesis of {actor!a} (its core, ADP-014)"
        check_equal(self.clause, genesis_core_id(actor, **state), answer["actor"], what)
        return str(answer["actor"])

    def send(self, to: str, mt: str | None, content: Json) -> Json:
        args: Json = {"to": to, "content": content}
        if mt is not None:
            args["mt"] = mt
        return self("send", **args)

    def started(self, actor: str, **state: bytes) -> str:
        """A test actor created and run to its first step."""
        a = self.genesis(actor, **state)
        stepped(self, self.run(), [a], f"the run after the genesis of {actor!a}")
        return a


def _shown(replies: list[tuple[dict[str, str], g.ObjectId]]) -> list[tuple[str, str]]:
    """Replies as (mt, content id in hex): what a failure shows."""
    return [(headers.get("mt", ""), content.hex()) for headers, content in replies]


def _wit_is(t: Twin, actor: str, data: bytes, what: str) -> None:
    """``actor``'s ``wit`` is a test actor's blob of ``data``."""
    want = g.object_id(g.Blob(data=data, headers=TEST_ACTOR)).hex()
    check_equal(t.clause, want, t.core(actor)["wit"].hex(), f"the id of {what}")


def stepped(t: Twin, run: Json, actors: list[str], what: str) -> None:
    """The run adopted one step of each of ``actors`` and failed nothing."""
    got = {"failures": run.get("failures"), "steps": [x for x, _ in run.get("steps", [])]}
    check_equal(t.clause, {"failures": [], "steps": actors}, got, what)


def refused(t: Twin, answer: Json, why: str) -> None:
    """``answer`` is an error: ``why`` it must be."""
    check(t.clause, "error" in answer, expected=f"an error ({why})", came=answer)


def failed_only(t: Twin, run: Json, actor: str, cls: str) -> None:
    """The run adopted nothing and failed ``actor`` with ``cls`` (WIT chapter classes)."""
    got = {"failures": run.get("failures"), "steps": run.get("steps")}
    what = f"the run: {actor[:12]}… failed {cls}, nothing adopted"
    check_equal(t.clause, {"failures": [[actor, cls]], "steps": []}, got, what)


def each(
    cls: str,
    word: str,
    body: Callable[[Twin, str], None],
    make: Callable[[], Twin],
    clause: Clause,
) -> None:
    """``body`` for every near miss of ``word`` in ``cls``, each on a fresh twin whose
    checks judge ``clause``.

    Through ``rt-*`` only the first three: there a failing transition takes five
    attempts with their back-off (RUN-004.3), and each twin opens two durable stores.
    """
    texts = near(word, cls)
    twin = make()
    if twin.prefix == "rt":
        texts = texts[:RT_VARIANTS]
    for i, text in enumerate(texts):
        twin = twin if i == 0 else make()
        twin.clause = clause
        try:
            body(twin, text)
        except ClauseFailure as exc:
            what = f"with {text!a} ({cls}): {exc.what}"
            raise ClauseFailure(
                exc.clauses, expected=exc.expected, came=exc.came, what=what
            ) from None
        finally:
            twin.close()


# --------------------------------------------------------------------------- scenarios


def entry_names(make: Callable[[], Twin], cls: str) -> None:
    """WIT-001.1: ``wit`` and ``wit_update`` are entries of exactly those bytes."""

    def state_name(t: Twin, name: str) -> None:
        # wit-genesis: any state name but `wit` itself; a near miss is just state
        answer = t("genesis", actor="echo", state={name: "00"})
        if not tc.is_valid_name(name):
            refused(t, answer, "an invalid entry name is refused")
            check_equal(t.clause, [], t.run()["steps"], "a refused genesis sends nothing")
            return
        a = answer["actor"]
        want = core_id(
            {"wit": g.Blob(data=b"echo", headers=TEST_ACTOR), name: g.Blob(data=b"\x00")}
        )
        check_equal(t.clause, want, a, f"the id of the genesis with the state entry {name!a}")
        t.run()
        check_equal(
            t.clause,
            sorted({"wit", name}),
            sorted(t.core(a)),
            "the near miss is an ordinary state entry",
        )
        answer = t("query", actor=a, name="wut")
        check(t.clause, "data" in answer, expected="an echo's wut answer", came=answer)

    def core_without_wit(t: Twin, name: str) -> None:
        # a genesis core whose only entry is a near miss of `wit`: no `wit` (WIT-012.4)
        content = {"tree": {name: wit_of("echo")}}
        if not tc.is_valid_name(name):
            refused(t, t.send("11" * 32, "genesis", content), "an invalid name")
            return
        a = core_id({name: g.Blob(data=b"echo", headers=TEST_ACTOR)})
        t.send(a, "genesis", content)
        failed_only(t, t.run(), a, "invalid-genesis")
        refused(t, t("query", actor=a, name="wut"), "no step: no query")

    def not_an_update_function(t: Twin, name: str) -> None:
        # an update whose near-miss entry is no `wit_update`: the default merge (WIT-013.4)
        e = t.started("echo")
        update = {"tree": {name: wit_of("replace"), "x": blob(b"1")}}
        if not tc.is_valid_name(name):
            refused(t, t.send(e, "update", update), "an update naming an invalid entry")
            return
        t.send(e, "update", update)
        run = t.run()
        stepped(t, run, [e], "the run")
        check_equal(
            t.clause,
            sorted({"wit", name, "x"}),
            sorted(t.core(e)),
            "merged, the near miss kept as an entry",
        )

    for body in (state_name, core_without_wit):
        each(cls, "wit", body, make, "WIT-001.1")
    each(cls, "wit_update", not_an_update_function, make, "WIT-001.1")


def frozen_names(make: Callable[[], Twin], cls: str) -> None:
    """WIT-016: only the entry named exactly ``frozen`` freezes ``wit``, ``wit_update``
    and ``frozen``, only entries of exactly those names are protected."""

    def near_frozen(t: Twin, name: str) -> None:
        answer = t("genesis", actor="updater", state={name: "00"})
        if not tc.is_valid_name(name):
            refused(t, answer, "an invalid entry name")
            return
        u = answer["actor"]
        t.send(u, "set-code", blob(b"echo"))
        run = t.run()
        what = f"the failures of the run ({name!a} is no `frozen` entry: the wit may change)"
        check_equal(t.clause, [], run["failures"], what)
        _wit_is(t, u, b"echo", "the wit after set-code")

    def near_protected(t: Twin, name: str) -> None:
        # a frozen core may gain entries whose names only resemble the protected ones
        e = t.started("echo", frozen=b"\x00")
        update = {"tree": {name: wit_of("counter")}}
        if not tc.is_valid_name(name):
            refused(t, t.send(e, "update", update), "an update naming an invalid entry")
            return
        t.send(e, "update", update)
        run = t.run()
        what = (
            f"the run ({name!a} is not a protected entry: the update of the frozen core is adopted)"
        )
        stepped(t, run, [e], what)
        check_equal(
            t.clause, sorted({"wit", "frozen", name}), sorted(t.core(e)), "the entries of the core"
        )

    each(cls, "frozen", near_frozen, make, "WIT-016")
    for word in ("wit", "wit_update", "frozen"):
        each(cls, word, near_protected, make, "WIT-016")


def runtime_key(make: Callable[[], Twin], cls: str) -> None:
    """WIT-001.2: a `wit` blob without a header named exactly ``runtime`` is malformed."""

    def genesis(t: Twin, key: str) -> None:
        wit = {"blob": b"echo".hex(), "headers": {key: "test-actor"}}
        if not (tc.is_valid_text(key) and key != ""):  # OBJ-006.2: non-empty text
            answer = t.send("11" * 32, "genesis", {"tree": {"wit": wit}})
            refused(t, answer, "an invalid header name is refused")
            return
        a = core_id({"wit": g.Blob(data=b"echo", headers={key: "test-actor"})})
        t.send(a, "genesis", {"tree": {"wit": wit}})
        failed_only(t, t.run(), a, "invalid-genesis")  # WIT-012.4

    def update(t: Twin, key: str) -> None:
        e = t.started("echo")
        wit = {"blob": b"echo".hex(), "headers": {key: "test-actor"}}
        answer = t.send(e, "update", {"tree": {"wit": wit}})
        if not (tc.is_valid_text(key) and key != ""):
            refused(t, answer, "a header name that is empty or no text")
            return
        failed_only(t, t.run(), e, "invalid-transition")  # WIT-007.2

    for body in (genesis, update):
        each(cls, "runtime", body, make, "WIT-001.2")


def runtime_value(make: Callable[[], Twin], cls: str) -> None:
    """WIT-001.3: a ``runtime`` other than exactly ``test-actor`` is unknown."""

    def genesis(t: Twin, value: str) -> None:
        wit = {"blob": b"echo".hex(), "headers": {"runtime": value}}
        if not tc.is_valid_text(value):
            refused(
                t, t.send("11" * 32, "genesis", {"tree": {"wit": wit}}), "a header that is no text"
            )
            return
        a = core_id({"wit": g.Blob(data=b"echo", headers={"runtime": value})})
        t.send(a, "genesis", {"tree": {"wit": wit}})
        failed_only(t, t.run(), a, "unknown-wit")  # well formed, unknown (WIT-012.4)

    def update(t: Twin, value: str) -> None:
        c = t.started("counter")
        wit = {"blob": b"counter".hex(), "headers": {"runtime": value}}
        answer = t.send(c, "update", {"tree": {"wit": wit}})
        if not tc.is_valid_text(value):
            refused(t, answer, "a text that is no text")
            return
        run = t.run()
        stepped(t, run, [c], "the run")  # WIT-029.2
        answer = t("query", actor=c, name="count")
        check_equal(t.clause, {"error": "unknown-wit"}, answer, "the count query of an unknown wit")
        t.send(c, "inc", blob(b""))
        failed_only(t, t.run(), c, "unknown-wit")

    for body in (genesis, update):
        each(cls, "test-actor", body, make, "WIT-001.3")


def actor_names(make: Callable[[], Twin], cls: str) -> None:
    """WIT-001.4 and WIT-023.1: a `wit` naming no test actor, by ``wit-genesis`` and by
    ``set-code`` (whose data is copied unchecked, whatever its class)."""

    def genesis(t: Twin, name: str) -> None:
        answer = t("genesis", actor=name, state={})
        if not tc.is_valid_text(name):
            refused(t, answer, "an actor name that is no text")
            return
        a = answer["actor"]
        check_equal(t.clause, genesis_core_id(name), a, f"the id of the genesis of {name!a}")
        failed_only(t, t.run(), a, "unknown-wit")
        refused(t, t("query", actor=a, name="wut"), "no known wit: no query")

    def set_code(t: Twin, name: str) -> None:
        u = t.started("updater")
        data = raw(name)
        t.send(u, "set-code", blob(data))
        run = t.run()
        stepped(t, run, [u], "the run")
        _wit_is(t, u, data, "the wit after set-code (copied unchecked)")
        answer = t("query", actor=u, name="wut")
        check_equal(t.clause, {"error": "unknown-wit"}, answer, "the wut query of an unknown wit")
        t.send(u, "x", blob(b""))
        failed_only(t, t.run(), u, "unknown-wit")

    for word in ("echo", "counter"):
        each(cls, word, genesis, make, "WIT-001.4")
    each(cls, "echo", set_code, make, "WIT-023.1")


def update_mt(make: Callable[[], Twin], cls: str) -> None:
    """WIT-013.1: only ``mt`` exactly ``update`` is an update; a near miss is an ordinary
    message, which ``echo`` answers and a frozen core does not refuse."""

    def body(t: Twin, mt: str) -> None:
        e = t.started("echo", frozen=b"\x00")
        tree = {"tree": {"wit": wit_of("counter")}}
        answer = t.send(e, mt, tree)
        if not tc.is_valid_text(mt):
            refused(t, answer, "a text that is no text")
            check_equal(t.clause, [], t.run()["steps"], "a refused send sends nothing")
            return
        run = t.run()
        stepped(t, run, [e], "the run (no update, so no frozen-core)")
        _wit_is(t, e, b"echo", "the wit (the core is unchanged)")
        tree_id = core_id({"wit": g.Blob(data=b"counter", headers=TEST_ACTOR)})
        check_equal(t.clause, [("echo", tree_id)], _shown(t.replies(e)), "the echo's replies")

    each(cls, "update", body, make, "WIT-013.1")


def update_function(make: Callable[[], Twin], cls: str) -> None:
    """WIT-014.3: a ``wit_update`` whose name is not exactly ``replace``, or whose
    ``runtime`` is not exactly ``test-actor``, is unknown."""

    def name(t: Twin, text: str) -> None:
        e = t.started("echo")
        update = {"tree": {"wit_update": blob(raw(text), **TEST_ACTOR), "wit": wit_of("echo")}}
        t.send(e, "update", update)
        failed_only(t, t.run(), e, "unknown-wit")

    def runtime(t: Twin, text: str) -> None:
        e = t.started("echo")
        function = {"blob": b"replace".hex(), "headers": {"runtime": text}}
        answer = t.send(e, "update", {"tree": {"wit_update": function, "wit": wit_of("echo")}})
        if not tc.is_valid_text(text):
            refused(t, answer, "a text that is no text")
            return
        failed_only(t, t.run(), e, "unknown-wit")

    each(cls, "replace", name, make, "WIT-014.3")
    each(cls, "test-actor", runtime, make, "WIT-014.3")


def query_names(make: Callable[[], Twin], cls: str) -> None:
    """WIT-017.3: a query name other than exactly one the actor answers is unknown; one
    that is no text (a lone surrogate) is malformed, ``bad-request`` (ADP-004.11)."""
    t = make()
    t.clause = "WIT-017.3"
    try:
        c = t.started("counter")
        count = t("query", actor=c, name="count")
        check_equal(t.clause, b"0".hex(), count.get("data"), "the new counter's count")
        for word in ("count", "wut"):
            for name in near(word, cls):
                # a name that is no text is malformed before any actor reads it
                # (ADP-004.11); a text naming no query of counter's is unknown (WIT-017.3)
                t.clause = "WIT-017.3" if tc.is_valid_text(name) else "ADP-004.11"
                answer = t("query", actor=c, name=name)
                refused(t, answer, f"query {name!a} is none of counter's")
                if t.clause == "WIT-017.3":
                    check_equal("WIT-017.3", {"error": "unknown-query"}, answer, f"query {name!a}")
    finally:
        t.close()


def mt_no_row(make: Callable[[], Twin], cls: str) -> None:
    """WIT-028.4: a message whose ``mt`` is no row's is read without effect."""

    def body(t: Twin, mt: str) -> None:
        c = t.started("counter", count=b"5")
        before = t.step(c)
        answer = t.send(c, mt, blob(b"1"))
        if not tc.is_valid_text(mt):
            refused(t, answer, "a text that is no text")
            return
        run = t.run()
        stepped(t, run, [c], "read, no failure")
        after = t.step(c)
        what = f"the core after {mt!a} (no inc: the core keeps its id)"
        check_equal(t.clause, before.core.hex(), after.core.hex(), what)
        check(
            t.clause,
            after.inbox != before.inbox,
            expected="the message read (the inbox moved)",
            came=f"the inbox still {after.inbox}",
        )
        check_equal(t.clause, [], _shown(t.replies(c)), "the replies (nothing sent)")

    for word in ("inc", "get"):
        each(cls, word, body, make, "WIT-028.4")


def _twin(impl: Implementation) -> Callable[[], Twin]:
    return lambda: Twin(impl, "wit")
