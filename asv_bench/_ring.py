"""The ``ring`` workload of ``tools/multi_runtime``: exactly half the sends cross shares
("capped, with half the sends crossing shares"; RUN-021, RUN-020.6).

``half`` (``asv_bench/_multi_plan.py``) has as many ping-pong pairs within a share as across,
but a ball within one share never waits for another process, so a run picks it far more
often: 2 % of its steps crossed in a capped run.  Here the crossing is in every ball's
path instead.  Each of ``pairs`` rings is four ``ring`` actors ``a b c d``, ``a`` and
``b`` in one share, ``c`` and ``d`` in another (:func:`ring_shares`).  In each round,
the process whose share holds ``b`` sends a ball to ``b`` from the outside, and the
ball goes round ``laps`` times (:func:`laps`): ``b → c`` crosses, ``c → d`` stays,
``d → a`` crosses, ``a → b`` stays, and so on until ``a``, which keeps it.  Of the
``4 laps`` sends of a ball's round (the outside's first one included, which stays in
its sender's share) exactly ``2 laps`` cross, and each share runs ``2 laps`` of its
steps: every process knows its part of a round, and no ball stops while another
process still waits for it (which a fixed part of endless balls allows: a process
short of its part, every ball at its partner's, its partner done).  With ``N = 1`` the
same actors and the same messages are all in one share.

``ring`` is this tool's Wit, not one of the spec's test actors (WIT-019 …).  A runtime
given a Wit not the reference's own builds every transition in a worker thread
(RUN-005), which cost about 0.24 ms of CPU per transition capped, twice the rest of an
``echo``'s step, on every row of the workload alike: it diluted what crossing costs.
So each runtime process of the tool registers ``ring`` among the test actors of its
own process (:func:`run_inline`, never in the parent or the tests) before it makes its
runtime, which then builds it inline as it builds ``echo``: a transition judged on its
return (RUN-005.7), which suits a Wit that reads two objects and sends one message.  It
reads every pending message and forwards each ``mt: ring`` one with ``left`` above 0,
``left`` one less, its content unchanged, to the actor after it in the ring: the ball's
content is a tree mapping each actor's text-form id to a blob of the next's
(WIT-028.6), so the ball names the ring and no core names an actor whose id depends
on its own (a cycle).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from gritwit import Blob, GritObject, ObjectId, Tree
    from gritwit.runtime import Runtime
    from gritwit.store import Store
    from gritwit.wit import BuiltinActor, TransitionInput, TransitionOutput

    from ._multi_fleet import Fleet
    from ._multi_plan import Plan

#: The workload's name, the Wit's name (a ``wit`` blob's data) and its messages' ``mt``.
RING: Final = "ring"
#: Actors per ring: two in one share, two in the next (every other hop crosses).
SIZE: Final = 4
#: The header saying how many more hops a ball makes.
LEFT: Final = "left"


def ring_step(inp: TransitionInput) -> TransitionOutput:
    """The ``ring`` Wit: reads every pending message; forwards each ``mt: ring`` one whose
    ``left`` is a decimal above 0, ``left`` one less and its content unchanged, to the
    actor its content names after this one (none: dropped)."""
    from gritwit import Blob, Tree
    from gritwit.wit import Send, TransitionOutput

    sends = []
    me = inp.actor.hex()
    for items in inp.pending.values():
        for item in items:
            left = item.message.headers.get(LEFT, "")
            if item.mt != RING or not left.isdigit() or int(left) == 0:
                continue  # genesis, update, a ball at its end: only read (WIT-028.3)
            ring = inp.objects.get_object(item.message.content)
            nxt = ring.entries.get(me) if isinstance(ring, Tree) else None
            blob = None if nxt is None else inp.objects.get_object(nxt)
            if isinstance(blob, Blob):
                recipient = _id_of(blob.data)
                headers = {"mt": RING, LEFT: str(int(left) - 1)}
                sends.append(Send(recipient=recipient, content=item.message.content,
                                  headers=headers))  # fmt: skip
    read = {sender: len(items) for sender, items in inp.pending.items()}
    return TransitionOutput(core=inp.core, read=read, sends=tuple(sends), new_objects=(inp.core,))


def _id_of(text: bytes) -> ObjectId:
    from gritwit import ObjectId

    return ObjectId.from_hex(text.decode("ascii"))


@functools.cache
def ring_actor() -> BuiltinActor:
    """``ring`` as a named actor (its ``wut``, WIT-018), one object per process."""
    from gritwit.wit import BuiltinActor

    return BuiltinActor(
        name=RING,
        description="Forwards a ball round a ring of four, 'left' hops more (multi_runtime).",
        transition=ring_step,
        messages={RING: "Content: a tree of text-form actor id -> a blob of the next one's."},
    )


def actors_of(plan: Plan) -> Mapping[str, BuiltinActor]:
    """The Wits a runtime of ``plan`` is given: the test actors, and ``ring`` for ``ring``."""
    from gritwit.wit import TEST_ACTORS

    return {**TEST_ACTORS, RING: ring_actor()} if plan.workload == RING else TEST_ACTORS


def run_inline(plan: Plan) -> None:
    """In a runtime process of the tool only: make ``ring`` one of the test actors of
    this process, so that a runtime made after it builds ``ring`` inline (see the module)."""
    from gritwit.wit import TEST_ACTORS

    if plan.workload == RING:
        TEST_ACTORS.setdefault(RING, ring_actor())


def ring_shares(plan: Plan, r: int) -> tuple[int, int]:
    """The shares of ring ``r``'s first two and last two actors: ``p = r mod N`` and its
    partner ``p xor 1`` (``p`` itself when that is past ``N``, and always with one
    share), so that each pair of processes has equal parts (``_multi_process._rest``).
    An odd ``N`` above 1 is refused: its last share would have no partner."""
    n = plan.processes if plan.shares else 1
    if n > 1 and n % 2:
        raise ValueError(f"ring: an even number of shares (or 1), not {n}")
    p = r % n
    return p, (p ^ 1 if p ^ 1 < n else p)


def ring_cores(plan: Plan, r: int) -> list[tuple[Tree, tuple[GritObject, ...]]]:
    """Ring ``r``'s four cores and their objects: ``a b`` in its first share, ``c d`` in
    its second (RUN-021: a tag entry, numbered until the id falls in the share)."""
    from ._multi_plan import tagged

    first, second = ring_shares(plan, r)
    n = plan.processes if plan.shares else 1
    return [
        tagged(RING, f"ring {r} {name}", share, n)
        for name, share in zip("abcd", (first, first, second, second), strict=True)
    ]


def ring_ids(plan: Plan) -> list[list[ObjectId]]:
    """Every ring's actor ids, in the ball's order."""
    import gritwit as g

    return [[g.object_id(core) for core, _ in ring_cores(plan, r)] for r in range(plan.pairs)]


def next_of(plan: Plan) -> dict[ObjectId, ObjectId]:
    """Each ring actor's next one, the actor it forwards the ball to."""
    return {a: ids[(i + 1) % SIZE] for ids in ring_ids(plan) for i, a in enumerate(ids)}


def crossing_senders(plan: Plan) -> set[ObjectId]:
    """The ring actors whose next is in another share (RUN-021: read from both ids, as
    the runtimes read them): each of their steps sends across.  None without shares."""
    return {a for a, b in next_of(plan).items() if crossed(plan, [(a, b)])}


def laps(plan: Plan) -> int:
    """Laps of each ball in a round: the round's ``steps``, four a lap of each ring."""
    if plan.steps % (SIZE * plan.pairs):
        raise ValueError(f"ring: {plan.steps} steps are not whole laps of {plan.pairs} rings")
    return plan.steps // (SIZE * plan.pairs)


def ball_of(ids: list[ObjectId]) -> tuple[Tree, list[Blob]]:
    """A ring's ball: each actor's text-form id → a blob of the next's, and those blobs."""
    import gritwit as g
    from gritwit import Blob, Tree

    names = [Blob(data=a.hex().encode()) for a in ids]
    after = {a.hex(): g.object_id(names[(i + 1) % SIZE]) for i, a in enumerate(ids)}
    return Tree(entries=after), names


def balls(
    plan: Plan, process: int
) -> tuple[list[tuple[ObjectId, ObjectId, dict[str, str], bool]], list[GritObject]]:
    """The outside's sends of one round by process ``process`` and their objects: a ball
    to ``b`` of each ring whose first share is its own (with shares), or of every
    ``N``-th ring (without), each with ``left`` for ``laps`` laps ending at ``a``."""
    import gritwit as g

    hops = str(SIZE * laps(plan) - 1)
    objects: list[GritObject]
    sends, objects = [], []
    for r, ids in enumerate(ring_ids(plan)):
        mine = ring_shares(plan, r)[0] if plan.shares else r % plan.processes
        if mine == process:
            ball, names = ball_of(ids)
            objects += [*names, ball]
            sends.append((ids[1], g.object_id(ball), {"mt": RING, LEFT: hops}, False))
    return sends, objects


async def make_rings(runtime: Runtime, plan: Plan) -> None:
    """Make the plan's rings in ``runtime``'s store (their balls come with each round)."""
    import gritwit as g

    laps(plan)  # whole laps, or refused before any process starts
    cores = [core for r in range(plan.pairs) for core in ring_cores(plan, r)]
    genesis = [(g.object_id(c), g.object_id(c), {"mt": "genesis"}, False) for c, _ in cores]
    await runtime.send_all(genesis, [obj for _, objs in cores for obj in objs])
    await runtime.run_until_quiescent()


# --- what crossed, read from the store --------------------------------------------------------


def heads(location: str, plan: Plan) -> dict[ObjectId, ObjectId | None]:
    """Each ring actor's head step now (``None``: none yet), in the store at ``location``."""
    from gritwit.store import Store

    with Store.open(location) as store:
        return {a: store.get_ref("heads/" + a.hex()) for ids in ring_ids(plan) for a in ids}


def hops_since(
    store: Store, since: Mapping[ObjectId, ObjectId | None]
) -> list[tuple[ObjectId, ObjectId]]:
    """``(sender, recipient)`` of every message each actor of ``since`` sent in its steps
    after the step ``since`` gives it, read from ``store``: a step's sends are the outbox
    entries (WIT-009.1) its step changed from its previous step's.  Steps and mailboxes are
    read a level at a time, every actor's at once (a ``get_objects_each`` each)."""
    from gritwit.wit import mailbox_entries

    # Steps and mailboxes alike, read as the one or the other by where their ids came from.
    found: dict[ObjectId, Any] = {}

    def fetch(oids: set[ObjectId | None]) -> None:
        missing = {o for o in oids if o is not None and o not in found}
        for oid, obj in store.get_objects_each(missing):
            if isinstance(obj, Exception):
                raise obj
            found[oid] = obj

    # Each actor's step ids, newest first.
    chains: dict[ObjectId, list[ObjectId]] = {a: [] for a in since}
    tips = {a: store.get_ref("heads/" + a.hex()) for a in since}
    frontier = {a: s for a, s in tips.items() if s is not None and s != since[a]}
    while frontier:
        fetch(set(frontier.values()))
        for a, s in frontier.items():
            chains[a].append(s)
        frontier = {
            a: found[s].previous
            for a, s in frontier.items()
            if found[s].previous is not None and found[s].previous != since[a]
        }
    fetch({since[a] for a in since if chains[a]})  # the step before each actor's first
    fetch({found[s].outbox for ids in chains.values() for s in ids} | {
        found[b].outbox for a, b in since.items() if chains[a] and b is not None})  # fmt: skip

    class _Read:  # what mailbox_entries reads: the objects fetched above
        def get_object(self, oid: ObjectId) -> GritObject:
            return found[oid] if oid in found else store.get_object(oid)

        def has(self, oid: ObjectId) -> bool:
            return oid in found or bool(store.has(oid))

    reader, hops = _Read(), []
    for a, ids in chains.items():
        before = since[a]
        outboxes = [found[s].outbox for s in reversed(ids)]
        last = mailbox_entries(reader, None if before is None else found[before].outbox)
        for outbox in outboxes:
            now = mailbox_entries(reader, outbox)
            hops += [(a, b) for b, message in now.items() if last.get(b) != message]
            last = now
    return hops


def crossed(plan: Plan, hops: list[tuple[ObjectId, ObjectId]]) -> int:
    """How many of ``hops`` went between two shares of ``plan`` (RUN-021: each id's share
    as the runtimes read it, the first 8 bytes mod N); none without shares."""
    from gritwit.runtime import Share

    if not plan.shares:
        return 0
    n = plan.processes
    owners = [Share(k=k, n=n) for k in range(n)]

    def share_of(actor: ObjectId) -> int:
        return next(k for k, share in enumerate(owners) if share.owns(actor))

    return sum(1 for a, b in hops if share_of(a) != share_of(b))


def ring_heads(fleet: Fleet) -> dict[ObjectId, ObjectId | None] | None:
    """A ``ring`` fleet with shares: its actors' heads now (``None``: another fleet)."""
    (location, plan), *_ = fleet.stores().items()
    return heads(location, plan) if plan.workload == RING and plan.shares else None


def ring_sends(
    fleet: Fleet, since: dict[ObjectId, ObjectId | None] | None, rounds: int
) -> tuple[int, int] | None:
    """The sends of ``fleet``'s ring actors since ``since`` (:func:`ring_heads`) that
    crossed shares, read from its store, and all sends: those and the outside's ball of
    each ring in each of the ``rounds`` (each within its sender's share)."""
    if since is None:
        return None
    from gritwit.store import Store

    (location, plan), *_ = fleet.stores().items()
    with Store.open(location) as store:
        hops = hops_since(store, since)
    return crossed(plan, hops), len(hops) + rounds * plan.pairs
