"""Placement: an actor runs in the share of the key its genesis names (RUN-021.6 … RUN-021.8).

``rt-genesis`` with ``placement`` (ADP-015) sends a genesis message carrying the header
``placement``, the named actor's id (RUN-021.7). Two runtimes with shares 0/2 and 1/2,
in two adapter processes on one directory, must agree where such an actor runs: in
the share of the named actor, whatever its own id says. The runtime that would start
its first transition records the placement first, as the ref
``names/placement/<actor>`` (RUN-021.8), and from then on every runtime reads it.

Both sides, with processes taking turns: the runtime of the actor's own-id share runs
first and must neither create nor run it; the runtime of the key's share must. An
actor without the header keeps its own id's share. Placement is a feature claimed in
``hello`` (ADP-005.7), on top of ``shares``: an implementation claiming neither gets
every test here as *not claimed*.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation

from .._check import call_ok, check, check_equal, error_answer, fail, ok_answer
from .._shares import share_of
from .._writers import count_of, inc
from .._writers import second as second  # the second writer's fixture
from .test_shares import genesis_core, head, open_share

pytestmark = [
    pytest.mark.profile("runtime"),
    pytest.mark.feature("shares"),
    pytest.mark.feature("placement"),
]

ZERO, ONE = [0, 2], [1, 2]


def counter_in(k: int, n: int, tag: str) -> tuple[dict[str, str], str]:
    """A counter's ``tag`` state whose own id is in share ``k/n``, and that id."""
    for seed in range(10_000):
        state = {"tag": f"{tag} {seed}".encode().hex()}
        actor = g.object_id(genesis_core("counter", state)).hex()
        if share_of(actor, n) == k:
            return state, actor
    raise AssertionError("unreachable")


def genesis(
    side: Implementation, runtime: str, state: dict[str, str], placement: str | None = None
) -> str:
    args: dict[str, Any] = {} if placement is None else {"placement": placement}
    reply = side.call("rt-genesis", runtime=runtime, actor="counter", state=state, **args)
    actor = str(ok_answer(reply, "ADP-015")["actor"])
    check_equal(
        ("WIT-002", "RUN-021.7"),
        g.object_id(genesis_core("counter", state)).hex(),
        actor,
        f"rt-genesis with placement answers {actor}, not its core's id: the header is the "
        "genesis message's, not the core's",
    )
    return actor


def steps(side: Implementation, runtime: str, share: list[int]) -> list[str]:
    """The actors one quiescent ``rt-run`` of the runtime with ``share`` adopted steps of."""
    report = call_ok(side, "ADP-015", "rt-run", runtime=runtime, max_steps=100)
    check(
        "ADP-015",
        report["quiescent"],
        expected="a value, not empty",
        came=report["quiescent"],
        what=f"the run of share {share} is not quiescent: {report}",
    )
    return sorted(str(actor) for actor, _ in report["steps"])


def record(side: Implementation, runtime: str, actor: str) -> g.Message:
    """``actor``'s placement record's target: a genesis message (RUN-021.7)."""
    target = call_ok(side, "ADP-015", "rt-ref", runtime=runtime, name=f"names/placement/{actor}")[
        "target"
    ]
    if target is None:
        fail(
            "RUN-021.8",
            expected="a value",
            came=target,
            what=f"{actor}, whose genesis names another actor, has no placement record "
            f"names/placement/{actor} after a runtime looked at its first transition",
        )
    data = call_ok(side, "ADP-015", "rt-object", runtime=runtime, id=target)["bytes"]
    message = g.decode_object(bytes.fromhex(data))
    if not isinstance(message, g.Message):
        fail(
            "ADP-015",
            expected="a message",
            came=message,
            what=f"the placement record names {message}, no message",
        )
    return message


@pytest.mark.smoke
@pytest.mark.req("RUN-021.6", "RUN-021.7", "RUN-021.8", "RUN-021.1", "RUN-021.2", "ADP-015")
@pytest.mark.req("WIT-002")
def test_a_placed_actor_runs_in_its_keys_share_and_not_in_its_own(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``root``'s id is in share 0; ``placed``'s in share 1, its genesis naming ``root``;
    ``plain``'s in share 1, without the header. Share 1's runtime runs first: it must
    create ``plain`` and not ``placed``; share 0's must create ``root`` and ``placed``;
    then every ``inc`` to ``placed``, through either runtime, runs in share 0 only, and
    one to ``plain`` in share 1 only."""
    a, b = open_share(impl, tmp_path, ZERO), open_share(second, tmp_path, ONE)
    root_state, root = counter_in(0, 2, "root")
    placed_state, placed = counter_in(1, 2, "placed")
    plain_state, plain = counter_in(1, 2, "plain")
    check_equal("RUN-021.6", root, genesis(second, b, root_state))
    check_equal("RUN-021.6", placed, genesis(second, b, placed_state, placement=root))
    check_equal("RUN-021.6", plain, genesis(impl, a, plain_state))
    ran = steps(second, b, ONE)
    check_equal(
        ("RUN-021.6", "RUN-021.8", "RUN-021.2"),
        [plain],
        ran,
        f"share 1/2's run adopted steps of {ran}: {placed} is placed with {root} in share 0 "
        f"by its genesis's placement header, so share 1 must not create it (RUN-021.6, "
        f"RUN-021.8), and {plain}, without one, is share 1's",
    )
    value = head(second, b, placed)
    check("RUN-021.6", value is None, expected="nothing (null)", came=value)
    message = record(impl, a, placed)
    check_equal(
        "RUN-021.8",
        placed,
        message.content.hex(),
        f"{placed}'s placement record names {message}, not its genesis naming {root}",
    )
    check_equal(
        "RUN-021.8",
        root,
        message.headers.get("placement"),
        f"{placed}'s placement record names {message}, not its genesis naming {root}",
    )
    ran = steps(impl, a, ZERO)
    check_equal(
        ("RUN-021.2", "RUN-021.6"),
        sorted([root, placed]),
        ran,
        f"share 0/2's run adopted steps of {ran}, not of {root} and {placed}, placed with it",
    )
    for amount, side, runtime in (("2", second, b), ("3", impl, a)):
        inc(side, runtime, placed, amount, clause="RUN-021.6")
        check_equal(
            "RUN-021.6", [], steps(second, b, ONE), f"share 1/2 ran {placed}, placed in share 0"
        )
        check_equal("RUN-021.6", [placed], steps(impl, a, ZERO), f"share 0/2 did not run {placed}")
    check_equal("RUN-021.6", b"5", count_of(second, b, placed, clause="RUN-021.6"))
    inc(impl, a, plain, "4", clause="RUN-021.6")
    check_equal(
        "RUN-021.6", [], steps(impl, a, ZERO), f"share 0/2 ran {plain}, which no header placed"
    )
    check_equal("RUN-021.6", [plain], steps(second, b, ONE))


@pytest.mark.req("RUN-021.8", "RUN-021.7", "RUN-021.6")
@pytest.mark.req("ADP-015", "WIT-002")
def test_a_chain_of_placements_resolves_to_its_root(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``second_actor`` names ``first``, which names ``root`` (share 0): once ``first`` is
    recorded, ``second_actor``'s record is ``first``'s, and it runs in share 0 though its
    id and ``first``'s are in share 1."""
    a, b = open_share(impl, tmp_path, ZERO), open_share(second, tmp_path, ONE)
    root_state, root = counter_in(0, 2, "root")
    first_state, first = counter_in(1, 2, "first")
    last_state, last = counter_in(1, 2, "second")
    genesis(impl, a, root_state)
    genesis(impl, a, first_state, placement=root)
    check_equal("RUN-021.8", [], steps(second, b, ONE))
    check_equal("RUN-021.8", sorted([root, first]), steps(impl, a, ZERO))
    genesis(second, b, last_state, placement=first)
    check_equal(
        "RUN-021.8", [], steps(second, b, ONE), f"share 1/2 created {last}, placed with {root}"
    )
    message = record(impl, a, last)
    check_equal(
        "RUN-021.8",
        root,
        message.headers.get("placement"),
        f"{last} names {first}, whose record gives {root}: its record must give {root} too, "
        f"not {message.headers.get('placement')} (RUN-021.8: a chain resolves to its root)",
    )
    check_equal("RUN-021.8", [last], steps(impl, a, ZERO))


@pytest.mark.req("ADP-015", "RUN-021.7")
@pytest.mark.req("WIT-002")
@pytest.mark.parametrize(
    ("value", "error"),
    [(7, "bad-request"), (None, "bad-request"), ("AB" * 32, "invalid-id"), ("ab", "invalid-id")],
    ids=["number", "null", "upper case", "short"],
)
@pytest.mark.req("CONV-004")
def test_rt_genesis_refuses_a_placement_that_is_no_id(
    impl: Implementation, tmp_path: Path, value: object, error: str
) -> None:
    """``placement`` is an id's text form: anything else is refused, and an id is taken."""
    runtime = open_share(impl, tmp_path, ZERO)
    state, _ = counter_in(0, 2, "refused")
    reply = impl.call(
        "rt-genesis", runtime=runtime, actor="counter", state=state, check=False, placement=value
    )
    error_answer(
        reply, "ADP-015", error, f"rt-genesis with placement {value!r} answers {reply}, not {error}"
    )
    _, root = counter_in(0, 2, "root")
    came_value = genesis(impl, runtime, state, placement=root)
    check("ADP-015", came_value, expected="a value, not empty", came=came_value)


def _ref(side: Implementation, runtime: str, name: str) -> str | None:
    target = call_ok(side, "ADP-015", "rt-ref", runtime=runtime, name=name)["target"]
    return None if target is None else str(target)


@pytest.mark.req("RUN-021.9", "RUN-021.6", "RUN-008", "RUN-024")
@pytest.mark.req("ADP-015", "RUN-021.7", "RUN-021.8", "WIT-002")
def test_a_revert_keeps_the_placement_and_a_fork_is_placed_by_its_own_id(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``placed`` (own id in share 1) runs with ``root`` in share 0. Reverted to its first
    step, it keeps its record and its share. A fork of it, whose own id is in share 1,
    has no record and runs in share 1: a record is never moved, and a fork writes none."""
    a, b = open_share(impl, tmp_path, ZERO), open_share(second, tmp_path, ONE)
    root_state, root = counter_in(0, 2, "root")
    placed_state, placed = counter_in(1, 2, "placed")
    genesis(impl, a, root_state)
    genesis(impl, a, placed_state, placement=root)
    check_equal("RUN-021.9", [], steps(second, b, ONE))
    check_equal("RUN-021.9", sorted([root, placed]), steps(impl, a, ZERO))
    name = f"names/placement/{placed}"
    recorded = _ref(impl, a, name)
    if recorded is None:
        fail(
            "RUN-021.8", expected="a value", came=recorded, what=f"{placed} has no placement record"
        )
    first = head(impl, a, placed)
    if first is None:
        fail("RUN-021.9", expected="a value", came=first)
    inc(second, b, placed, "2", clause="RUN-021.9")
    check_equal("RUN-021.9", [placed], steps(impl, a, ZERO))
    call_ok(second, "RUN-021.9", "rt-revert", runtime=b, actor=placed, step=first)
    check_equal(
        "RUN-021.9", recorded, _ref(second, b, name), f"the revert of {placed} moved its record"
    )
    inc(second, b, placed, "3", clause="RUN-021.9")
    check_equal("RUN-021.9", [], steps(second, b, ONE), f"share 1/2 ran {placed} after its revert")
    check_equal("RUN-021.9", [placed], steps(impl, a, ZERO))
    at = head(impl, a, placed)
    child = None
    for seed in range(64):
        state = {"seed": f"{seed:08x}"}
        made = str(
            call_ok(impl, "RUN-021.9", "rt-fork", runtime=a, actor=placed, step=at, state=state)[
                "actor"
            ]
        )
        if share_of(made, 2) == 1:
            child = made
            break
    if child is None:
        fail(
            "RUN-021.9", expected="a value", came=child, what="no fork of 64 has its id in share 1"
        )
    value = _ref(impl, a, f"names/placement/{child}")
    check(
        "RUN-021.9",
        value is None,
        expected="nothing (null)",
        came=value,
        what=f"the fork {child} of {placed} has a placement record: a fork writes none",
    )
    inc(impl, a, child, "4", clause="RUN-021.9")
    ran = steps(impl, a, ZERO)
    check(
        "RUN-021.9",
        child not in ran,
        expected=f"share 0/2 ran the fork {child}, whose own id is in share 1: a fork is placed by "
        "its own id, not its parent's key",
        came=child,
        what="the child",
    )
    ran = steps(second, b, ONE)
    check(
        "RUN-021.9",
        child in ran,
        expected=f"share 1/2 to run the fork {child}, whose own id is in share 1",
        came=f"steps of {ran}",
        what="the child",
    )


def actor_in(name: str, k: int, n: int, tag: str) -> tuple[dict[str, str], str]:
    """A ``name`` test actor's ``tag`` state whose own id is in share ``k/n``, and that id."""
    for seed in range(10_000):
        state = {"tag": f"{tag} {seed}".encode().hex()}
        actor = g.object_id(genesis_core(name, state)).hex()
        if share_of(actor, n) == k:
            return state, actor
    raise AssertionError("unreachable")


@pytest.mark.req("RUN-021.10", "RUN-021.6", "RUN-021.2", "WIT-012.1")
@pytest.mark.req("ADP-015")
def test_an_actor_created_by_another_without_the_header_keeps_its_own_share(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """A ``spawner`` in share 0 creates a counter whose own id is in share 1 (its genesis,
    sent from the spawner's outbox, has no ``placement`` header): share 1 creates it, not
    its creator's share, and no record is written."""
    a, b = open_share(impl, tmp_path, ZERO), open_share(second, tmp_path, ONE)
    spawner_state, spawner = actor_in("spawner", 0, 2, "spawner")
    reply = impl.call("rt-genesis", runtime=a, actor="spawner", state=spawner_state)
    check_equal("RUN-021.10", spawner, ok_answer(reply, "RUN-021.10")["actor"])
    check_equal("RUN-021.10", [spawner], steps(impl, a, ZERO))
    child_state, child = actor_in("counter", 1, 2, "child")
    entries: dict[str, Any] = {
        "wit": {"blob": b"counter".hex(), "headers": {"runtime": "test-actor"}},
        **{key: {"blob": value} for key, value in child_state.items()},
    }
    call_ok(
        impl, "RUN-021.10", "rt-send", runtime=a, to=spawner, mt="spawn", content={"tree": entries}
    )
    ran = steps(impl, a, ZERO)
    check_equal(
        "RUN-021.10",
        [spawner],
        ran,
        f"share 0/2's run adopted steps of {ran}: the spawner's child {child}, whose own id "
        "is in share 1 and whose genesis names no placement, is not its creator's to run",
    )
    check_equal("RUN-021.2", [child], steps(second, b, ONE), f"share 1/2 did not create {child}")
    came_value = _ref(second, b, f"names/placement/{child}")
    check("RUN-021.10", came_value is None, expected="nothing (null)", came=came_value)


@pytest.mark.req("RUN-021.7", "RUN-021.8", "RUN-021.6", "RUN-021.2")
@pytest.mark.req("ADP-015", "ADP-010.6", "WIT-002")
@pytest.mark.profile("runtime", "store")
def test_a_record_a_tool_set_to_a_message_that_is_no_genesis_gives_no_key(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``placed``'s id is in share 1 and its genesis names ``root`` (share 0), but another
    writer recorded first: ``names/placement/<placed>`` names an ``inc`` message carrying
    the same ``placement`` header. RUN-021.7: a record whose target is anything but a
    genesis message gives no key, and the record stands (RUN-021.8), so ``placed``'s key is
    its own id: share 1 runs it, share 0 never does."""
    a, b = open_share(impl, tmp_path, ZERO), open_share(second, tmp_path, ONE)
    root_state, root = counter_in(0, 2, "root")
    placed_state, placed = counter_in(1, 2, "placed")
    genesis(impl, a, root_state)
    genesis(impl, a, placed_state, placement=root)
    content = g.object_id(g.Blob(data=b"1"))
    not_genesis = g.Message(content=content, headers={"mt": "inc", "placement": root})
    store = str(
        call_ok(impl, "ADP-010.6", "store-open", kind="durable", path=str(tmp_path))["store"]
    )
    for obj in (g.Blob(data=b"1"), not_genesis):
        call_ok(impl, "ADP-010.6", "put", store=store, bytes=g.encode_object(obj).hex())
    ref = f"names/placement/{placed}"
    target = g.object_id(not_genesis).hex()
    call_ok(impl, "ADP-010.6", "ref-cas", store=store, name=ref, expected=None, new=target)
    ran = steps(impl, a, ZERO)
    check_equal(
        "RUN-021.7",
        [root],
        ran,
        f"the steps share 0/2 runs: only {root[:12]}…, since {placed[:12]}…'s record names an "
        "inc message, which gives no key",
    )
    ran = steps(second, b, ONE)
    check_equal(
        ("RUN-021.7", "RUN-021.8"),
        [placed],
        ran,
        f"the steps share 1/2 (that of {placed[:12]}…'s own id) runs, the record a tool set "
        "standing and giving no key",
    )
    kept = call_ok(second, "RUN-021.8", "rt-ref", runtime=b, name=ref)["target"]
    check_equal("RUN-021.8", target, kept, "the record another writer set first: it stands")


@pytest.mark.req("RUN-021.6", "RUN-021.7", "RUN-021.8", "RUN-021.1", "RUN-021.2")
@pytest.mark.req("ADP-015", "ADP-010.6", "WIT-002")
@pytest.mark.profile("runtime", "store")
def test_a_record_another_writer_deleted_places_nothing_any_more(
    impl: Implementation, second: Implementation, tmp_path: Path
) -> None:
    """``placed`` (own id in share 1) is placed with ``root`` (share 0) and runs there;
    then another writer deletes its record. RUN-021.6: a runtime reads the key from the
    records as it last read the refs, and with no record the key is the actor's own id
    (RUN-021.7), so its next ``inc`` runs in share 1 and never in share 0."""
    a, b = open_share(impl, tmp_path, ZERO), open_share(second, tmp_path, ONE)
    root_state, root = counter_in(0, 2, "root")
    placed_state, placed = counter_in(1, 2, "placed")
    genesis(impl, a, root_state)
    genesis(impl, a, placed_state, placement=root)
    check_equal("RUN-021.6", [], steps(second, b, ONE), "the steps share 1/2 runs at first")
    check_equal(
        "RUN-021.6", sorted([root, placed]), steps(impl, a, ZERO), "the steps share 0/2 runs"
    )
    ref = f"names/placement/{placed}"
    target = call_ok(second, "RUN-021.8", "rt-ref", runtime=b, name=ref)["target"]
    store = str(
        call_ok(impl, "ADP-010.6", "store-open", kind="durable", path=str(tmp_path))["store"]
    )
    call_ok(impl, "ADP-010.6", "ref-cas", store=store, name=ref, expected=target, new=None)
    inc(impl, a, placed, "2", clause="RUN-021.6")
    check_equal(
        "RUN-021.6",
        [],
        steps(impl, a, ZERO),
        f"the steps share 0/2 runs once {placed[:12]}…'s record is gone (its key is its own "
        "id, in share 1)",
    )
    check_equal(
        ("RUN-021.6", "RUN-021.7"),
        [placed],
        steps(second, b, ONE),
        f"the steps share 1/2 runs once {placed[:12]}…'s record is gone",
    )
