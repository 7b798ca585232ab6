"""Idempotency keys: a send's key in its message, settled by the store (HTTP-005.3 … 005.5).

A key travels in the message it names, as the header ``idempotency-key`` (HTTP-005.3), so
it is durable exactly when the message is.  A key is *found* for a recipient when the
outside's outbox entry for it, or a message that entry's ``previous`` chain reaches
among the latest :data:`WINDOW` messages, carries it (HTTP-005.4, RUN-019.6): the walk
stops at a message without ``previous`` (a signal, or the first message), as WIT-005's
walk does.

:class:`KeyWindows` keeps, per recipient, what the last walk found: the entry it started
from and the keyed messages among the latest :data:`WINDOW`, each with its place in the
chain.  A later look-up walks only from the entry now back to the one it knows, so a
new key costs the messages sent since, not a thousand reads.  Pure: it reads messages
through the function it is given.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from .._ids import ObjectId
from .._objects import Message

__all__ = [
    "KEY_HEADER",
    "WINDOW",
    "BadKey",
    "Fingerprint",
    "Found",
    "KeyWindows",
    "check_key",
    "fingerprint_of",
]

#: The message header a key travels in (HTTP-005.3).
KEY_HEADER: Final = "idempotency-key"
#: How many of the latest messages to a recipient a key is looked for among (HTTP-005.3).
WINDOW: Final = 1000
#: The longest key (HTTP-005.3).
MAX_KEY: Final = 255


class BadKey(ValueError):
    """An ``Idempotency-Key`` that is not 1 to 255 characters from ``!`` to ``~``."""


def check_key(value: str) -> str:
    """``value`` when it is a key HTTP-005.3 allows, else :class:`BadKey`."""
    if not 1 <= len(value) <= MAX_KEY:
        raise BadKey(f"HTTP-005.3: an Idempotency-Key has 1 to {MAX_KEY} characters")
    if not all("!" <= char <= "~" for char in value):
        raise BadKey("HTTP-005.3: an Idempotency-Key has only the characters ! to ~")
    return value


@dataclass(frozen=True, slots=True, kw_only=True)
class Fingerprint:
    """What a keyed request asks to send: its content, ``mt`` and whether it signals.

    ``signal`` is ``None`` when the store cannot tell (a message without ``previous``
    may be a signal or the first message queued, WIT-004).
    """

    content: ObjectId
    mt: str | None
    signal: bool | None

    def matches(self, other: Fingerprint) -> bool:
        """The same content and ``mt``, and no signal that the two say differently
        (HTTP-005.5)."""
        if self.content != other.content or self.mt != other.mt:
            return False
        return self.signal is None or other.signal is None or self.signal == other.signal


def fingerprint_of(message: Message) -> Fingerprint:
    """What ``message`` sent, as far as the message tells (HTTP-005.5)."""
    return Fingerprint(
        content=message.content,
        mt=message.headers.get("mt"),
        signal=False if message.previous is not None else None,
    )


@dataclass(frozen=True, slots=True)
class Found:
    """A message carrying a key: its id and what it sent."""

    message: ObjectId
    fingerprint: Fingerprint


@dataclass(slots=True)
class _Window:
    """What is known of one recipient's chain: the entry the walk started from, its place
    (``top``), and the keyed messages at or above ``top - WINDOW + 1``, oldest first."""

    entry: ObjectId | None
    top: int = 0
    keyed: deque[tuple[int, str, Found]] = field(default_factory=deque)
    by_key: dict[str, tuple[int, Found]] = field(default_factory=dict)

    def add(self, place: int, key: str, found: Found) -> None:
        self.keyed.append((place, key, found))
        self.by_key[key] = (place, found)

    def prune(self, window: int) -> None:
        """Forget the keyed messages that fell out of the latest ``window``."""
        while self.keyed and self.keyed[0][0] <= self.top - window:
            place, key, _ = self.keyed.popleft()
            if self.by_key.get(key, (None,))[0] == place:
                del self.by_key[key]


class KeyWindows:
    """Keys found among the latest messages to each recipient (HTTP-005.4).

    ``read`` returns a stored message by id; ``window`` is how many of the latest
    messages count; at most ``recipients`` recipients are remembered (the least recently
    asked is forgotten, and walked again when asked).  ``walked`` counts the messages
    read, for tests of the cache.
    """

    def __init__(
        self,
        read: Callable[[ObjectId], Message],
        *,
        window: int = WINDOW,
        recipients: int = 4096,
    ) -> None:
        if window < 1 or recipients < 1:
            raise ValueError("HTTP-005.3: the window and the recipients kept are positive")
        self._read = read
        self._window = window
        self._recipients = recipients
        self._known: OrderedDict[ObjectId, _Window] = OrderedDict()
        self.walked = 0

    def find(self, recipient: ObjectId, entry: ObjectId | None, key: str) -> Found | None:
        """The message carrying ``key`` on ``recipient``'s chain from ``entry`` (the
        outside's outbox entry for it now) among the latest messages, or ``None``."""
        known = self._catch_up(recipient, entry)
        hit = known.by_key.get(key)
        return None if hit is None else hit[1]

    def _catch_up(self, recipient: ObjectId, entry: ObjectId | None) -> _Window:
        known = self._known.get(recipient)
        if known is not None:
            self._known.move_to_end(recipient)
            if known.entry == entry:
                return known
        stop = None if known is None else known.entry
        walked: list[tuple[str | None, Found]] = []  # newest first
        current, reached = entry, False
        while current is not None and len(walked) < self._window:
            if current == stop:
                reached = True
                break
            message = self._read(current)
            self.walked += 1
            key = message.headers.get(KEY_HEADER)
            walked.append((key, Found(current, fingerprint_of(message))))
            current = message.previous
        if known is None or not reached:
            known = _Window(entry)
        known.entry = entry
        base = known.top
        known.top = base + len(walked)
        for offset, (key, found) in enumerate(reversed(walked), start=1):
            if key is not None:
                known.add(base + offset, key, found)
        known.prune(self._window)
        self._known[recipient] = known
        self._known.move_to_end(recipient)
        while len(self._known) > self._recipients:
            self._known.popitem(last=False)
        return known

    def forget(self, recipient: ObjectId) -> None:
        """Walk ``recipient``'s chain afresh next time."""
        self._known.pop(recipient, None)
