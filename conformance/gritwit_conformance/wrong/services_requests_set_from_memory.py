"""Wrong adapter: the timer service sets only the requests its own process saw sent
(TIM-002.3).

TIM-002.3 sets a timer exactly when the step that sent the request is adopted, whoever
adopted it: a request in a step adopted just before a kill is set by the restarted
runtime. This service trusts only the requests its process's transitions made (as if
told of them in memory rather than by the store): a request adopted by the process that
was killed is read after the restart and never set.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as _adapter_runtime
from gritwit.runtime import _alarm, _timers
from gritwit.wit import PendingMessage, TransitionInput, TransitionOutput
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("services",),
    frozenset({"TIM-002.3"}),
    "failed",
    "a request adopted by a process before a kill is never set: only requests sent in "
    "the service's own process are",
)

_real_request = _timers.TimerService._request
_real_alarm = _alarm.ALARM.transition

#: The requests ``alarm`` sent the timer party in this process: content and headers.
_SEEN: set[tuple[Any, tuple[tuple[str, str], ...]]] = set()


def _key(content: Any, headers: Any) -> tuple[Any, tuple[tuple[str, str], ...]]:
    return content, tuple(sorted(dict(headers).items()))


def _alarm_seen(inp: TransitionInput) -> TransitionOutput:
    out = _real_alarm(inp)
    for send in out.sends:
        if send.recipient == _timers.TIMER:
            _SEEN.add(_key(send.content, send.headers))
    return out


def _request(
    self: _timers.TimerService, job: _timers._Pass, sender: Any, item: PendingMessage
) -> None:
    message = item.message
    if item.mt == "timer-set" and _key(message.content, message.headers) not in _SEEN:
        return None  # the bug: a request this process did not see sent is not set
    return _real_request(self, job, sender, item)


def install() -> None:
    alarm = dataclasses.replace(_alarm.ALARM, transition=_alarm_seen)
    patch(_adapter_runtime, "SERVICE_TEST_ACTORS", {"alarm": alarm})
    patch(_timers.TimerService, "_request", _request)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
