"""``gritwit teleport``'s run: every scenario, A → B and B → A, into one JSON document.

The document (:data:`FORMAT`) names the two implementations as their ``hello``
describes them (ADP-005) and holds one *direction* per ordered pair, each with its
scenarios' outcomes and a status: ``pass`` (every scenario ran and passed),
``partial`` (some passed, the others could not run), ``fail``, ``errored`` or
``not-run`` (no scenario could run: never a pass).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from gritwit._version import SPEC_VERSION

from .. import SUITE_VERSION
from ..harness._implementation import Implementation, InProcess
from ..harness._transport import AdapterBroken
from ._check import Outcome, check_scenario
from ._scenarios import SCENARIOS

__all__ = ["FORMAT", "describe", "direction_status", "run_directions"]

#: The JSON report's format tag.
FORMAT: Final = "gritwit-teleport/1"


def describe(impl: Implementation) -> dict[str, Any]:
    """The implementation as its handshake names it (ADP-005); ``error`` if it has none."""
    entry: dict[str, Any] = {
        "command": impl.label,
        "kind": "stdio" if impl.can_kill else "in-process",
    }
    try:
        hello = impl.info()
    except AdapterBroken as exc:
        return {**entry, "name": None, "version": None, "profiles": [], "error": exc.reason}
    who = hello.get("implementation", {})
    return {
        **entry,
        "name": who.get("name"),
        "version": who.get("version"),
        "language": who.get("language"),
        "profiles": sorted(hello.get("profiles", ())),
        "error": None,
    }


def direction_status(outcomes: Sequence[Outcome]) -> str:
    """One word for a direction: fail, errored, not-run, partial or pass."""
    seen = Counter(o.status for o in outcomes)
    if seen["failed"]:
        return "fail"
    if seen["errored"]:
        return "errored"
    if not seen["passed"]:
        return "not-run"
    return "partial" if seen["not-run"] else "pass"


def run_directions(
    a: Implementation,
    b: Implementation,
    scenarios: Sequence[str],
    *,
    both_ways: bool = True,
    workdir: Path | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Run ``scenarios`` from ``a`` to ``b`` (and from ``b`` to ``a``); the JSON document."""
    started = time.monotonic()
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    oracle = InProcess()
    implementations = {"a": describe(a), "b": describe(b)}
    pairs = [("a", "b", a, b)] + ([("b", "a", b, a)] if both_ways else [])
    directions = []
    try:
        for from_, to, source, target in pairs:
            outcomes = []
            for name in scenarios:
                outcome = check_scenario(SCENARIOS[name], source, target, oracle, workdir)
                progress(f"{from_.upper()} → {to.upper()}  {name:10} {outcome.status}")
                outcomes.append(outcome)
            directions.append(
                {
                    "from": from_,
                    "to": to,
                    "status": direction_status(outcomes),
                    "counts": dict(Counter(o.status for o in outcomes)),
                    "scenarios": [o.to_json() for o in outcomes],
                }
            )
    finally:
        oracle.close()
    return {
        "format": FORMAT,
        "suite": {"name": "gritwit-conformance", "version": SUITE_VERSION},
        "spec": SPEC_VERSION,
        "started": stamp,
        "duration": round(time.monotonic() - started, 3),
        "scenarios": {n: SCENARIOS[n].description for n in scenarios},
        "implementations": implementations,
        "directions": directions,
    }
