"""A CPU cap per runtime process: each one as if on a small machine of its own (DUR-005,
RUN-021).

Two cores shared by many processes cannot show that more runtimes add throughput: the
cores, not the design, bound every configuration.  Capping each runtime process at a
fraction of a core with a kernel CPU quota, and leaving the server uncapped, simulates
runtimes on machines of their own in front of one server.

* :func:`find` reads the mount table and the process's own cgroups and chooses the
  mechanism: **cgroup v2** ``cpu.max`` where a v2 hierarchy has the ``cpu`` controller
  enabled for the process's group's children (or can enable it), **cgroup v1**
  ``cpu.cfs_quota_us``/``cpu.cfs_period_us`` where a v1 ``cpu`` hierarchy is mounted,
  else ``None`` (no cap possible: the caller says so and refuses).
* :class:`Cap` makes one group per process under the process's own group, writes the
  quota, moves the process in, and reads ``cpu.stat``'s ``nr_periods`` and
  ``nr_throttled`` (the same names in v1 and v2): the share of periods in which the cap
  bound.  A cap that never binds proves nothing, so the tool prints that share beside
  every capped figure.

Standard library only; the functions take the mount table and ``/proc/self/cgroup``
as text so that tests can point them at a directory tree of their own.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

#: The scheduler period written with the quota, microseconds (the kernel's default).
PERIOD_US: Final = 100_000
#: Prefix of the groups this module makes (so that one left behind is recognisable).
PREFIX: Final = "gritwit-cap"


@dataclass(frozen=True, slots=True)
class Controller:
    """Where capped groups are made: ``version`` ``"v2"`` (``cpu.max``) or ``"v1"``
    (``cpu.cfs_quota_us``), under the directory ``parent``."""

    version: str
    parent: Path

    def describe(self) -> str:
        files = "cpu.max" if self.version == "v2" else "cpu.cfs_quota_us/cpu.cfs_period_us"
        return f"cgroup {self.version} {files} under {self.parent}"


@dataclass(frozen=True, slots=True)
class Throttling:
    """``cpu.stat``'s periods with runnable work and those in which the quota bound."""

    periods: int = 0
    throttled: int = 0

    def __sub__(self, other: Throttling) -> Throttling:
        return Throttling(self.periods - other.periods, self.throttled - other.throttled)

    def __add__(self, other: Throttling) -> Throttling:
        return Throttling(self.periods + other.periods, self.throttled + other.throttled)

    def bound(self) -> float | None:
        """The share of periods in which the cap bound (``None``: no period counted)."""
        return self.throttled / self.periods if self.periods else None


def _mounts(mounts: str) -> list[tuple[Path, str, set[str]]]:
    """``(mount point, file system type, options)`` of each line of a mount table."""
    found = []
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) >= 4:
            point = parts[1].replace("\\040", " ")
            found.append((Path(point), parts[2], set(parts[3].split(","))))
    return found


def _own_groups(self_cgroup: str) -> dict[str, str]:
    """``/proc/self/cgroup`` as controller → path (``""`` for the v2 line ``0::/path``)."""
    groups: dict[str, str] = {}
    for line in self_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for name in parts[1].split(",") if parts[1] else [""]:
                groups[name] = parts[2]
    return groups


def _inside(point: Path, path: str) -> Path:
    return point / path.lstrip("/")


def _v2_ready(parent: Path) -> bool:
    """Whether children of ``parent`` get the ``cpu`` controller (enabling it if allowed)."""
    try:
        available = (parent / "cgroup.controllers").read_text().split()
        if "cpu" not in available:
            return False
        control = parent / "cgroup.subtree_control"
        if "cpu" in control.read_text().split():
            return True
        control.write_text("+cpu\n")  # refused where the group has processes of its own
        # the kernel shows "cpu" once enabled (a "+" kept is a plain file's echo, as in tests)
        return "cpu" in {name.lstrip("+") for name in control.read_text().split()}
    except OSError:
        return False


def find(mounts: str | None = None, self_cgroup: str | None = None) -> Controller | None:
    """The mechanism a cap can use on this machine: cgroup v2 where its ``cpu`` controller
    is enabled (or can be) below this process's group, else cgroup v1's ``cpu``
    hierarchy where mounted and writable, else ``None``.  ``mounts`` and ``self_cgroup``
    default to ``/proc/self/mounts`` and ``/proc/self/cgroup``."""
    try:
        mounts = Path("/proc/self/mounts").read_text() if mounts is None else mounts
        self_cgroup = Path("/proc/self/cgroup").read_text() if self_cgroup is None else self_cgroup
    except OSError:
        return None
    groups = _own_groups(self_cgroup)
    table = _mounts(mounts)
    for point, kind, _ in table:
        if kind == "cgroup2" and "" in groups:
            parent = _inside(point, groups[""])
            if _v2_ready(parent):
                return Controller("v2", parent)
    for point, kind, options in table:
        if kind == "cgroup" and "cpu" in options and "cpu" in groups:
            parent = _inside(point, groups["cpu"])
            if (parent / "cpu.cfs_quota_us").exists() and os.access(parent, os.W_OK):
                return Controller("v1", parent)
    return None


def parse_stat(text: str) -> Throttling:
    """``nr_periods`` and ``nr_throttled`` of a ``cpu.stat`` (0 where absent)."""
    values = dict(line.split()[:2] for line in text.splitlines() if len(line.split()) >= 2)
    return Throttling(int(values.get("nr_periods", 0)), int(values.get("nr_throttled", 0)))


class Cap:
    """One capped group: ``percent`` of one core for the processes moved into it.

    Use it as a context manager: leaving it moves any process still inside back to the
    parent group and removes the group."""

    def __init__(self, controller: Controller, name: str, percent: float) -> None:
        if not 0 < percent <= 100 * (os.cpu_count() or 1):
            raise ValueError(f"a CPU cap of {percent} % of a core is out of range")
        self.controller = controller
        self.path = controller.parent / f"{PREFIX}-{os.getpid()}-{name}"
        self.quota_us = max(1000, round(PERIOD_US * percent / 100))  # the kernel's least

    def __enter__(self) -> Cap:
        self.path.mkdir(exist_ok=True)
        if self.controller.version == "v2":
            (self.path / "cpu.max").write_text(f"{self.quota_us} {PERIOD_US}\n")
        else:
            (self.path / "cpu.cfs_period_us").write_text(f"{PERIOD_US}\n")
            (self.path / "cpu.cfs_quota_us").write_text(f"{self.quota_us}\n")
        return self

    def add(self, pid: int) -> None:
        """Move process ``pid`` (all its threads) into the group."""
        (self.path / "cgroup.procs").write_text(f"{pid}\n")

    def throttling(self) -> Throttling:
        """The group's periods and throttled periods so far."""
        try:
            return parse_stat((self.path / "cpu.stat").read_text())
        except OSError:
            return Throttling()

    def __exit__(self, *_: object) -> None:
        with contextlib.suppress(OSError):
            left = (self.path / "cgroup.procs").read_text().split()
            for pid in left:
                with contextlib.suppress(OSError):
                    (self.controller.parent / "cgroup.procs").write_text(f"{pid}\n")
        with contextlib.suppress(OSError):
            self.path.rmdir()
