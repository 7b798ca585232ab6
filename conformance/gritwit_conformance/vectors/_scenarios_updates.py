"""Scenarios of updates and geneses (WIT-001, WIT-012 … WIT-016, WIT-023)."""

from __future__ import annotations

from typing import Final

from gritwit.wit import TEST_RUNTIME

from ._scenario_build import Scenario, blob, content_id, core, tree

__all__ = ["genesis_scenarios", "update_scenarios"]

S = Scenario
WIT_BLOB: Final = {"runtime": TEST_RUNTIME}


def _code(name: str) -> dict[str, object]:
    return blob(name, WIT_BLOB)


def update_scenarios() -> list[Scenario]:
    out = []
    s = S("updater/set-code", "updater becomes echo through its own transition",
          ("WIT-023.1", "WIT-023.2", "WIT-019.1"), ("Update", "Query"))  # fmt: skip
    u = s.genesis("updater")
    s.say(u, "set-code", "echo")
    s.run(failures=[])
    s.say(u, "m", "now I echo")
    s.run()
    s.query(u, "wut")
    out.append(s)
    s = S("updater/frozen", "a frozen updater cannot change its wit", ("WIT-016", "WIT-023.2"),
          ("Update", "FailedTransition"))  # fmt: skip
    u = s.genesis("updater", frozen="yes")
    s.say(u, "set-code", "echo")
    s.run(failures=[[u.hex(), "frozen-core"]])
    out.append(s)
    s = S("updater/unknown-code", "updater names no test actor: its next transition fails",
          ("WIT-001.4", "WIT-023.2"), ("FailedTransition",))  # fmt: skip
    u = s.genesis("updater")
    s.say(u, "set-code", "no-such-actor")
    s.run()
    s.say(u, "m", "x")
    s.run(failures=[[u.hex(), "unknown-wit"]])
    out.append(s)
    s = S("update/merge-runs-alone", "an update runs alone, between the incs around it",
          ("WIT-013.2", "WIT-020"), ("Update", "Query"))  # fmt: skip
    c = s.genesis("counter")
    s.say(c, "inc")
    s.send(c, "update", tree(extra=blob("x")))
    s.say(c, "inc")
    s.run(failures=[])
    s.query(c, "count", text="2")
    out.append(s)
    s = S("update/recursive-merge", "two updates of a subtree merge recursively", ("WIT-013.4",),
          ("Update",))  # fmt: skip
    e = s.genesis("echo")
    s.send(e, "update", tree(cfg=tree(a=blob("1"))))
    s.send(e, "update", tree(cfg=tree(b=blob("2"))))
    s.run()
    out.append(s)
    s = S("update/alone-across-senders", "an update reads nothing from other senders",
          ("WIT-013.2", "WIT-021"), ("Update",))  # fmt: skip
    c, f = s.genesis("counter"), s.genesis("fanout")
    s.run()
    s.send(f, "fanout", tree(c=blob(c.hex())))
    s.run(1)
    s.send(c, "update", tree(note=blob("n")))
    s.run()
    out.append(s)
    s = S("update/frozen-wit", "an update changing a frozen core's wit fails",
          ("WIT-016", "WIT-013.4"), ("Update", "FailedTransition"))  # fmt: skip
    c = s.genesis("counter", frozen="yes")
    s.run()
    s.send(c, "update", tree(wit=_code("echo")))
    s.run(failures=[[c.hex(), "frozen-core"]])
    out.append(s)
    s = S("update/frozen-frozen", "an update changing a frozen core's frozen entry fails",
          ("WIT-016", "WIT-013.4"), ("Update", "FailedTransition", "Query"))  # fmt: skip
    c = s.genesis("counter", frozen="yes")
    s.run()
    s.send(c, "update", tree(frozen=blob("no")))
    s.say(c, "inc", "2")
    s.run(failures=[[c.hex(), "frozen-core"]])
    s.query(c, "count", text="0")  # the inc waits behind the failed update (WIT-013.2)
    out.append(s)
    s = S("update/frozen-state", "an update of a frozen core's other entries is allowed",
          ("WIT-016", "WIT-013.4"), ("Update", "Query"))  # fmt: skip
    c = s.genesis("counter", frozen="yes")
    s.run()
    s.send(c, "update", tree(count=blob("40")))
    s.say(c, "inc", "2")
    s.run(failures=[])
    s.query(c, "count", text="42")
    out.append(s)
    s = S("update/wit-update-replace", "wit_update replace: the new core is the update's tree",
          ("WIT-014.1", "WIT-014.2", "WIT-019"), ("Update", "Query"))  # fmt: skip
    c = s.genesis("counter", count="5")
    s.run()
    s.send(c, "update", tree(wit=_code("echo"), wit_update=_code("replace")))
    s.say(c, "m", "echo me")
    s.run(failures=[])
    s.query(c, "wut")
    out.append(s)
    s = S("update/wit-update-unknown", "a wit_update naming no update function fails",
          ("WIT-014.1", "WIT-001.4"), ("Update", "FailedTransition"))  # fmt: skip
    e = s.genesis("echo")
    s.run()
    s.send(e, "update", tree(wit=_code("echo"), wit_update=_code("no-such-update")))
    s.run(failures=[[e.hex(), "unknown-wit"]])
    out.append(s)
    s = S("update/replace-without-wit", "replace with a tree without wit is refused",
          ("WIT-015", "WIT-014.2"), ("Update", "FailedTransition"))  # fmt: skip
    e = s.genesis("echo")
    s.run()
    s.send(e, "update", tree(x=blob("x"), wit_update=_code("replace")))
    s.run(failures=[[e.hex(), "invalid-transition"]])
    out.append(s)
    out += _bad_updates()
    return out


def _bad_updates() -> list[Scenario]:
    """Updates whose content or resulting core is not what WIT-013 and WIT-001 allow."""
    out = []
    s = S("update/blob-content", "an update whose content is a blob, not a tree, fails",
          ("WIT-013.1",), ("Update", "FailedTransition"))  # fmt: skip
    e = s.genesis("echo")
    s.run()
    s.send(e, "update", blob("not a tree"))
    s.run(failures=[[e.hex(), "invalid-transition"]])
    out.append(s)
    s = S("update/wit-without-runtime", "an update giving wit a blob without runtime fails",
          ("WIT-007.2", "WIT-001.2"), ("Update", "FailedTransition"))  # fmt: skip
    e = s.genesis("echo")
    s.run()
    s.send(e, "update", tree(wit=blob("counter")))
    s.run(failures=[[e.hex(), "invalid-transition"]])
    out.append(s)
    s = S("update/wit-a-tree", "an update making wit a tree, not a blob, fails",
          ("WIT-007.2", "WIT-001.1"), ("Update", "FailedTransition"))  # fmt: skip
    e = s.genesis("echo")
    s.run()
    s.send(e, "update", tree(wit=tree(name=_code("counter"))))
    s.run(failures=[[e.hex(), "invalid-transition"]])
    out.append(s)
    s = S("update/wit-update-a-tree", "a wit_update that is a tree names no update function",
          ("WIT-014.1", "WIT-001.4"), ("Update", "FailedTransition"))  # fmt: skip
    e = s.genesis("echo")
    s.run()
    s.send(e, "update", tree(wit=_code("echo"), wit_update=tree(name=_code("replace"))))
    s.run(failures=[[e.hex(), "unknown-wit"]])
    out.append(s)
    s = S("update/wit-update-without-runtime", "a wit_update blob without runtime is unknown",
          ("WIT-014.1", "WIT-001.3"), ("Update", "FailedTransition"))  # fmt: skip
    e = s.genesis("echo")
    s.run()
    s.send(e, "update", tree(wit=_code("echo"), wit_update=blob("replace")))
    s.run(failures=[[e.hex(), "unknown-wit"]])
    out.append(s)
    s = S("update/waits-for-genesis", "an update sent before the genesis runs after the first step",
          ("WIT-013.3", "WIT-013.2", "WIT-022", "WIT-020"),
          ("Update", "Spawn", "Query"))  # fmt: skip
    c = content_id(core("counter", n="u"))
    s.send(c, "update", tree(count=blob("40")))
    s.run(failures=[])
    sp = s.genesis("spawner")
    s.send(sp, "spawn", core("counter", n="u"))
    s.say(c, "inc", "2")
    s.run(failures=[])
    s.query(c, "count", text="42")
    out.append(s)
    return out


def genesis_scenarios() -> list[Scenario]:
    out = []
    s = S("genesis/duplicate-in-first-step", "two pending geneses are read by the first step",
          ("WIT-012.1",), ("DuplicateGenesis",))  # fmt: skip
    s.genesis("echo")
    s.genesis("echo")
    s.run(failures=[])
    out.append(s)
    s = S("genesis/duplicate-read-over", "a later duplicate genesis is read alone, Wit not run",
          ("WIT-012.5",), ("DuplicateGenesis", "Query"))  # fmt: skip
    c = s.genesis("counter")
    s.say(c, "inc", "1")
    s.run()
    s.genesis("counter")
    s.say(c, "inc", "1")
    s.run(failures=[])
    s.query(c, "count", text="2")
    out.append(s)
    s = S("genesis/misaddressed-existing", "a genesis of another core sent to an actor: read over",
          ("WIT-012.5",), ("DuplicateGenesis",))  # fmt: skip
    e = s.genesis("echo")
    s.run()
    s.send(e, "genesis", core("counter", n="other"))
    s.run(failures=[])
    out.append(s)
    s = S("genesis/misaddressed-new", "a genesis whose content is not the recipient's id fails",
          ("WIT-012.3",), ("FailedTransition",))  # fmt: skip
    target = content_id(core("echo", n="target"))
    s.send(target, "genesis", core("echo", n="other"))
    s.run(failures=[[target.hex(), "invalid-genesis"]])
    out.append(s)
    s = S("genesis/misaddressed-core-present",
          "a genesis of another core fails even when the recipient's core is stored",
          ("WIT-012.3",), ("FailedTransition",))  # fmt: skip
    target_core = core("echo", n="target")
    target = content_id(target_core)
    s.send(target, "m", target_core)  # stores the recipient's own core as content
    s.send(target, "genesis", core("echo", n="other"))
    s.run(failures=[[target.hex(), "invalid-genesis"]])
    out.append(s)
    s = S("genesis/wit-a-tree", "a core whose wit entry is a tree, not a blob",
          ("WIT-001.1", "WIT-012.4"), ("FailedTransition",))  # fmt: skip
    bad = tree(wit=tree(name=_code("echo")))
    target = content_id(bad)
    s.send(target, "genesis", bad)
    s.run(failures=[[target.hex(), "invalid-genesis"]])
    out.append(s)
    s = S("genesis/no-wit-entry", "a core without a wit entry", ("WIT-001.1", "WIT-012.4"),
          ("FailedTransition",))  # fmt: skip
    bad = tree(state=_code("echo"))
    target = content_id(bad)
    s.send(target, "genesis", bad)
    s.run(failures=[[target.hex(), "invalid-genesis"]])
    out.append(s)
    s = S("genesis/no-runtime-header", "a core whose wit blob has no runtime header",
          ("WIT-001.2", "WIT-012.4"), ("FailedTransition",))  # fmt: skip
    bad = tree(wit=blob("echo"))
    target = content_id(bad)
    s.send(target, "genesis", bad)
    s.run(failures=[[target.hex(), "invalid-genesis"]])
    out.append(s)
    s = S("genesis/unknown-runtime", "a wit blob with an unknown runtime", ("WIT-001.3",),
          ("FailedTransition",))  # fmt: skip
    bad = tree(wit=blob("echo", {"runtime": "no-such-runtime"}))
    target = content_id(bad)
    s.send(target, "genesis", bad)
    s.run(failures=[[target.hex(), "unknown-wit"]])
    out.append(s)
    s = S("genesis/unknown-test-actor", "a wit naming no test actor", ("WIT-001.4",),
          ("FailedTransition",))  # fmt: skip
    a = s.genesis("no-such-actor")
    s.run(failures=[[a.hex(), "unknown-wit"]])
    out.append(s)
    return out
