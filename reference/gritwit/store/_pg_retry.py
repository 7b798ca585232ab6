"""Whole transactions run again after a serialization failure or deadlock (DUR-007).

At ``REPEATABLE READ`` and ``SERIALIZABLE`` (CockroachDB's default; what YugabyteDB
runs ``READ COMMITTED`` as by default) a database server may abort a transaction with
SQLSTATE ``40001`` (``serialization_failure``) or ``40P01`` (``deadlock_detected``)
because of another writer.  The server rolled the transaction back: nothing of it was
kept, so running the *whole* transaction again, from its first statement, is safe.
:func:`retrying` does that, a bounded number of times, with full-jitter exponential
backoff; after the last attempt it raises :class:`~gritwit.StoreBusy` (``store-busy``,
DUR-007.3), a definite failure.

Only these two SQLSTATEs are retried.  A connection lost while a commit was on its way
(:class:`psycopg.OperationalError`) has an unknown outcome — the commit may have
happened — and is never run again here.  Nor is a transaction whose body is the
caller's (a batch's ``with`` block): only a function that runs the whole transaction.

Every retry is counted, process-wide, by SQLSTATE (:func:`retries`), so a report can
say how many it took.  With :data:`LOG_VARIABLE` set to a file's path, each retry also
appends its SQLSTATE as one line to that file, so that a run of many processes — some
killed with ``SIGKILL`` — can count them all (the tests' conformance runs do).
"""

from __future__ import annotations

import functools
import os
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Final, ParamSpec, TypeVar

import psycopg

from .._errors import StoreBusy

__all__ = [
    "ATTEMPTS",
    "BASE_DELAY",
    "LOG_VARIABLE",
    "MAX_DELAY",
    "RETRIED",
    "retried",
    "retries",
    "retrying",
]

T = TypeVar("T")
P = ParamSpec("P")

#: Attempts in all, the first included, before :class:`~gritwit.StoreBusy`.
ATTEMPTS: Final = 10
#: Seconds: the first retry waits up to this, each later one up to twice the one before …
BASE_DELAY: Final = 0.002
#: … but never more than this.
MAX_DELAY: Final = 0.25
#: The server errors a whole transaction is run again after, by SQLSTATE.
RETRIED: Final = {
    "40001": psycopg.errors.SerializationFailure,
    "40P01": psycopg.errors.DeadlockDetected,
}
_RETRIED_TYPES: Final = tuple(RETRIED.values())

#: The environment variable naming a file each retry's SQLSTATE is appended to.
LOG_VARIABLE: Final = "GRITWIT_PG_RETRY_LOG"

_counted: Counter[str] = Counter()
_counted_guard = threading.Lock()


def retries() -> dict[str, int]:
    """The retries taken so far in this process, by SQLSTATE (``{"40001": n, "40P01": m}``)."""
    with _counted_guard:
        return {state: _counted[state] for state in RETRIED}


def _count(state: str) -> None:
    with _counted_guard:
        _counted[state] += 1
    log = os.environ.get(LOG_VARIABLE)
    if log:
        with open(log, "a", encoding="ascii") as file:  # one short append: whole lines
            file.write(state + "\n")


def retrying(
    transaction: Callable[[], T],
    *,
    attempts: int = ATTEMPTS,
    base_delay: float = BASE_DELAY,
    max_delay: float = MAX_DELAY,
    rng: Callable[[], float] = random.random,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``transaction()``, run again while it fails with ``40001`` or ``40P01`` (DUR-007.2).

    ``transaction`` must run one whole transaction — begin to commit — each time it is
    called.  Before retry ``k`` (1, 2, …) it sleeps ``rng() × min(max_delay,
    base_delay × 2^(k−1))`` seconds (full jitter).  After ``attempts`` failures it
    raises :class:`~gritwit.StoreBusy` from the last one.  Other errors pass unchanged.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, not {attempts}")
    for attempt in range(1, attempts + 1):
        try:
            return transaction()
        except _RETRIED_TYPES as exc:
            state = exc.sqlstate or "40001"
            if attempt == attempts:
                raise StoreBusy(
                    "DUR-007.3",
                    f"the transaction failed {attempts} times with SQLSTATE {state}"
                    f" ({type(exc).__name__}); nothing of it was kept",
                ) from exc
            _count(state)
            sleep(rng() * min(max_delay, base_delay * 2 ** (attempt - 1)))
    raise AssertionError("unreachable")  # pragma: no cover


def retried(method: Callable[P, T]) -> Callable[P, T]:
    """A method whose every call is :func:`retrying` of the whole call (DUR-007.2): for
    methods that run one whole transaction (or one statement) per call.  An argument
    that is a one-shot iterator (a generator) is read into a list first, so that every
    attempt gets all of it."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        again = [list(a) if isinstance(a, Iterator) else a for a in args]
        named = {k: list(v) if isinstance(v, Iterator) else v for k, v in kwargs.items()}
        return retrying(lambda: method(*again, **named))  # type: ignore[arg-type]

    return run
