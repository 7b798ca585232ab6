"""A runtime's settings, in one frozen value checked as it is made.

:class:`RuntimeConfig` holds every setting :class:`~gritwit.runtime.Runtime` takes
besides its store and what is injected (the Wit tables ``actors`` and ``updaters``, the
``sleep`` between retries, the ``clock`` of idle eviction): the time bound (RUN-005),
the attempts' policy (RUN-004.3, RUN-004.8), the resident bounds (RUN-012), the commit
modes and the group's bounds (RUN-017, RUN-019), the bound of steps per run (RUN-018.1),
the share (RUN-021), the byte bounds of a step and a run (RUN-022, RUN-023), the
core limit of its ``python-wasi`` actors (SBX-007.7) and the gathering window of its
wake-ups (RUN-020.8).  It is
checked on construction, with the errors and clause IDs a runtime has always raised, so
a setting a runtime refuses cannot be held: a service reads one, shows it, and hands it
to the runtime as is (``Runtime(store, config=...)``), and a test does the same.

The Wit tables stay out of it: they are code a runtime runs, read once as it is made
(RUN-005), not a setting to show or compare; like ``sleep`` and ``clock`` they are the
caller's to inject.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from ..wit import CORE_BYTES
from ._disk import LARGEST_BOUND, MAX_RUN_BYTES, MAX_STEP_BYTES
from ._events import IDLE_AFTER, MAX_RESIDENT
from ._group import COMMIT, COMMIT_MODES, GROUP_BYTES, GROUP_SIZE, SEND_COMMIT, SEND_COMMIT_MODES
from ._share import Share

__all__ = [
    "ATTEMPTS",
    "FIRST_BACKOFF",
    "GATHER",
    "MAX_CORE_BYTES",
    "MAX_STEPS",
    "TIME_LIMIT",
    "RuntimeConfig",
    "RuntimeSettings",
]

#: Default bound of one transition, in seconds (RUN-005).
TIME_LIMIT = 5.0
#: Attempts of a failing transition before its actor is marked failed (RUN-004).
ATTEMPTS = 5
#: Delay before the first retry, in seconds; each later one doubles (RUN-004).
FIRST_BACKOFF = 0.01
#: Most steps one run adopts when its caller names no bound (RUN-018.1).
MAX_STEPS = 10_000
#: The core limit of the runtime's ``python-wasi`` actors by default: 64 MiB (SBX-007.7).
MAX_CORE_BYTES = CORE_BYTES
#: Seconds a woken runtime waits from the first wake-up for more before it runs (RUN-020.8).
GATHER = 0.002
#: The longest gathering window a runtime takes, in seconds (RUN-020.8).
MAX_GATHER = 60.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeConfig:
    """A runtime's settings, each with its default; ``ValueError`` or ``TypeError``, with
    the clause it breaks, for one a runtime refuses (RUN-017.1, RUN-017.2, RUN-017.8,
    RUN-017.10, RUN-018.1, RUN-019.1, RUN-019.2, RUN-020.8, RUN-022.2, RUN-023.2, SBX-007.7)."""

    #: The bound of one transition, in seconds (RUN-005.1).
    time_limit: float = TIME_LIMIT
    #: Attempts of a failing transition before its actor is marked failed (RUN-004.3).
    attempts: int = ATTEMPTS
    #: Delay before the first retry, in seconds; each later one doubles (RUN-004.3).
    first_backoff: float = FIRST_BACKOFF
    #: Most idle actors kept in memory (``None``: no limit) (RUN-012).
    max_resident: int | None = MAX_RESIDENT
    #: Seconds after which an idle actor is evicted (``None``: never) (RUN-012).
    idle_after: float | None = IDLE_AFTER
    #: ``"group"`` or ``"step"``: how adopted steps are committed (RUN-017.1).
    commit: str = COMMIT
    #: Most steps of a group before it is committed (RUN-017.8).
    group_size: int = GROUP_SIZE
    #: Encoded bytes of a group's objects at which it is committed (RUN-017.10).
    group_bytes: int = GROUP_BYTES
    #: Most steps of a run whose caller names no bound (RUN-018.1).
    max_steps: int = MAX_STEPS
    #: ``"own"`` or ``"group"``: how sends from the outside are committed (RUN-019.1);
    #: ``None``: the default for ``commit`` and ``share`` (:attr:`send_commit_mode`).
    send_commit: str | None = None
    #: The actors this runtime runs (RUN-021); ``None``: every actor (RUN-020.4).
    share: Share | None = None
    #: Most bytes one step may add to the store (RUN-022.2).
    max_step_bytes: int = MAX_STEP_BYTES
    #: Bytes a run adds before it starts no more transitions (RUN-023.2).
    max_run_bytes: int = MAX_RUN_BYTES
    #: The core limit of its ``python-wasi`` actors: the bytes a core's files may hold
    #: where a run mounts or leaves it, where it enters and at import (SBX-007.7).
    max_core_bytes: int = MAX_CORE_BYTES
    #: Seconds a runtime woken by the store waits from the first wake-up for more before
    #: it runs, so that they are run and committed together; 0: none (RUN-020.8).
    gather: float = GATHER

    def __post_init__(self) -> None:
        commit = self.commit
        group_size, group_bytes, max_steps = self.group_size, self.group_bytes, self.max_steps
        max_step_bytes, max_run_bytes = self.max_step_bytes, self.max_run_bytes
        if commit not in COMMIT_MODES:
            raise ValueError(f"RUN-017.1: commit must be one of {COMMIT_MODES}, not {commit!r}")
        send_commit = self.send_commit_mode
        if send_commit not in SEND_COMMIT_MODES:
            raise ValueError(
                f"RUN-019.1: send_commit must be one of {SEND_COMMIT_MODES}, not {send_commit!r}"
            )
        if send_commit == "group" and commit != "group":
            raise ValueError("RUN-019.2: send_commit='group' needs commit='group'")
        if group_size < 1:
            raise ValueError(
                f"RUN-017.8, RUN-017.2: group_size must be at least 1, not {group_size}"
            )
        if group_bytes < 1:
            raise ValueError(f"RUN-017.10: group_bytes must be at least 1, not {group_bytes}")
        if max_steps < 1:
            raise ValueError(f"RUN-018.1: max_steps must be at least 1, not {max_steps}")
        for name, bound, clause in (
            ("max_step_bytes", max_step_bytes, "RUN-022.2"),
            ("max_run_bytes", max_run_bytes, "RUN-023.2"),
            ("max_core_bytes", self.max_core_bytes, "SBX-007.7"),
        ):
            if isinstance(bound, bool) or not isinstance(bound, int):
                raise TypeError(f"{clause}: {name} must be an integer, not {bound!r}")
            if not 1 <= bound <= LARGEST_BOUND:
                raise ValueError(f"{clause}: {name} must be from 1 to 2**53 - 1, not {bound}")
        gather = self.gather
        if isinstance(gather, bool) or not isinstance(gather, int | float):
            raise TypeError(f"RUN-020.8: gather must be a number of seconds, not {gather!r}")
        if not 0 <= gather <= MAX_GATHER:  # NaN fails both comparisons
            raise ValueError(f"RUN-020.8: gather must be from 0 to {MAX_GATHER:g} s, not {gather}")

    @property
    def send_commit_mode(self) -> str:
        """How sends from the outside are committed: ``send_commit``, or by default
        grouped where the runtime groups and has no share, else on their own (RUN-019.1)."""
        send_commit, commit, share = self.send_commit, self.commit, self.share
        if send_commit is None:  # RUN-019.1: grouped where the runtime groups, alone
            # With a share, other runtimes send through the outside's one outbox too
            # (RUN-003.2, RUN-021): a group carrying its swap would lose whole to theirs.
            send_commit = SEND_COMMIT if commit == "group" and share is None else "own"
        return send_commit


class RuntimeSettings(TypedDict, total=False):
    """:class:`RuntimeConfig`'s fields as keyword arguments of
    :class:`~gritwit.runtime.Runtime`, each optional (the runtime makes the config)."""

    time_limit: float
    attempts: int
    first_backoff: float
    max_resident: int | None
    idle_after: float | None
    commit: str
    group_size: int
    group_bytes: int
    max_steps: int
    send_commit: str | None
    share: Share | None
    max_step_bytes: int
    max_run_bytes: int
    max_core_bytes: int
    gather: float
