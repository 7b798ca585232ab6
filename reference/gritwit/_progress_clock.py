"""A clock for tests of progress lines: a second per unit of work, never the wall clock.

A long command promises a line each second of its work (:mod:`gritwit._progress`).  A
test that timed it would depend on the machine's load; :class:`WorkClock` instead stands
still but for the work: each unit of work moves it one second on (:meth:`WorkClock.unit`)
and then waits until a progress line was said in that second, or :data:`PATIENCE` real
seconds have passed (counted as a second without a line: the test then fails on the
count, it does not hang).  :meth:`WorkClock.install` makes it the clock of every
progress line and counts the lines; :meth:`WorkClock.slowed` makes a step of a command
take seconds of the work; :meth:`WorkClock.check` says whether each second had its line.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

__all__ = ["PATIENCE", "WorkClock"]

#: Real seconds a unit of work waits for its line before it counts the second as missed.
PATIENCE = 3.0

Setattr = Callable[[object, str, Any], None]


class WorkClock:
    """A clock that stands still but for the work (see the module)."""

    def __init__(self, patience: float = PATIENCE) -> None:
        self.now = 0.0
        self.lines = 0
        self.units = 0
        self.missed = 0
        self.patience = patience
        self._said = threading.Condition()

    def __call__(self) -> float:
        return self.now

    def said(self) -> None:
        """A progress line was said."""
        with self._said:
            self.lines += 1
            self._said.notify_all()

    def unit(self) -> None:
        """One second of the work: the clock moves on, then waits for a line."""
        with self._said:
            before = self.lines
            self.now += 1.0
            self.units += 1
            if not self._said.wait_for(lambda: self.lines > before, self.patience):
                self.missed += 1

    def install(self, setattr: Setattr) -> None:
        """Make this the clock of every progress line and count each line but the last
        (``done: …``); ``setattr`` is a test's ``monkeypatch.setattr``, undone after it."""
        from . import _progress

        setattr(_progress, "clock", self)
        write = _progress.Progress._write

        def counted(progress: _progress.Progress, text: str) -> None:
            write(progress, text)
            if not text.startswith("done: "):
                self.said()

        setattr(_progress.Progress, "_write", counted)

    def slowed(self, setattr: Setattr, owner: object, name: str, seconds: int) -> None:
        """``owner.name`` made to take ``seconds`` of the work before it does its own."""
        original: Callable[..., Any] = getattr(owner, name)

        def slow(*args: Any, **kwargs: Any) -> Any:
            for _ in range(seconds):
                self.unit()
            return original(*args, **kwargs)

        setattr(owner, name, slow)

    def check(self, err: str, command: str) -> None:
        """Assert a line in each second of the work (at least three), each on ``err``
        under ``command``'s name (``gritwit runtime run``)."""
        lines = [line for line in err.splitlines() if ": done: " not in line]
        assert self.units >= 3, f"the work ran {self.units} unit(s); the check needs 3"
        assert self.missed == 0, (
            f"{command} --progress: expected a line in each second of its work, came none "
            f"in {self.missed} of {self.units} seconds; stderr:\n{err}"
        )
        ours = [line for line in lines if line.startswith(f"{command}: ")]
        assert len(ours) >= self.units, (
            f"{command} --progress: expected {self.units} lines or more, one a second, "
            f"under its name; came {len(ours)}:\n{err}"
        )
