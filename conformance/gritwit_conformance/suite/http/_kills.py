"""Keyed clients sending to a service that the suite SIGKILLs (HTTP-001.4, HTTP-005.3).

Each :class:`KeyedClient` runs in a thread of its own, with a connection of its own, and
sends ``inc`` messages of 1 to a counter of its own, each with an ``Idempotency-Key`` of
its own, one after another. What it keeps is a ledger: every key it used, the message
each acknowledged key was answered with (a 202, or a 200 replaying it), and the key of
a request that got no answer (cut off by a kill) — which it sends again, with the same
key, first thing after the service is back (HTTP-005.4: the message is then delivered
once).

:class:`KillRound` is the suite's side of one kill: the client whose answer makes the
round's count of acknowledged answers reach its target SIGKILLs the implementation at
once, in its own thread, with no hand-over to another thread first. So the kill comes
right after a batch of answers: every send answered so far must survive it (HTTP-001.4,
HTTP-005.2), and one answered before its commit ended is lost unless that commit ended
in the moment between the answer and the kill. Between kills, a :class:`Freezer` makes
the same observation without ending the service: the client that reads an answer stops
the implementation (``SIGSTOP``) and has another of its processes look for the message
in the store, then lets it go on, so each round checks many answers, not one.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from ._api import shown

__all__ = ["Freezer", "KeyedClient", "KillRound", "Tally"]

#: Seconds a :class:`Freezer` keeps the service stopped waiting for its reader.
PATIENCE = 2.0

#: Statuses a send may answer under load, for a retry later with the same key: a busy
#: or stopping service, or a store that was unavailable (HTTP-003.2); and 504
#: ``outcome-unknown``, which the client settles by sending again (HTTP-005.4).
RETRY_LATER = frozenset({503, 504})


class Freezer:
    """Checks, the moment an answer arrives, that its message is in the store.

    The acknowledged send's client stops the implementation's processes (``SIGSTOP`` to
    the adapter's process group: the service makes no progress from then on, as after a
    kill) and asks a reader, another process of the implementation with the service's
    store open (ADP-010.6), whether the message is there; then lets the service go on
    (``SIGCONT``). A message answered before its commit ended is absent unless that
    commit ended between the answer's write and the stop. One check at a time; an
    answer that comes while one runs is not checked. A reader that does not answer
    within :data:`PATIENCE` seconds (a store that makes readers wait for a stopped
    writer) gets the service going again, and its late answer, read after the commit
    could end, only ever finds the message there.
    """

    def __init__(self, group: int, has: Callable[[str], bool]) -> None:
        self._group = group
        self._has = has
        self._busy = threading.Lock()
        self.checked = 0
        self.absent: list[str] = []

    def check(self, message: str) -> None:
        if not self._busy.acquire(blocking=False):
            return
        resumed = threading.Event()

        def resume() -> None:
            if not resumed.is_set():
                resumed.set()
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(self._group, signal.SIGCONT)

        timer = threading.Timer(PATIENCE, resume)
        try:
            os.killpg(self._group, signal.SIGSTOP)
            timer.start()
            present = self._has(message)
            if not present and not resumed.is_set():
                self.absent.append(message)
            self.checked += 1
        finally:
            timer.cancel()
            resume()
            self._busy.release()


class KillRound:
    """One round's count of acknowledged answers, and the kill it triggers at ``target``
    (``None``: a round without a kill); every ``every``-th answer is checked by the
    :class:`Freezer`, if any, as it arrives."""

    def __init__(
        self,
        target: int | None,
        kill: Callable[[], None],
        freezer: Freezer | None = None,
        every: int = 1,
    ) -> None:
        self.target = target
        self._kill = kill
        self._freezer = freezer
        self._every = every
        self._lock = threading.Lock()
        self.acknowledged = 0
        self.killed = threading.Event()

    def answered(self, message: str) -> None:
        """One more acknowledged answer: the one that reaches ``target`` kills at once,
        others may be checked (:class:`Freezer`)."""
        with self._lock:
            self.acknowledged += 1
            due = self.acknowledged == self.target and not self.killed.is_set()
            if due:
                self.killed.set()
                self._kill()
                return
            check = self._freezer is not None and self.acknowledged % self._every == 0
        if check and self._freezer is not None and not self.killed.is_set():
            self._freezer.check(message)

    def kill_now(self) -> None:
        """Kill, unless a client has already (the round's deadline passed)."""
        with self._lock:
            if self.target is not None and not self.killed.is_set():
                self.killed.set()
                self._kill()


@dataclass
class Tally:
    """What one client's sends came to, once the service has run them all."""

    keys: int  # keys sent, each acknowledged in the end
    absent: list[str]  # acknowledged messages not in the store
    count: int  # what the counter counted
    replayed: int  # retries of unanswered sends answered 200: the first had been sent

    @property
    def lost(self) -> int:
        """Acknowledged sends the counter does not hold: absent, or present but not counted."""
        return len(self.absent) + max(0, self.keys - len(self.absent) - self.count)

    @property
    def twice(self) -> int:
        """Deliveries beyond one per acknowledged send that survived."""
        return max(0, self.count - (self.keys - len(self.absent)))


@dataclass
class KeyedClient:
    """One client: its counter, its keys, and what each got."""

    number: int
    actor: str
    seconds: float
    acknowledged: dict[str, str] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)
    replayed: int = 0
    sent: int = 0
    #: Answers no clause allows here, in words: the test fails on them.
    anomalies: list[str] = field(default_factory=list)

    def _key(self) -> str:
        self.sent += 1
        return f"client-{self.number}-send-{self.sent}"

    def run(self, url: str, round_: KillRound | None, *, most: int) -> None:
        """Send the unanswered keys again, then new ones, until ``most`` new sends are
        acknowledged, or a kill cuts a request off (its key is then unanswered)."""
        with httpx.Client(base_url=url, timeout=self.seconds, trust_env=False) as client:
            retries, self.unanswered = self.unanswered, []
            new = 0
            while retries or new < most:
                if round_ is not None and round_.killed.is_set():
                    self.unanswered.extend(retries)
                    return
                retry = bool(retries)
                key = retries.pop(0) if retry else self._key()
                if not self._send(client, key, retry=retry):
                    self.unanswered.append(key)
                    self.unanswered.extend(retries)
                    return
                new += not retry
                if round_ is not None and key in self.acknowledged:
                    round_.answered(self.acknowledged[key])

    def _send(self, client: httpx.Client, key: str, *, retry: bool) -> bool:
        """One keyed ``inc`` of 1; ``True`` once it is acknowledged, ``False`` when the
        request got no answer."""
        while True:
            try:
                response = client.post(
                    f"/v1/actors/{self.actor}/messages",
                    json={"content": {"blob": b"1".hex()}, "mt": "inc"},
                    headers={"Idempotency-Key": key},
                )
            except httpx.TransportError:
                return False
            if response.status_code in RETRY_LATER:
                time.sleep(0.05)
                continue
            return self._acknowledged(key, response, retry=retry)

    def _acknowledged(self, key: str, response: httpx.Response, *, retry: bool) -> bool:
        status = response.status_code
        try:
            answer = response.json()
        except ValueError:
            answer = None
        message = answer.get("message") if isinstance(answer, dict) else None
        replayed = answer.get("replayed") if isinstance(answer, dict) else None
        if status not in (200, 202) or not isinstance(message, str) or replayed != (status == 200):
            self.anomalies.append(
                f"HTTP-005.2, HTTP-005.3: the keyed send {key} answered {shown(response)}, "
                'not 202 {"message": M, "replayed": false} or 200 replaying it'
            )
            return True  # answered: not sent again
        if status == 200 and not retry:
            self.anomalies.append(
                f"HTTP-005.3: the first send of the key {key} answered 200 replayed "
                f"({shown(response)}), as if it had been sent before"
            )
        earlier = self.acknowledged.get(key)
        if earlier is not None and earlier != message:
            self.anomalies.append(
                f"HTTP-005.3: the key {key} was answered {earlier}, then {message}"
            )
        self.acknowledged[key] = message
        self.replayed += status == 200
        return True

    def again(self, url: str, lost: set[str]) -> int:
        """Send every acknowledged key again, as it was (HTTP-005.3: each among the latest
        1,000 to its counter): each must answer 200 with its message, sending nothing.
        The number sent anew (202); lost messages are not asked again."""
        anew = 0
        with httpx.Client(base_url=url, timeout=self.seconds, trust_env=False) as client:
            for key, message in list(self.acknowledged.items()):
                if message in lost:
                    continue
                try:
                    response = client.post(
                        f"/v1/actors/{self.actor}/messages",
                        json={"content": {"blob": b"1".hex()}, "mt": "inc"},
                        headers={"Idempotency-Key": key},
                    )
                except httpx.TransportError as exc:
                    self.anomalies.append(
                        f"HTTP-005.3: the key {key} sent again: no answer ({exc})"
                    )
                    continue
                anew += response.status_code == 202
                if response.status_code != 200 or response.json() != {
                    "message": message,
                    "replayed": True,
                }:
                    self.anomalies.append(
                        f"HTTP-005.3: the key {key}, acknowledged with {message}, sent again "
                        f"answers {shown(response)}, not 200 replaying {message}"
                    )
        return anew

    def tally(self, client: httpx.Client, count: int) -> Tally:
        """This client's sends against the store, through ``client``, and ``count``."""
        absent = []
        for message in self.acknowledged.values():
            response = client.get(f"/v1/objects/{message}")
            if response.status_code == 404:
                absent.append(message)
            elif response.status_code != 200:
                self.anomalies.append(
                    f"HTTP-009.1: GET /v1/objects/{message} answered {shown(response)}"
                )
        return Tally(len(self.acknowledged), absent, count, self.replayed)
