"""A test's exchange with the adapter, kept for the report and ``gritwit replay`` (ADP-020.7).

Every request the harness sends an implementation during a test, and the answer it
got, in order: the report carries the log of each failed, errored and timed-out test
(``results[].exchange``), so that ``gritwit replay`` can send the same requests to an
adapter outside the suite and show where its answers first part from the
reference's.  The log is bounded: the most recent :data:`KEPT` exchanges within
:data:`BUDGET` characters; older ones are dropped and counted (``dropped``), and a
request too long to keep whole is kept cut (``cut``), so that no report holds a
16 MiB object per test.  Raw lines a test writes to a separate process of the
adapter (the protocol tests of lines that are no request) are not in it.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ._messages import shorten_value

__all__ = ["BUDGET", "KEPT", "ExchangeLog"]

#: Exchanges kept per test, the most recent.
KEPT = 200
#: Characters of JSON kept per test (requests and answers together).
BUDGET = 256 * 1024
#: Longest single exchange kept whole; a longer one is kept with its long values cut.
_ONE = 64 * 1024


def _size(entry: dict[str, Any]) -> int:
    return len(json.dumps(entry, separators=(",", ":"), ensure_ascii=False))


@dataclass(slots=True)
class ExchangeLog:
    """The exchanges of the running test (mutable: it grows as the test runs)."""

    entries: deque[dict[str, Any]] = field(default_factory=deque)
    sizes: deque[int] = field(default_factory=deque)
    dropped: int = 0
    total: int = 0

    def clear(self) -> None:
        self.entries.clear()
        self.sizes.clear()
        self.dropped = 0
        self.total = 0

    def add(self, request: dict[str, Any], answer: bytes | str | None, problem: str = "") -> None:
        """One request and the line that answered it (None: no answer; ``problem``: why)."""
        entry: dict[str, Any] = {"request": request}
        text = answer.decode("utf-8", "backslashreplace") if isinstance(answer, bytes) else answer
        if text is None:
            entry["answer"] = None
        else:
            try:
                entry["answer"] = json.loads(text)
            except (ValueError, RecursionError):  # no JSON, or nested past the parser
                entry["answer"], entry["text"] = None, text.rstrip("\n")
        if problem:
            entry["problem"] = problem
        size = _size(entry)
        if size > _ONE:
            entry = {key: shorten_value(value) for key, value in entry.items()}
            entry["cut"] = True
            size = _size(entry)
        self.entries.append(entry)
        self.sizes.append(size)
        self.total += size
        while len(self.entries) > KEPT or (self.total > BUDGET and len(self.entries) > 1):
            self.entries.popleft()
            self.total -= self.sizes.popleft()
            self.dropped += 1

    def record(self) -> dict[str, Any] | None:
        """The report's ``exchange`` of a failing test; None when nothing was exchanged."""
        if not self.entries and not self.dropped:
            return None
        return {"dropped": self.dropped, "exchanges": list(self.entries)}
