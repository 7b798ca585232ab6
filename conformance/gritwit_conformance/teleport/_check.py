"""One scenario, one ordered pair: A's source runtime → B's target → A's home (RUN-009.7).

:func:`check_scenario` gives an :class:`Outcome`: *passed*, *failed* (an answer, an
export or an import other than the reference's, with the clauses it breaks and the
first divergence), *errored* (an adapter broke the protocol, ADP-012, or the scenario
itself is wrong) or *not-run* (a profile the scenario needs is not claimed, ADP-006,
or the reference here cannot run it).  A not-run scenario is never a pass.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..harness._implementation import Implementation, MissingCommand
from ..harness._transport import AdapterBroken
from ._mirror import Divergence, Leg, SuiteBug
from ._move import move
from ._scenarios import Scenario

__all__ = ["OpenLeg", "Outcome", "Status", "check_scenario", "not_run_reason", "run_legs"]

Status = Literal["passed", "failed", "errored", "not-run"]
#: Opens the leg ``source``, ``target`` or ``home`` with the clauses its answers break.
OpenLeg = Callable[[str, tuple[str, ...]], Leg]
#: What the source leg's answers break: the runtime before any move (not the move's fault).
BEFORE_MOVE = ("ADP-015",)


@dataclass(slots=True)
class Outcome:
    """What one scenario did for one ordered pair."""

    scenario: str
    status: Status
    requirements: tuple[str, ...] = ()
    reason: str = ""
    #: Where it stopped: ``source``, ``move``, ``target``, ``move back``, ``home``.
    stage: str = ""
    #: Answers compared with the reference's after the first move.
    compared: int = 0
    seconds: float = 0.0
    bundles: list[int] = field(default_factory=list)
    #: The exception behind an *errored* outcome, for a caller that reports it itself.
    exception: BaseException | None = field(default=None, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "status": self.status,
            "requirements": list(self.requirements),
            "reason": self.reason,
            "stage": self.stage,
            "compared": self.compared,
            "bundle_bytes": self.bundles,
            "seconds": round(self.seconds, 3),
        }


def not_run_reason(
    scenario: Scenario, a: Implementation, b: Implementation, oracle: Implementation
) -> str:
    """Why the scenario cannot run for this pair, or ``""``: unclaimed profiles first."""
    for role, impl in (("A", a), ("B", b)):
        missing = [p for p in ("runtime", *scenario.profiles) if p not in impl.profiles]
        if missing:
            claims = ", ".join(sorted(impl.profiles)) or "none"
            return (
                f"{role} ({impl.label}) does not claim the profile {', '.join(missing)} "
                f"(it claims: {claims})"
            )
    if "sandbox" in scenario.profiles and "sandbox" not in oracle.profiles:
        return (
            "the reference here has no pinned interpreter (gritwit.sandbox.interpreter_path() "
            "finds none; pip install 'gritwit[sandbox]'), so it cannot compute the steps to compare"
        )
    return ""


def check_scenario(
    scenario: Scenario,
    a: Implementation,
    b: Implementation,
    oracle: Implementation,
    workdir: Path | None = None,
) -> Outcome:
    """Run ``scenario`` from ``a`` to ``b`` and back, every answer against ``oracle``."""
    started = time.monotonic()
    outcome = Outcome(scenario.name, "passed")
    try:
        why = not_run_reason(scenario, a, b, oracle)
    except AdapterBroken as exc:
        outcome.status, outcome.reason = "errored", f"no handshake: {exc}"
        outcome.requirements = (exc.requirement, "ADP-012")
        return outcome
    if why:
        outcome.status, outcome.reason = "not-run", why
        return outcome
    with tempfile.TemporaryDirectory(prefix="gritwit-teleport-", dir=workdir) as tmp:
        top = Path(tmp)

        def open_leg(name: str, rules: tuple[str, ...]) -> Leg:
            return Leg(b if name == "target" else a, oracle, top, name, rules)

        run_legs(scenario, open_leg, outcome)
    for impl in (a, b):
        impl.reset()  # a broken exchange is this scenario's: the next starts afresh
    outcome.seconds = time.monotonic() - started
    return outcome


def run_legs(scenario: Scenario, open_leg: OpenLeg, outcome: Outcome) -> None:
    """Source, move, target, move back, home: ``outcome`` says how far it went and why.

    ``open_leg`` gives each leg (an adapter's runtime in :func:`check_scenario`, a
    service in :mod:`._http`); an exception other than the ones an outcome records
    (e.g. ``NotOverHttp``) passes through, every leg closed.
    """
    names: dict[str, Any] = {}
    legs: list[Leg] = []
    rules = scenario.requirements
    try:
        outcome.stage = "source"
        source = open_leg("source", BEFORE_MOVE)
        legs.append(source)
        actors = scenario.source(source, names)
        outcome.stage = "move"
        target = open_leg("target", rules)
        legs.append(target)
        outcome.bundles += [len(x) // 2 for x in move(source, target, actors, rules)]
        outcome.stage = "target"
        scenario.target(target, names)
        outcome.stage = "move back"
        home = open_leg("home", rules)
        legs.append(home)
        back = actors[::-1]  # the other order of imports (RUN-009.11: whatever the order)
        outcome.bundles += [len(x) // 2 for x in move(target, home, back, rules)]
        outcome.stage = "home"
        scenario.home(home, names)
        outcome.stage = ""
    except Divergence as exc:
        before = outcome.stage == "source"
        outcome.status, outcome.requirements = "failed", exc.requirements
        outcome.reason = (
            "before the move, so not a fault of the move itself: " if before else ""
        ) + exc.message
    except MissingCommand as exc:
        outcome.status, outcome.requirements = "failed", (*exc.requirements, "ADP-015")
        outcome.reason, outcome.exception = str(exc), exc
    except AdapterBroken as exc:
        outcome.status, outcome.requirements = "errored", (exc.requirement, "ADP-012")
        outcome.reason = f"the adapter broke the protocol: {exc}"
        outcome.exception = exc
    except SuiteBug as exc:
        outcome.status, outcome.reason, outcome.exception = "errored", f"suite bug: {exc}", exc
    finally:
        outcome.compared = sum(leg.compared for leg in legs[1:])
        for leg in legs:
            with contextlib.suppress(AdapterBroken, MissingCommand):
                leg.close()
