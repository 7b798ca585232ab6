"""Shares: runtimes on one store, each running only the actors of its share (RUN-021).

A runtime opened with ``share: [k, n]`` (ADP-015) runs only the actors whose id's first
8 bytes, read as an unsigned big-endian integer, leave the remainder ``k`` divided by
``n`` (RUN-021.1, RUN-021.2), and still sends to, queries, forks and evicts every
actor (RUN-021.3, RUN-021.5); its runs count its share alone (RUN-021.4).
Two runtimes with complementary shares, in two adapter processes on one directory
(ADP-015, ADP-010.3), pass messages across: before and after each ``rt-run`` the heads
of every actor are read, and a run of one runtime must move no head of the other's
share and report exactly the steps of its own that the exchange calls for.

Every actor's share is computed here from its id, and the actors are chosen, by the
``seed`` entry of their genesis core (ADP-014), so that reading the id any other
plausible way (:data:`MISREADINGS`: the last 8 bytes, the first 8 little-endian, the
first 4, the whole id) puts each in another share: a runtime that divides otherwise
runs the wrong actors. The choice is deterministic, and so is every check: the
processes take turns, so nothing depends on timing. Shares are a feature claimed in
``hello`` (ADP-005.7): an implementation that does not claim it gets every test here,
the refusals too, as *not claimed*, and is never sent ``share``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, fail, ok_answer

#: Shares are a feature an implementation claims in hello (ADP-005.7): the tests run
#: only where it is claimed, and are *not claimed* elsewhere.
from .._shares import share_of
from .._writers import count_of, inc
from .._writers import second as second  # the second writer's fixture

pytestmark = [pytest.mark.profile("runtime"), pytest.mark.feature("shares")]

#: The largest ``n`` of a share (RUN-021).
MAX_SHARES = 1024
TEST_ACTOR = {"runtime": "test-actor"}


#: Other readings of an id's share, none of them RUN-021's.
MISREADINGS: tuple[Callable[[str, int], int], ...] = (
    lambda actor, n: int(actor[-16:], 16) % n,  # the last 8 bytes
    lambda actor, n: int.from_bytes(bytes.fromhex(actor[:16]), "little") % n,
    lambda actor, n: int(actor[:8], 16) % n,  # the first 4 bytes
    lambda actor, n: int(actor, 16) % n,  # the whole id
)


def genesis_core(name: str, state: dict[str, str]) -> g.Tree:
    """The core ``rt-genesis`` builds for test actor ``name`` (ADP-014)."""
    entries = {"wit": g.object_id(g.Blob(data=name.encode(), headers=TEST_ACTOR))}
    entries.update({k: g.object_id(g.Blob(data=bytes.fromhex(v))) for k, v in state.items()})
    return g.Tree(entries=entries)


def in_share(actor: str, k: int, n: int) -> bool:
    """``actor`` is in share ``k/n``, and in another by every misreading."""
    return share_of(actor, n) == k and all(wrong(actor, n) != k for wrong in MISREADINGS)


def chosen(name: str, k: int, n: int) -> tuple[dict[str, str], str]:
    """The first ``seed`` state making a ``name`` actor that :func:`in_share` ``k/n``.

    ``n`` is even: where 256 is 1 modulo ``n`` (3, 5, 15, 17 …) the bytes' order does not
    change the remainder, and no actor can be told from its little-endian misreading.
    """
    for seed in itertools.count():
        state = {"seed": f"{seed:08x}"}
        actor = g.object_id(genesis_core(name, state)).hex()
        if in_share(actor, k, n):
            return state, actor
    raise AssertionError("unreachable")


def open_share(side: Implementation, path: Path, share: list[int]) -> str:
    """A runtime on ``path`` with ``share``, of an implementation claiming shares (ADP-005.7)."""
    reply = side.call("rt-open", path=str(path), share=share)
    result = ok_answer(reply, "ADP-015", f"rt-open with share {share}")
    settings = result["settings"]
    check_equal(
        "ADP-015",
        share,
        settings.get("share"),
        f"rt-open with share {share} answers the settings {settings}: they must report the "
        "share in effect",
    )
    return str(result["runtime"])


def genesis(side: Implementation, runtime: str, name: str, state: dict[str, str]) -> str:
    actor = str(
        call_ok(side, "ADP-015", "rt-genesis", runtime=runtime, actor=name, state=state)["actor"]
    )
    check_equal(
        "WIT-002",
        g.object_id(genesis_core(name, state)).hex(),
        actor,
        f"rt-genesis of {name} with state {state} answers {actor}, not its core's id",
    )
    return actor


def head(side: Implementation, runtime: str, actor: str) -> str | None:
    step = call_ok(side, "ADP-015", "rt-head", runtime=runtime, actor=actor)["step"]
    return None if step is None else str(step)


def run(
    side: Implementation, runtime: str, share: list[int], actors: list[str], expected: list[str]
) -> None:
    """One ``rt-run`` of the runtime with ``share``: it adopts one step of each of
    ``expected``, all in its share, moves no head of another share, and is quiescent."""
    k, n = share
    before = {actor: head(side, runtime, actor) for actor in actors}
    report = call_ok(side, "ADP-015", "rt-run", runtime=runtime, max_steps=100)
    after = {actor: head(side, runtime, actor) for actor in actors}
    moved = [actor for actor in actors if share_of(actor, n) != k and after[actor] != before[actor]]
    check(
        ("RUN-021.1", "RUN-021.4"),
        not moved,
        expected="nothing (empty)",
        came=moved,
        what=f"the rt-run of the runtime with share {k}/{n} moved the heads of {moved}, which are "
        f"not in its share: it must not run them; its report: {report}",
    )
    outside = [actor for actor, _ in report["steps"] if share_of(actor, n) != k]
    check(
        ("RUN-021.1", "RUN-021.4"),
        not outside,
        expected="nothing (empty)",
        came=outside,
        what=f"the rt-run of the runtime with share {k}/{n} reports steps of {outside}, not in its "
        f"share: {report}",
    )
    ran = sorted(actor for actor, _ in report["steps"])
    check_equal(
        "RUN-021.2",
        sorted(expected),
        ran,
        f"the rt-run of the runtime with share {k}/{n} adopted steps of {ran}, where the "
        f"actors of its share with messages pending are {sorted(expected)}: each must run "
        f"(RUN-021.2) and read what is pending at once; its report: {report}",
    )
    check(
        ("RUN-021.4", "RUN-021.1"),
        report["quiescent"],
        expected="a value, not empty",
        came=report["quiescent"],
        what=f"the rt-run of the runtime with share {k}/{n} answers quiescent false: only its "
        f"share counts, whatever waits for the others: {report}",
    )
    for actor, step in report["steps"]:
        check_equal(
            "ADP-015", step, after[actor], f"{actor}'s head is {after[actor]}, not its step {step}"
        )


def _object(side: Implementation, runtime: str, oid: g.ObjectId) -> g.GritObject:
    return g.decode_object(
        bytes.fromhex(call_ok(side, "ADP-015", "rt-object", runtime=runtime, id=oid.hex())["bytes"])
    )


def _entry(side: Implementation, runtime: str, actor: str, box: str, other: str) -> g.ObjectId:
    """``actor``'s head inbox or outbox entry for ``other``."""
    step_id = head(side, runtime, actor)
    if step_id is None:
        fail("ADP-015", expected="a value", came=step_id, what=f"{actor} has no head")
    step = _object(side, runtime, g.ObjectId.from_hex(step_id))
    if not isinstance(step, g.Step):
        fail("ADP-015", expected="a step", came=step, what="the step")
    mailbox_id = step.outbox if box == "outbox" else step.inbox
    if mailbox_id is None:
        fail("ADP-015", expected="a value", came=mailbox_id, what=f"{actor}'s head has no {box}")
    mailbox = _object(side, runtime, mailbox_id)
    if not isinstance(mailbox, g.Mailbox):
        fail("ADP-015", expected="a mailbox", came=mailbox, what="the mailbox")
    return mailbox.entries[g.ObjectId.from_hex(other)]


def _chain(side: Implementation, runtime: str, last: g.ObjectId) -> list[g.ObjectId]:
    """The contents of the queue ending at message ``last``, oldest first (WIT-004)."""
    contents: list[g.ObjectId] = []
    at: g.ObjectId | None = last
    while at is not None:
        message = _object(side, runtime, at)
        if not isinstance(message, g.Message):
            fail("ADP-015", expected="a message", came=message, what="the message")
        contents.append(message.content)
        at = message.previous
    return contents[::-1]


def _ask(echo: str, question: bytes) -> dict[str, Any]:
    """The content of an ``ask`` (WIT-026.1): put ``question`` to ``echo``."""
    return {"tree": {"to": {"blob": echo.encode().hex()}, "question": {"blob": question.hex()}}}


@pytest.mark.smoke
@pytest.mark.req(
    "RUN-021.1", "RUN-021.2", "RUN-021.3", "RUN-021.4", "RUN-020.4", "WIT-004", "ADP-015"
)
@pytest.mark.req("RUN-006.2", "RUN-020.2", "WIT-002")
def test_two_shares_exchange_messages_and_each_runs_only_its_own(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """Shares 0/2 and 1/2 in two processes; two requester–echo pairs, each across them.

    ``r0`` (share 0) asks ``e1`` (share 1) and ``r1`` asks ``e0``, three times, each
    ``ask`` sent through the runtime that does not run its requester, each actor created
    by the runtime that does not run it. Each run must adopt exactly the steps of its
    own actors the exchange calls for and no other (RUN-021.1, RUN-021.2); each
    answer is queried from both runtimes (RUN-021.3). At the end each queue — the
    questions and the echoes — holds the three messages, once each, in order, and
    each was read (WIT-004, WIT-005).
    """
    share_a, share_b = [0, 2], [1, 2]
    a = open_share(impl, tmp_path, share_a)
    b = open_share(second, tmp_path, share_b)
    (r0_state, r0), (e1_state, e1) = chosen("requester", 0, 2), chosen("echo", 1, 2)
    (r1_state, r1), (e0_state, e0) = chosen("requester", 1, 2), chosen("echo", 0, 2)
    check_equal("RUN-021.1", r0, genesis(second, b, "requester", r0_state))
    check_equal("RUN-021.1", e0, genesis(second, b, "echo", e0_state))
    check_equal("RUN-021.1", r1, genesis(impl, a, "requester", r1_state))
    check_equal("RUN-021.1", e1, genesis(impl, a, "echo", e1_state))
    actors = [r0, e1, r1, e0]
    run(impl, a, share_a, actors, [r0, e0])  # the geneses, each in its share's runtime
    run(second, b, share_b, actors, [r1, e1])
    questions: dict[str, list[g.ObjectId]] = {r0: [], r1: []}
    for i in range(1, 4):
        for requester, echo, side, runtime in ((r0, e1, second, b), (r1, e0, impl, a)):
            question = f"question {i} of {requester[:8]}".encode()
            questions[requester].append(g.object_id(g.Blob(data=question)))
            content = _ask(echo, question)
            call_ok(
                side,
                "RUN-021.1",
                "rt-send",
                runtime=runtime,
                to=requester,
                mt="ask",
                content=content,
            )
        run(impl, a, share_a, actors, [r0])  # r0 puts its question to e1
        run(second, b, share_b, actors, [r1, e1])  # r1 asks e0; e1 echoes to r0
        run(impl, a, share_a, actors, [e0, r0])  # e0 echoes to r1; r0 keeps its answer
        run(second, b, share_b, actors, [r1])  # r1 keeps its answer
        for requester in (r0, r1):
            for side, runtime in ((impl, a), (second, b)):
                answer = call_ok(
                    side, "RUN-021.1", "rt-query", runtime=runtime, actor=requester, name="answer"
                )
                data = bytes.fromhex(answer["data"])
                expected = f"question {i} of {requester[:8]}".encode()
                check_equal(
                    ("RUN-021.3", "RUN-020.2"),
                    expected,
                    data,
                    f"rt-query answer of {requester} answers {data!r} after exchange {i}, "
                    f"not {expected!r}: a query answers from the head, in either runtime",
                )
    for requester, echo in ((r0, e1), (r1, e0)):
        asked = _entry(impl, a, requester, "outbox", echo)
        echoed = _entry(impl, a, echo, "outbox", requester)
        for last, what in ((asked, "questions to"), (echoed, "echoes from")):
            chain = _chain(impl, a, last)
            check_equal(
                "RUN-021.1",
                questions[requester],
                chain,
                f"the {what} {echo} hold {[c.hex()[:8] for c in chain]}, not the three "
                f"questions once each in order {[q.hex()[:8] for q in questions[requester]]}",
            )
        check_equal(
            "RUN-021.1", asked, _entry(impl, a, echo, "inbox", requester), f"{echo} left a question"
        )
        check_equal(
            "RUN-021.1",
            echoed,
            _entry(impl, a, requester, "inbox", echo),
            f"{requester} left an echo",
        )


@pytest.mark.smoke
@pytest.mark.req("RUN-021.1", "RUN-021.2", "RUN-021.3", "RUN-021.4", "RUN-020.2", "ADP-015")
@pytest.mark.req("RUN-006.2", "WIT-002")
def test_an_actor_outside_the_share_waits_for_a_runtime_of_its_share(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """Shares 0/4 and 3/4: a counter of share 3 is created, sent to and queried through
    the runtime of share 0, which never runs it; the runtime of share 3 runs it at once.

    Its genesis and its ``inc`` are acknowledged (RUN-021.3), yet share 0's runs adopt
    no step of it, and answer quiescent with its messages pending (RUN-021.1,
    RUN-021.4); a query through share 0 answers from its head, the one share 3's run
    moved (RUN-020.2). And the other way round for a counter of share 0. (Shares 1/4 and
    2/4 have no runtime here: their actors would wait, RUN-021.)
    """
    share_a, share_b = [0, 4], [3, 4]
    a = open_share(impl, tmp_path, share_a)
    b = open_share(second, tmp_path, share_b)
    (x_state, x), (y_state, y) = chosen("counter", 3, 4), chosen("counter", 0, 4)
    check_equal("RUN-021.1", x, genesis(impl, a, "counter", x_state))
    check_equal("RUN-021.1", y, genesis(second, b, "counter", y_state))
    actors = [x, y]
    run(impl, a, share_a, actors, [y])
    value = head(impl, a, x)
    check(
        "RUN-021.1",
        value is None,
        expected="nothing (null)",
        came=value,
        what=f"{x} of share 3/4 has a head before its share's run",
    )
    run(second, b, share_b, actors, [x])
    value = head(impl, a, x)
    if value is None:
        fail(
            "RUN-021.2", expected="a value", came=value, what=f"share 3/4's run set no head of {x}"
        )

    inc(impl, a, x, "5", clause="RUN-021.1")
    run(impl, a, share_a, actors, [])  # x's inc waits: not share 0's to run
    check_equal(
        "RUN-021.1",
        b"0",
        count_of(impl, a, x, clause="RUN-021.1"),
        "x counts 0 until its share runs (its head's count)",
    )
    run(second, b, share_b, actors, [x])
    count = count_of(impl, a, x, clause="RUN-021.1")
    check_equal(
        ("RUN-021.3", "RUN-020.2"),
        b"5",
        count,
        f"share 0's rt-query of {x} answers {count!r} after share 3 ran its inc 5: a query "
        "answers from the head for any actor",
    )
    inc(second, b, y, "2", clause="RUN-021.1")
    run(second, b, share_b, actors, [])
    run(impl, a, share_a, actors, [y])
    check_equal("RUN-021.1", b"2", count_of(second, b, y, clause="RUN-021.1"))


@pytest.mark.req("RUN-021.5", "RUN-012.1", "RUN-012.6", "ADP-015")
@pytest.mark.req("RUN-006.2", "RUN-021.1", "RUN-021.2", "RUN-021.4", "WIT-002")
def test_an_actor_outside_the_share_counts_as_idle(impl: Implementation, tmp_path: Path) -> None:
    """Two runtimes of one process, shares 0/2 and 1/2. Share 0 queries ``x`` of share 1
    (now resident there, RUN-012.6) and sends it an ``inc``; its own ``y`` gets one too.

    ``rt-evict`` of share 0 evicts ``x``, which does not run there, whatever is pending
    for it (RUN-021.5), and keeps ``y``, busy until a run looks at its message
    (RUN-012.1).
    """
    share_a, share_b = [0, 2], [1, 2]
    a = open_share(impl, tmp_path, share_a)
    b = open_share(impl, tmp_path, share_b)
    (x_state, x), (y_state, y) = chosen("counter", 1, 2), chosen("counter", 0, 2)
    genesis(impl, b, "counter", x_state)
    genesis(impl, a, "counter", y_state)
    run(impl, b, share_b, [x, y], [x])
    run(impl, a, share_a, [x, y], [y])
    check_equal(
        "RUN-021.5", b"0", count_of(impl, a, x, clause="RUN-021.5")
    )  # a query: x is resident in share 0's runtime
    inc(impl, a, x, "1", clause="RUN-021.5")
    inc(impl, a, y, "1", clause="RUN-021.5")
    evicted = call_ok(impl, "RUN-021.5", "rt-evict", runtime=a)["evicted"]
    check_equal(
        ("RUN-021.5", "RUN-012.1"),
        [x],
        evicted,
        f"rt-evict of share 0/2 evicts {evicted}: it must evict {x}, of share 1, which does "
        f"not run there whatever is pending for it, and keep {y}, of its own "
        "share, busy with the inc sent since its last run",
    )
    run(impl, b, share_b, [x, y], [x])
    check_equal("RUN-021.5", b"1", count_of(impl, b, x, clause="RUN-021.5"))


def _fork_state(
    side: Implementation, runtime: str, parent: str, step: str
) -> tuple[dict[str, str], str]:
    """``rt-fork`` state making the child of ``parent`` at ``step`` an actor of share 1/2.

    The child's core is the parent's core at the step, with the ``state`` entries and
    the ``fork`` entry (RUN-008.2); its id is that core's (RUN-008.4).
    """
    at = _object(side, runtime, g.ObjectId.from_hex(step))
    if not isinstance(at, g.Step):
        fail("ADP-015", expected="a step", came=at)
    core = _object(side, runtime, at.core)
    if not isinstance(core, g.Tree):
        fail("ADP-015", expected="a tree", came=core, what="the core")
    data = '{"actor": "' + parent + '", "step": "' + step + '"}'
    fork = g.Blob(data=data.encode(), headers={"content-type": "application/json"})
    for seed in itertools.count():
        state = {"seed": f"{seed:08x}"}
        entries = dict(core.entries)
        entries.update({k: g.object_id(g.Blob(data=bytes.fromhex(v))) for k, v in state.items()})
        entries["fork"] = g.object_id(fork)
        child = g.object_id(g.Tree(entries=entries)).hex()
        if in_share(child, 1, 2):
            return state, child
    raise AssertionError("unreachable")


@pytest.mark.req("RUN-021.3", "RUN-021.1", "RUN-021.2", "RUN-008.6", "ADP-015")
@pytest.mark.req("RUN-006.2", "RUN-008.4", "RUN-021.4", "WIT-002")
def test_a_fork_into_another_share_is_run_by_that_share(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """Share 0/2 forks its counter into a child of share 1/2: the fork sets the child's
    head there (RUN-021.3, RUN-008.6), but only share 1's runtime runs the child."""
    share_a, share_b = [0, 2], [1, 2]
    a = open_share(impl, tmp_path, share_a)
    b = open_share(second, tmp_path, share_b)
    parent_state, parent = chosen("counter", 0, 2)
    genesis(impl, a, "counter", parent_state)
    inc(impl, a, parent, "3", clause="RUN-021.3")
    run(impl, a, share_a, [parent], [parent])
    step = head(impl, a, parent)
    if step is None:
        fail("RUN-021.3", expected="a value", came=step, what="the step")
    state, child = _fork_state(impl, a, parent, step)
    forked = call_ok(impl, "RUN-021.3", "rt-fork", runtime=a, actor=parent, step=step, state=state)[
        "actor"
    ]
    check_equal(
        "RUN-008.4", child, forked, f"rt-fork answers {forked}, not the id of its core {child}"
    )
    value = head(second, b, child)
    if value is None:
        fail("RUN-008.6", expected="a value", came=value, what=f"the fork set no head of {child}")
    inc(impl, a, child, "4", clause="RUN-021.3")
    run(impl, a, share_a, [parent, child], [])
    run(second, b, share_b, [parent, child], [child])
    check_equal(
        "RUN-021.3",
        b"7",
        count_of(impl, a, child, clause="RUN-021.3"),
        "the child continues the parent's count",
    )


#: Shares at both sides of each limit (RUN-021): accepted …
ACCEPTED: list[list[int]] = [[0, 1], [1, 2], [0, MAX_SHARES], [MAX_SHARES - 1, MAX_SHARES]]
#: … and refused: k = n, n = 0, n past the largest, negative, not integers, not a pair.
REFUSED: list[Any] = [
    [2, 2],
    [MAX_SHARES, MAX_SHARES],
    [0, 0],
    [0, MAX_SHARES + 1],
    [-1, 2],
    [0, -1],
    [0.5, 2],
    [0, 2.5],
    [True, 2],
    [0, True],
    [0],
    [0, 1, 2],
    [],
    None,
    "0/2",
    {"k": 0, "n": 2},
]


@pytest.mark.req("RUN-021", "ADP-015", "ADP-005.7")
@pytest.mark.inputs("largest")
@pytest.mark.req("RUN-006.2", "WIT-002")
def test_rt_open_takes_shares_up_to_the_limits(impl: Implementation, tmp_path: Path) -> None:
    """``share`` ``[n - 1, n]`` and ``[0, n]`` for n = 1, 2 and 1024 open, and the settings
    report it (ADP-015); share 0/1 holds every actor, so its runtime runs a counter."""
    for share in ACCEPTED:
        where = tmp_path / f"{share[0]}-{share[1]}"
        where.mkdir()
        runtime = open_share(impl, where, share)
        if share == [0, 1]:
            actor = genesis(impl, runtime, "counter", {})
            run(impl, runtime, share, [actor], [actor])
        call_ok(impl, "RUN-021", "rt-close", runtime=runtime)
    (tmp_path / "none").mkdir()
    plain = call_ok(impl, "RUN-021", "rt-open", path=str(tmp_path / "none"))["settings"]
    value = plain.get("share")
    check(
        "RUN-021",
        value is None,
        expected="nothing (null)",
        came=value,
        what=f"rt-open without share reports the share {plain}",
    )


@pytest.mark.req("RUN-021", "ADP-015", "ADP-005.7")
@pytest.mark.inputs("past-largest")
def test_rt_open_refuses_anything_but_a_share(impl: Implementation, tmp_path: Path) -> None:
    """k ≥ n, n < 1 or > 1024, negative numbers, fractions, booleans, null, another length
    or type: ``bad-request`` (ADP-015), from an implementation claiming shares (ADP-005.7)."""
    wrong: list[str] = []
    for share in REFUSED:
        reply = impl.call("rt-open", path=str(tmp_path), check=False, share=share)
        if reply.ok:
            impl.call("rt-close", runtime=ok_answer(reply, "ADP-015")["runtime"])
        if reply.ok or reply.error_class != "bad-request":
            wrong.append(f"share {share!r}: {reply}")
    check(
        ("RUN-021", "ADP-015"),
        not wrong,
        expected=f"bad-request for anything but two integers with 1 <= n <= {MAX_SHARES} and "
        "0 <= k < n",
        came="; ".join(wrong),
        what="rt-open with share",
    )
