"""Runtime scenario vectors of going back: revert and clearing a failed mark (RUN-024,
RUN-025), part of ``vectors/runtime.json`` (ADP-015).

Every answer is recorded from the reference (:func:`._runtime_build.observe_runtime`);
the counts declared here are checked against it at generation.
"""

from __future__ import annotations

from gritwit._ids import ObjectId

from ._runtime_build import RuntimeScenario, observe_runtime

__all__ = ["going_back"]


def _head_now(s: RuntimeScenario, actor: ObjectId) -> str:
    """``actor``'s head after the operations declared so far (replayed on the reference)."""
    s.op("head", actor=actor.hex())
    head = observe_runtime(s.options, s.operations)[-1]["step"]
    assert isinstance(head, str), f"{actor} has no head yet"
    return head


def going_back() -> list[RuntimeScenario]:
    made = []
    s = RuntimeScenario(
        "revert/counts-on",
        "a counter reverted two steps counts on from the reverted count, across a kill",
        ("ADP-015", "RUN-024.1", "RUN-024.2", "RUN-024.3", "RUN-024.5"),
    )
    c = s.genesis("counter")
    s.run()
    s.say(c, "inc", "1")
    s.run()
    early = _head_now(s, c)
    for _ in range(2):
        s.say(c, "inc", "1")
        s.run()
    s.op("revert", actor=c.hex(), step=early)
    s.query(c, "count", text="1")
    s.run()
    s.declare("steps", [])
    s.op("kill")
    s.say(c, "inc", "1")
    s.run()
    s.query(c, "count", text="2")
    s.op("verify", actor=c.hex())
    s.declare("verified", True)
    made.append(s)

    s = RuntimeScenario(
        "revert/refused",
        "a revert to the head, to another actor's step or of an actor without a head is refused",
        ("ADP-015", "RUN-024.6"),
    )
    a, b = s.genesis("counter"), s.genesis("echo")
    s.run()
    s.op("revert", actor=a.hex(), step=_head_now(s, a))
    s.declare("error", "invalid-ref-target")
    s.op("revert", actor=a.hex(), step=_head_now(s, b))
    s.declare("error", "invalid-ref-target")
    s.op("revert", actor=ObjectId(bytes(range(32))).hex(), step=_head_now(s, a))
    s.declare("error", "not-found")
    made.append(s)

    s = RuntimeScenario(
        "clear/runs-again",
        "a failed actor cleared runs again, five attempts afresh, and is marked again",
        ("ADP-015", "RUN-025.1", "RUN-025.3", "RUN-004.7"),
    )
    f = s.genesis("failing")
    s.run()
    s.op("clear", actor=f.hex())
    s.declare("cleared", True)
    s.op("clear", actor=f.hex())
    s.declare("cleared", False)
    s.run()
    s.declare("failures", [[f.hex(), "failed"]])
    s.op("kill")
    s.op("clear", actor=f.hex())
    s.declare("cleared", True)
    made.append(s)
    return made
