"""Seeded-random scenarios: genesis/send/run sequences over a few actors (WIT-004 … WIT-011).

Each scenario uses ``random.Random(seed)`` with a fixed seed, so the file is
reproducible; the draws pick actors, message types, contents, signals, late
geneses, updates and step limits.  What the reference answers is recorded.
"""

from __future__ import annotations

import random
from typing import Final

from gritwit._ids import ObjectId
from gritwit.wit import ACTOR_CLAUSES

from ._scenario_build import Scenario, blob, core, tree

__all__ = ["COUNT", "random_scenarios"]

COUNT: Final = 64
_KINDS: Final = ("echo", "counter", "budget", "requester", "fanout", "spawner", "updater")
_BASE: Final = (
    "WIT-003", "WIT-004", "WIT-005", "WIT-006", "WIT-007.1", "WIT-008.1", "WIT-009.1", "WIT-010.1",
    "WIT-010.2", "WIT-011",
)  # fmt: skip


def _content(
    rng: random.Random, kind: str, actors: list[ObjectId]
) -> tuple[str, dict[str, object]]:
    """A message type and content that ``kind`` understands (or, sometimes, does not)."""
    other = rng.choice(actors)
    if kind == "counter":
        return rng.choice(["inc", "get"]), blob(rng.choice(["", "1", "2", "17", "x"]))
    if kind == "budget":
        return "spend", blob(str(rng.randrange(0, 12)))
    if kind == "requester":
        return "ask", tree(to=blob(other.hex()), question=blob(f"q{rng.randrange(100)}"))
    if kind == "fanout":
        chosen = rng.sample(actors, rng.randrange(1, len(actors) + 1))
        return "fanout", tree(**{f"r{i}": blob(a.hex()) for i, a in enumerate(chosen)})
    if kind == "spawner":
        return "spawn", core(rng.choice(["echo", "counter"]), n=f"s{rng.randrange(4)}")
    if kind == "updater":
        return "set-code", blob(rng.choice(["echo", "counter", "updater"]))
    return rng.choice(["m", "hello", "ping"]), blob(f"t{rng.randrange(1000)}")


def _scenario(seed: int) -> Scenario:
    rng = random.Random(seed)
    kinds = [rng.choice(_KINDS) for _ in range(rng.randrange(2, 5))]
    if rng.random() < 0.15:
        kinds.append("failing")
    flags = ["SeededRandom"]
    requirements = sorted({*_BASE, *(ACTOR_CLAUSES[k] for k in kinds)})
    s = Scenario(
        f"random/seed-{seed}",
        f"seeded random operations (seed {seed}) over {', '.join(kinds)}",
        tuple(requirements),
        (),
    )
    cores = [core(kind, n=str(i)) for i, kind in enumerate(kinds)]
    from ._scenario_build import content_id

    actors = [content_id(c) for c in cores]
    late = {i for i in range(len(kinds)) if rng.random() < 0.2}
    for i, kind in enumerate(kinds):
        if i not in late:
            s.genesis(kind, n=str(i))
    for _ in range(rng.randrange(4, 14)):
        roll = rng.random()
        if roll < 0.6:
            i = rng.randrange(len(kinds))
            mt, content = _content(rng, kinds[i], actors)
            signal = rng.random() < 0.15
            flags += ["Signal"] if signal else []
            s.send(actors[i], mt, content, signal=signal)
        elif roll < 0.68:
            i = rng.randrange(len(kinds))
            s.send(actors[i], "update", tree(extra=blob(str(rng.randrange(3)))))
            flags.append("Update")
        elif roll < 0.75 and late:
            i = late.pop()
            s.send(actors[i], "genesis", cores[i])
        else:
            limited = rng.random() < 0.3
            flags += ["StepLimit"] if limited else []
            s.run(rng.randrange(1, 4) if limited else 100)
    s.run(200)
    s.flags = tuple(sorted(set(flags)))
    if "Update" in s.flags:
        s.requirements = tuple(sorted({*s.requirements, "WIT-013.2", "WIT-013.4"}))
    return s


def random_scenarios() -> list[Scenario]:
    """:data:`COUNT` scenarios, seeds 1 … COUNT."""
    return [_scenario(seed) for seed in range(1, COUNT + 1)]
