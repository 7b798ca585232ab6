"""Suite ``scenarios``: Wit runtimes driven through the adapter protocol (ADP-014, WIT-001 … 027).

Hand-written scenarios for every test actor and every observable rule of the
Wit chapter, then seeded-random ones (:mod:`._scenarios_random`).  Expected
values are recorded from the reference executor (:mod:`._scenario_build`);
values a scenario also declares by hand (counts, failure classes) are checked
against the recording by the generator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from ._format import Group, Suite
from ._scenario_build import Scenario, blob, content_id, core, tree
from ._scenarios_random import random_scenarios
from ._scenarios_updates import genesis_scenarios, update_scenarios

__all__ = ["suite"]

S = Scenario


def _echo() -> list[Scenario]:
    out = []
    s = S("echo/round-trip", "echo replies to one message",
          ("WIT-012.1", "WIT-019", "WIT-011", "WIT-028.1", "WIT-028.3"))  # fmt: skip
    e = s.genesis("echo")
    s.say(e, "hi", "hello")
    s.run(failures=[])
    out.append(s)
    s = S("echo/queue-order", "three queued messages are read in one step, oldest first",
          ("WIT-004", "WIT-005", "WIT-019", "WIT-028.2"))  # fmt: skip
    e = s.genesis("echo")
    for text in ("one", "two", "three"):
        s.say(e, "m", text)
    s.run(failures=[])
    out.append(s)
    s = S("echo/each-message-once", "messages read in one run are not read again in the next",
          ("WIT-005", "WIT-008.1", "WIT-010.2"))  # fmt: skip
    e = s.genesis("echo")
    s.say(e, "m", "a")
    s.run()
    s.say(e, "m", "b")
    s.run()
    s.run()
    out.append(s)
    s = S("echo/signal-supersedes", "a signal supersedes the unread queued messages before it",
          ("WIT-004", "WIT-005"), ("Signal",))  # fmt: skip
    e = s.genesis("echo")
    s.run()
    s.say(e, "m", "a")
    s.say(e, "m", "b")
    s.say(e, "m", "c", signal=True)
    s.run()
    out.append(s)
    s = S("echo/signal-equal-to-last-read", "a signal equal to the last one read is not pending",
          ("WIT-005",), ("Signal",))  # fmt: skip
    e = s.genesis("echo")
    s.run()
    s.say(e, "tick", "same", signal=True)
    s.run()
    s.say(e, "tick", "same", signal=True)
    s.run(failures=[])
    out.append(s)
    s = S("echo/signals-that-differ", "signals that differ are each pending once",
          ("WIT-004", "WIT-005"), ("Signal",))  # fmt: skip
    e = s.genesis("echo")
    s.say(e, "tick", "1", signal=True)
    s.run()
    s.say(e, "tick", "2", signal=True)
    s.run()
    out.append(s)
    s = S("echo/queue-after-signal", "a queued message chains onto a signal", ("WIT-004",),
          ("Signal",))  # fmt: skip
    e = s.genesis("echo")
    s.say(e, "tick", "s", signal=True)
    s.say(e, "m", "q")
    s.run()
    out.append(s)
    s = S("echo/no-message-type", "a message without an mt header is echoed", ("WIT-019",))
    e = s.genesis("echo")
    s.send(e, None, blob("untyped"))
    s.run()
    out.append(s)
    s = S("echo/two-actors-distinct-state", "two echo actors told apart by a state entry",
          ("WIT-002", "WIT-019"))  # fmt: skip
    a, b = s.genesis("echo", n="1"), s.genesis("echo", n="2")
    s.say(a, "m", "to a")
    s.say(b, "m", "to b")
    s.run()
    out.append(s)
    s = S("echo/messages-before-genesis-wait", "messages sent before the genesis wait for it",
          ("WIT-012.2", "WIT-005"))  # fmt: skip
    actor = content_id(core("echo", n="late"))
    s.say(actor, "m", "early")
    s.run(failures=[])
    s.send(actor, "genesis", core("echo", n="late"))
    s.run()
    out.append(s)
    return out


def _counter() -> list[Scenario]:
    out = []
    s = S("counter/inc-get", "inc by default 1 and by 5, then get; count queried twice",
          ("WIT-020", "WIT-017.2"), ("Query",))  # fmt: skip
    c = s.genesis("counter")
    s.say(c, "inc")
    s.say(c, "inc", "5")
    s.say(c, "get")
    s.run(failures=[])
    s.query(c, "count", text="6")
    s.query(c, "count", text="6")
    out.append(s)
    s = S("counter/initial-state", "a counter created with count 10", ("WIT-020",), ("Query",))
    c = s.genesis("counter", count="10")
    s.say(c, "inc", "2")
    s.run()
    s.query(c, "count", text="12")
    out.append(s)
    s = S("counter/unparseable-amount", "an inc whose content is not decimal is read, ignored",
          ("WIT-020",), ("Query",))  # fmt: skip
    c = s.genesis("counter")
    s.say(c, "inc", "x")
    s.say(c, "inc", "3")
    s.run()
    s.query(c, "count", text="3")
    out.append(s)
    s = S("counter/across-runs", "counts accumulate over several steps", ("WIT-020", "WIT-005"),
          ("Query",))  # fmt: skip
    c = s.genesis("counter")
    for amount in ("1", "2", "3"):
        s.say(c, "inc", amount)
        s.run()
    s.say(c, "get")
    s.run()
    s.query(c, "count", text="6")
    out.append(s)
    s = S("counter/signal-inc", "a signalled inc supersedes unread incs", ("WIT-005", "WIT-020"),
          ("Signal", "Query"))  # fmt: skip
    c = s.genesis("counter")
    s.run()
    s.say(c, "inc", "100")
    s.say(c, "inc", "7", signal=True)
    s.run()
    s.query(c, "count", text="7")
    out.append(s)
    s = S("counter/unknown-query", "a query the actor does not answer", ("WIT-017.3",),
          ("Query",))  # fmt: skip
    c = s.genesis("counter")
    s.run()
    s.fails_query(c, "nope", "unknown-query")
    out.append(s)
    s = S("counter/query-is-read-only", "queries create no step: a run after them does nothing",
          ("WIT-017.1", "WIT-017.2"), ("Query",))  # fmt: skip
    c = s.genesis("counter")
    s.say(c, "inc", "4")
    s.run()
    s.query(c, "count", text="4")
    s.query(c, "count", text="4")
    s.run(failures=[])
    out.append(s)
    return out


def _wut() -> list[Scenario]:
    out = []
    for name in ("echo", "counter", "fanout", "spawner", "updater", "budget", "requester"):
        s = S(f"wut/{name}", f"the wut query of {name}", ("WIT-018",), ("Query",))
        a = s.genesis(name)
        s.run()
        s.query(a, "wut")
        out.append(s)
    return out


def _fanout_spawner() -> list[Scenario]:
    out = []
    s = S("fanout/two-echoes", "fanout forwards to two echo actors, which reply to it",
          ("WIT-021", "WIT-019", "WIT-010.1", "WIT-010.2"))  # fmt: skip
    f, a, b = s.genesis("fanout"), s.genesis("echo", n="a"), s.genesis("echo", n="b")
    s.send(f, "fanout", tree(x=blob(a.hex()), y=blob(b.hex())))
    s.run(failures=[])
    out.append(s)
    s = S("fanout/to-counters", "fanned messages are read by counters without effect",
          ("WIT-021", "WIT-020"), ("Query",))  # fmt: skip
    f, c = s.genesis("fanout"), s.genesis("counter")
    s.send(f, "fanout", tree(one=blob(c.hex())))
    s.say(c, "inc", "2")
    s.run()
    s.query(c, "count", text="2")
    out.append(s)
    s = S("fanout/bad-recipient", "entries that are not actor ids are skipped", ("WIT-021",))
    f, e = s.genesis("fanout"), s.genesis("echo")
    s.send(f, "fanout", tree(bad=blob("not an id"), good=blob(e.hex())))
    s.run(failures=[])
    out.append(s)
    s = S("spawner/creates-echo", "spawner sends a genesis; the new actor then echoes",
          ("WIT-022", "WIT-012.1", "WIT-002"), ("Spawn",))  # fmt: skip
    sp = s.genesis("spawner")
    child = s.send(sp, "spawn", core("echo", n="child"))
    s.run(failures=[])
    s.say(child, "m", "hello child")
    s.run()
    out.append(s)
    s = S("spawner/twice", "spawning the same core twice: the second genesis is read over",
          ("WIT-022", "WIT-012.5"), ("Spawn", "DuplicateGenesis"))  # fmt: skip
    sp = s.genesis("spawner")
    s.send(sp, "spawn", core("counter", n="c"))
    s.run()
    s.send(sp, "spawn", core("counter", n="c"))
    s.run(failures=[])
    out.append(s)
    s = S("spawner/message-waits-for-spawn", "a message to an actor not yet spawned waits",
          ("WIT-012.2", "WIT-022"), ("Spawn", "Query"))  # fmt: skip
    sp = s.genesis("spawner")
    child = content_id(core("counter", n="w"))
    s.say(child, "inc", "9")
    s.run(failures=[])
    s.send(sp, "spawn", core("counter", n="w"))
    s.run()
    s.query(child, "count", text="9")
    out.append(s)
    s = S("spawner/spawns-failing", "a spawned failing actor is never created",
          ("WIT-022", "WIT-024"), ("Spawn", "FailedTransition"))  # fmt: skip
    sp = s.genesis("spawner")
    child = s.send(sp, "spawn", core("failing", n="f"))
    s.run(failures=[[child.hex(), "failed"]])
    out.append(s)
    return out


def _failures() -> list[Scenario]:
    out = []
    s = S("failing/messages-stay-pending", "failing never steps; its messages stay pending",
          ("WIT-024", "WIT-006"), ("FailedTransition",))  # fmt: skip
    f = s.genesis("failing")
    s.say(f, "m", "1")
    s.run(failures=[[f.hex(), "failed"]])
    s.say(f, "m", "2")
    s.run(failures=[[f.hex(), "failed"]])
    out.append(s)
    s = S("failing/others-progress", "a failing actor does not stop an echo",
          ("WIT-024", "WIT-006", "WIT-019"), ("FailedTransition",))  # fmt: skip
    f, e = s.genesis("failing"), s.genesis("echo")
    s.say(f, "m", "x")
    s.say(e, "m", "y")
    s.run()
    out.append(s)
    s = S("slow/actors-after-it-run", "an actor after slow in id order still runs",
          ("WIT-027.2", "WIT-027.1", "WIT-020"), ("FailedTransition", "Query"))  # fmt: skip
    w = s.genesis("slow")
    n = next(str(i) for i in range(256) if content_id(core("counter", n=str(i))) > w)
    c = s.genesis("counter", n=n)
    s.say(w, "m", "x")
    s.say(c, "inc", "5")
    s.run(failures=[[w.hex(), "failed"]])
    s.query(c, "count", text="5")
    out.append(s)
    s = S("slow/others-progress", "slow overruns (a failure) while the others keep running",
          ("WIT-027.1", "WIT-027.2", "WIT-006", "WIT-020"),
          ("FailedTransition", "Query"))  # fmt: skip
    w, c = s.genesis("slow"), s.genesis("counter")
    s.say(w, "m", "x")
    s.say(c, "inc", "3")
    s.run(failures=[[w.hex(), "failed"]])
    s.say(c, "inc", "3")
    s.run(failures=[[w.hex(), "failed"]])
    s.query(c, "count", text="6")
    out.append(s)
    s = S("fanout/to-failing-and-echo", "fanout to a failing actor and an echo",
          ("WIT-021", "WIT-024"), ("FailedTransition",))  # fmt: skip
    fo, f, e = s.genesis("fanout"), s.genesis("failing"), s.genesis("echo")
    s.send(fo, "fanout", tree(f=blob(f.hex()), e=blob(e.hex())))
    s.run()
    out.append(s)
    s = S("run/step-limit", "a run stops at max_steps and a later run continues",
          ("WIT-005", "WIT-010.1"), ("StepLimit",))  # fmt: skip
    a, b, c = s.genesis("echo", n="1"), s.genesis("echo", n="2"), s.genesis("echo", n="3")
    for actor in (a, b, c):
        s.say(actor, "m", "x")
    s.run(1)
    s.run(2)
    s.run()
    out.append(s)
    return out


def _budget_requester() -> list[Scenario]:
    out = []
    s = S("budget/double-spend", "two spends of the whole budget: exactly one granted",
          ("WIT-025",), ("Query",))  # fmt: skip
    b = s.genesis("budget", budget="10")
    s.say(b, "spend", "10")
    s.say(b, "spend", "10")
    s.run(failures=[])
    s.query(b, "budget", text="0")
    out.append(s)
    s = S("budget/partial", "spends granted while the budget lasts", ("WIT-025",), ("Query",))
    b = s.genesis("budget", budget="10")
    for amount in ("3", "4", "5"):
        s.say(b, "spend", amount)
    s.run()
    s.query(b, "budget", text="3")
    out.append(s)
    s = S("budget/bad-amount", "an unparseable amount is refused with the empty blob",
          ("WIT-025.3", "WIT-025.4", "WIT-025.5"), ("Query",))  # fmt: skip
    b = s.genesis("budget", budget="1")
    s.say(b, "spend", "lots")
    s.run()
    s.query(b, "budget", text="1")
    out.append(s)
    s = S("budget/double-spend-across-senders", "the two spends come from two spawn-free paths",
          ("WIT-025", "WIT-021"), ("Query",))  # fmt: skip
    b, f = s.genesis("budget", budget="8"), s.genesis("fanout")
    s.send(f, "fanout", tree(b=blob(b.hex())))
    s.say(b, "spend", "8")
    s.run()
    s.query(b, "budget", text="0")
    out.append(s)
    s = S("requester/echo", "requester asks echo; the echoed answer is kept",
          ("WIT-026", "WIT-019", "WIT-010.1", "WIT-010.2"), ("Query",))  # fmt: skip
    r, e = s.genesis("requester"), s.genesis("echo")
    s.send(r, "ask", tree(to=blob(e.hex()), question=blob("why")))
    s.run(failures=[])
    s.query(r, "answer", text="why")
    out.append(s)
    s = S("requester/no-answer-yet", "answer before any echo is empty", ("WIT-026",), ("Query",))
    r = s.genesis("requester")
    s.run()
    s.query(r, "answer", text="")
    out.append(s)
    s = S("requester/two-questions", "the last echoed answer wins", ("WIT-026", "WIT-005"),
          ("Query",))  # fmt: skip
    r, e = s.genesis("requester"), s.genesis("echo")
    s.send(r, "ask", tree(to=blob(e.hex()), question=blob("first")))
    s.send(r, "ask", tree(to=blob(e.hex()), question=blob("second")))
    s.run()
    s.query(r, "answer", text="second")
    out.append(s)
    return out


def _rows() -> list[Scenario]:
    """Edge inputs of the actors' rows: every byte written or sent is fixed (WIT-019 … WIT-028)."""
    out = []
    s = S("rows/counter-writes", "count is written at genesis and when an inc is added, not on get",
          ("WIT-020.1", "WIT-020.3", "WIT-020.4", "WIT-028.7"), ("Query",))  # fmt: skip
    c, kept = s.genesis("counter"), s.genesis("counter", count="007")
    s.run(failures=[])
    s.say(c, "get")
    s.say(kept, "get")
    s.run(failures=[])
    s.query(kept, "count", text="007")
    s.say(kept, "inc", "0")
    s.run(failures=[])
    s.query(kept, "count", text="7")
    out.append(s)
    s = S("rows/counter-amounts", "only 1 to 18 ASCII digits are an amount; the count stays in 18",
          ("WIT-020.2", "WIT-028.4", "WIT-028.6"), ("Query",))  # fmt: skip
    c = s.genesis("counter", count="999999999999999990")
    for text in ("", "007", " 1", "1\n", "+1", "-1", "1" * 19, "\u0663", "5"):
        s.say(c, "inc", text)
    s.send(c, "inc", tree(n=blob("1")))
    s.say(c, "get")
    s.run(failures=[])
    s.query(c, "count", text="999999999999999998")
    out.append(s)
    s = S("rows/budget-replies", "canonical amounts in replies; unchanged budgets are not written",
          ("WIT-025.1", "WIT-025.2", "WIT-025.3", "WIT-025.4", "WIT-025.5"),
          ("Query",))  # fmt: skip
    b, none = s.genesis("budget", budget="10"), s.genesis("budget")
    for text in ("0", "", "x", "007", "4", "1" * 19):
        s.say(b, "spend", text)
    s.say(none, "spend", "0")
    s.run(failures=[])
    s.query(b, "budget", text="3")
    s.query(none, "budget", text="0")
    out.append(s)
    s = S("rows/echo-any-content", "echo replies with the same object, headers and trees included",
          ("WIT-019.1", "WIT-028.5"))  # fmt: skip
    e = s.genesis("echo")
    s.send(e, "m", tree(k=blob("v")))
    s.send(e, "n", blob("x", {"h": "v"}))
    s.run(failures=[])
    out.append(s)
    s = S("rows/fanout-entries", "entries in canonical order; an actor named twice gets two",
          ("WIT-021.1", "WIT-028.6"))  # fmt: skip
    f, e = s.genesis("fanout"), s.genesis("echo")
    s.send(f, "fanout", tree(b=blob(e.hex()), a=blob(e.hex()), c=blob(e.hex().upper()),
                             d=blob(e.hex() + "\n")))  # fmt: skip
    s.run(failures=[])
    out.append(s)
    s = S("rows/spawner-any-content", "spawn of a blob: its genesis is sent and fails there",
          ("WIT-022.1", "WIT-012.4"), ("Spawn", "FailedTransition"))  # fmt: skip
    sp = s.genesis("spawner")
    child = s.say(sp, "spawn", "not a core")
    s.run(failures=[[child.hex(), "invalid-genesis"]])
    out.append(s)
    s = S("rows/updater-copies-bytes", "set-code copies the data unchecked; the last one wins",
          ("WIT-023.1", "WIT-023.2"), ("Update", "FailedTransition"))  # fmt: skip
    u = s.genesis("updater")
    s.say(u, "set-code", "echo")
    s.send(u, "set-code", blob(b"\xff"))
    s.run(failures=[])
    s.say(u, "m", "x")
    s.run(failures=[[u.hex(), "unknown-wit"]])
    out.append(s)
    s = S("rows/requester-answer", "answer keeps any object; the query answers blobs only",
          ("WIT-026.2", "WIT-026.3"), ("Query",))  # fmt: skip
    r = s.genesis("requester")
    s.send(r, "echo", tree(k=blob("v")))
    s.run(failures=[])
    s.query(r, "answer", text="")
    s.send(r, "echo", blob("a", {"h": "v"}))
    s.run(failures=[])
    s.query(r, "answer", text="a")
    out.append(s)
    s = S("rows/queries", "each actor answers exactly its own queries",
          ("WIT-028.9", "WIT-017.3"), ("Query",))  # fmt: skip
    actors = {name: s.genesis(name) for name in ("echo", "counter", "budget", "requester")}
    s.run(failures=[])
    for name, actor in actors.items():
        for query in ("count", "budget", "answer"):
            own = {"counter": "count", "budget": "budget", "requester": "answer"}.get(name)
            if query == own:
                s.query(actor, query, text="" if query == "answer" else "0")
            else:
                s.fails_query(actor, query, "unknown-query")
    out.append(s)
    return out


_HAND: Final[tuple[Callable[[], list[Scenario]], ...]] = (
    _echo, _counter, _wut, _fanout_spawner, update_scenarios, genesis_scenarios, _failures,
    _budget_requester, _rows,
)  # fmt: skip


def suite() -> Suite:
    hand = Group("hand-written", "Scenarios for each test actor and Wit rule", "scenario")
    hand.cases.extend(s.case() for make in _HAND for s in make())
    rand = Group("seeded-random", "Random genesis/send/run sequences, fixed seeds", "scenario")
    rand.cases.extend(s.case() for s in random_scenarios())
    return Suite(
        "scenarios",
        "Wit scenarios through the adapter protocol (ADP-014): operations and the reference's "
        "answers, step ids included.",
        (hand, rand),
    )
