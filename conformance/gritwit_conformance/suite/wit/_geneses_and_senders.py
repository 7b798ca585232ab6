"""Helpers of the tests of competing geneses (``test_competing_geneses``) and of the order
of senders (``test_sender_order``; WIT-012.3, WIT-028.2; split by behaviour).

* WIT-012.3 fails an actor's first transition ``invalid-genesis`` only when *none*
  of the genesis messages pending for it carries its id, and WIT-012.6 counts a
  genesis anywhere in a sender's list. So whatever the order in which right,
  misaddressed and duplicate geneses, updates and ordinary messages are pending —
  from the outside, or from a ``spawner`` as a second sender, queued or signalled,
  sent with ``wit-genesis`` or ``wit-send``, before a run or across runs — the actor
  starts as soon as one right genesis is pending, and fails only when every pending
  genesis is misaddressed. An implementation that checks only the first pending
  genesis (or the first sender's) passes the worked examples and fails here. A
  message carrying A's core under an ``mt`` that is not exactly ``genesis`` (case,
  spaces, NUL, non-ASCII and astral look-alikes, empty) is no genesis at all.
* WIT-028.2 makes a test actor act on its messages *senders in id order*, ids
  compared as unsigned bytes (ID-005): the outside (32 zero bytes) always first. The
  ``requester`` keeps the last ``echo`` it read, so echo actors whose ids start on both
  sides of 0x7f/0x80 (or share a first byte and differ across it in the second) and
  the outside show which sender an implementation acts on last: signed bytes (Java's
  ``Arrays.compare``, C ``char``) put an id starting with a byte >= 0x80 first. The
  same ids order the genesis read-overs of ADP-014 (the first sender in id order).

Every expectation is computed here from the clauses; every answer is then also
compared with the in-process reference, which fixes the step ids (WIT-011).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

import gritwit as g
from gritwit_conformance.data._requirement_ids import WHOLE
from gritwit_conformance.diff._objects import describe_bytes, render
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import (
    Clause,
    ClauseFailure,
    check_type,
    describe,
    fail,
    ok_answer,
    suite_premise,
)
from gritwit_conformance.suite._properties import properties

from .._scenario import divergence, impl_objects

Json = dict[str, Any]
OUTSIDE = "00" * 32

run_settings = properties(40)


def _core_id(name: str, **state: bytes) -> str:
    """The id of the core ``wit-genesis`` builds for ``name`` and ``state`` (ADP-014, WIT-002)."""
    wit = g.object_id(g.Blob(data=name.encode(), headers={"runtime": "test-actor"}))
    entries = {"wit": wit, **{k: g.object_id(g.Blob(data=v)) for k, v in state.items()}}
    return g.object_id(g.Tree(entries=entries)).hex()


def _unsigned(hex_id: str) -> bytes:
    """ID-005: ids compare as unsigned bytes."""
    return bytes.fromhex(hex_id)


# --------------------------------------------------------------------------- both sides


def _as_tuple(clause: Clause) -> tuple[str, ...]:
    return (clause,) if isinstance(clause, str) else tuple(clause)


class _Pair:
    """The implementation and a fresh in-process reference, driven in step."""

    def __init__(self, impl: Implementation, clause: Clause) -> None:
        from gritwit.adapter import ReferenceAdapter

        self.impl = impl
        #: the clause an answer unlike the reference's breaks: the user's scenario's
        self.clause = clause
        self.deferred: list[ClauseFailure] = []
        self.ref = ReferenceAdapter()
        self.runtime = str(ok_answer(impl.call("wit-open"), clause, "wit-open")["runtime"])
        opened = self.ref.handle({"seq": 0, "cmd": "wit-open"})["runtime"]
        suite_premise(opened == "w1", "the reference's runtime is w1")
        self.rule = "ADP-014, WIT-011"

    def call(self, cmd: str, *, check: bool = True, **args: Any) -> tuple[Json, Json]:
        """(the implementation's answer, the reference's): results, or ``{"error": class}``."""
        reply = self.impl.call(cmd, check=check, runtime=self.runtime, **args)
        got = dict(reply.result) if reply.ok else {"error": reply.error_class}
        expected = self.ref.handle(json.loads(json.dumps({"seq": 0, "cmd": cmd, "runtime": "w1",
                                                          **args})))  # fmt: skip
        want = {k: v for k, v in expected.items() if k not in ("seq", "ok")}
        if not expected["ok"]:
            want = {"error": expected["error"]["class"]}
        return got, want

    def agree(self, cmd: str, args: Mapping[str, Any], got: Json, want: Json) -> None:
        """Fail, with the first diverging object (ADP-017.2), when the answers differ."""
        if got == want:
            return
        wrong = [k for k in sorted(set(want) | set(got)) if want.get(k) != got.get(k)]
        last = self.impl.last_request, self.impl.last_response
        mine = impl_objects(self.impl, "wit-object", self.runtime)
        places = (
            divergence(k, want.get(k), got.get(k), self._oracle, mine, self.rule) for k in wrong
        )
        found = next((d for d in places if d is not None), None)
        detail = "" if found is None else "\n" + render(found)
        self.impl.last_request, self.impl.last_response = last
        # the rule of the place the objects first part, when it names one: the scenario's
        # own clause alone would blame its rule for any bug that changes an id
        named = found.requirement if found is not None and WHOLE.match(found.requirement) else None
        fail(
            self.clause if named is None else (named, *_as_tuple(self.clause)),
            expected=f"{describe(want)} (as the reference answers)",
            came=f"{describe(got)}{detail}",
            what=f"{cmd} {json.dumps(dict(args))[:300]}",
        )

    def agree_later(self, cmd: str, args: Mapping[str, Any], got: Json, want: Json) -> None:
        """:meth:`agree`, its failure kept for :meth:`settle`: the scenario's own rules
        (what the run adopted, the counter's count) are checked first, since any broken
        rule makes every later id differ from the reference's."""
        try:
            self.agree(cmd, args, got, want)
        except ClauseFailure as exc:
            self.deferred.append(exc)

    def settle(self) -> None:
        """Raise the first answer :meth:`agree_later` found unlike the reference's."""
        if self.deferred:
            raise self.deferred[0]

    def both(self, cmd: str, **args: Any) -> Json:
        """The implementation's answer, checked equal to the reference's."""
        got, want = self.call(cmd, **args)
        self.agree(cmd, args, got, want)
        return got

    def _oracle(self, oid: str) -> Any:
        reply = self.ref.handle({"seq": 0, "cmd": "wit-object", "runtime": "w1", "id": oid})
        if not reply["ok"]:
            return f"the reference has no object {oid[:12]}…"
        return describe_bytes(oid, reply["bytes"])

    def obj(self, oid: str | g.ObjectId) -> g.GritObject:
        text = oid if isinstance(oid, str) else oid.hex()
        reply = self.impl.call("wit-object", runtime=self.runtime, id=text)
        data = ok_answer(reply, self.clause, f"wit-object {text}")["bytes"]
        return g.decode_object(bytes.fromhex(data))

    def head(self, actor: str, *, later: bool = False) -> g.Step | None:
        """``actor``'s head step; compared with the reference's now, or at :meth:`settle`."""
        if later:
            got, want = self.call("wit-head", actor=actor)
            self.agree_later("wit-head", {"actor": actor}, got, want)
        else:
            got = self.both("wit-head", actor=actor)
        step = got.get("step")
        if step is None:
            return None
        return check_type(
            self.clause, self.obj(str(step)), g.Step, expected=f"{actor}'s head a step"
        )

    def close(self) -> None:
        self.impl.call("wit-close", runtime=self.runtime)
        self.ref.close()


# --------------------------------------------------------------------------- order of senders


@functools.cache
def _mine(actor: str, klass: str, skip: tuple[str, ...] = ()) -> str:
    """A ``state`` value (hex of entry ``n``) whose ``actor`` core id is of ``klass``."""
    test: dict[str, Callable[[bytes], bool]] = {
        "low": lambda b: 0 < b[0] < 0x7F,
        "7f": lambda b: b[0] == 0x7F,
        "7f.lo": lambda b: b[0] == 0x7F and b[1] < 0x80,
        "7f.hi": lambda b: b[0] == 0x7F and b[1] >= 0x80,
        "80": lambda b: b[0] == 0x80,
        "80.lo": lambda b: b[0] == 0x80 and b[1] < 0x80,
        "80.hi": lambda b: b[0] == 0x80 and b[1] >= 0x80,
        "high": lambda b: b[0] > 0x80,
        "ff": lambda b: b[0] == 0xFF,
    }
    for i in range(1 << 20):
        n = i.to_bytes(3, "big")
        if n.hex() not in skip and test[klass](bytes.fromhex(_core_id(actor, n=n))):
            return n.hex()
    raise AssertionError(f"no {actor} state of class {klass}")  # pragma: no cover
