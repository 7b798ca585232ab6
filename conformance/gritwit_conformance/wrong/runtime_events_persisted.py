"""Wrong adapter: lifecycle events are kept in a log file and survive a restart (RUN-014.4).

The runtime appends every event it emits to ``events.log`` in its directory and,
when a runtime opens the directory again, hands the events nobody collected to its
observers first: a durable event log, where the spec has events live in memory only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import LifecycleEvent
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-014.4"}),
    "failed",
    "lifecycle events are appended to a log file in the runtime's directory and the "
    "uncollected ones are handed out again after a restart",
    smoke=True,
)

_real_open = adapter_runtime.RuntimeCommands.cmd_rt_open
_real_events = adapter_runtime.RuntimeCommands.cmd_rt_events
#: id(open runtime) → its log file.
_logs: dict[int, Path] = {}


def cmd_rt_open(self: Any, args: Any) -> Any:
    answer = _real_open(self, args)
    log = Path(args["path"]) / "events.log"
    entry = self._open[answer["runtime"]]
    if log.exists():  # the bug: replay what the last process emitted
        for line in log.read_text("utf-8").splitlines():
            kind, actor, reason = json.loads(line)
            entry.events.append(LifecycleEvent(kind, _id(actor), reason))

    def keep(event: LifecycleEvent) -> None:
        with log.open("a", encoding="utf-8") as out:
            out.write(json.dumps([event.kind, event.actor.hex(), event.reason]) + "\n")

    entry.runtime.subscribe(keep)
    _logs[id(entry)] = log
    return answer


def cmd_rt_events(self: Any, args: Any) -> Any:
    answer = _real_events(self, args)
    log = _logs.get(id(self._rt(args)))
    if log is not None and log.exists():
        log.unlink()  # collected: not replayed again
    return answer


def _id(text: str) -> Any:
    from gritwit import ObjectId

    return ObjectId.from_hex(text)


def install() -> None:
    patch(adapter_runtime.RuntimeCommands, "cmd_rt_open", cmd_rt_open)
    patch(adapter_runtime.RuntimeCommands, "cmd_rt_events", cmd_rt_events)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
