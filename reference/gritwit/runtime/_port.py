"""The port service: the runtime service that writes the port party's steps (PORT-001 … PORT-008).

A request is a message an actor's adopted step sent to the port party (PORT-001): pending
for the party until a *port step* reads it (WIT-005).  A port step reads requests, refuses
each it will not perform (PORT-005) and records the others *in flight* in its core
(PORT-007.1); only once that step is adopted are they sent, off the transition path, by
worker threads (PORT-002.2).  Each answer comes back to the service, which adopts a port
step that removes the request from those in flight and queues the answer to its sender
(PORT-008), so an answer is adopted with its removal or not at all (PORT-006.2).  A
service started on a store whose port party has requests in flight sends them again,
with the same ``Idempotency-Key`` (PORT-006.1).

A request is performed only where the operator's policy allows (PORT-003), to an address
checked (PORT-004) and never to a redirect's target (PORT-004.3); secrets are put into
its headers only as it is sent and taken out of its response before it becomes a message
(PORT-009).
"""

from __future__ import annotations

import contextlib
import queue
import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from .._codec import object_id
from .._ids import ObjectId
from .._objects import Blob, GritObject, Message, Step, Tree, make_headers
from ..store import Store, head_ref
from ..wit import ObjectReader, PendingMessage, Send
from ..wit._model import get_blob, get_tree, queued_send
from ._names import is_id_text, names_of
from ._parties import HTTP
from ._party_step import adopt_party_step
from ._party_tables import absorb_party_import, party_head_core, table_items
from ._port_policy import PolicyError, Rule, Target, allowing, parse_url
from ._port_secrets import Secrets
from ._port_send import (
    Failure,
    Outcome,
    PortBounds,
    Prepared,
    Response,
    idempotency_key,
    perform,
    resolve,
)
from ._timers import wall_clock

if TYPE_CHECKING:
    from ._door import ServiceDoor

__all__ = [
    "METHODS",
    "Failure",
    "PortBounds",
    "PortService",
    "Prepared",
    "Response",
    "absorb_port_import",
    "idempotency_key",
    "requests_in_flight",
]

#: The methods a request may name (PORT-001.2).
METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: The forms a response may take (PORT-008.1, PORT-008.3).
ANSWER_FORMS: Final = frozenset({"tree", "blob"})
#: Request headers an actor may not set (PORT-005.1): the port sets them.
_FORBIDDEN: Final = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "idempotency-key"}
)
_DECIMAL: Final = re.compile(r"(?:0|[1-9][0-9]{0,17})\Z")
_KEEP_NAME: Final = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+\Z")
_LOST_SWAPS: Final = 8
_CHUNK: Final = 65_536

#: A request in flight's key: its sender and its id (PORT-001.3).
Key = tuple[ObjectId, ObjectId]


class _Invalid(Exception):
    """A request refused as it is read (PORT-005.1, PORT-003): class and clause."""

    def __init__(self, error: str, clause: str) -> None:
        super().__init__(clause)
        self.failure = Failure(error, clause)


# --- the table: the party's core ------------------------------------------------------


def _read_table(reader: ObjectReader, core: Tree | None) -> dict[Key, ObjectId]:
    """Every request in flight of the party's ``core`` (PORT-007.1): key → its message."""
    table: dict[Key, ObjectId] = {}
    for name, message in table_items(reader, core, "requests"):
        try:
            rid, sender = ObjectId.from_hex(name[:64]), ObjectId.from_hex(name[64:])
        except ValueError:
            continue
        table[sender, rid] = message
    return table


def requests_in_flight(store: Store) -> dict[Key, ObjectId]:
    """The requests in flight as the port party's head holds them (PORT-007.1)."""
    return _read_table(store, party_head_core(store, HTTP))


# --- reading a request ----------------------------------------------------------------


def _keep(text: str | None) -> tuple[str, ...]:
    if text is None:
        return ("content-type",)
    names = tuple(text.split(","))
    if not all(_KEEP_NAME.match(n) for n in names):
        raise _Invalid("port-invalid", "PORT-001.2")
    return names


def _read_headers(
    reader: ObjectReader, blob_id: ObjectId | None, secrets: Secrets
) -> tuple[tuple[str, str], ...]:
    if blob_id is None:
        return ()
    blob = get_blob(reader, blob_id)
    if blob is None:
        raise _Invalid("port-invalid", "PORT-005.1")
    out = []
    for name, value in sorted(blob.headers.items()):
        low = name.lower()
        if low in _FORBIDDEN or not _KEEP_NAME.match(low):
            raise _Invalid("port-invalid", "PORT-005.1")
        if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value):
            raise _Invalid("port-invalid", "PORT-005.1")
        if secrets.unknown(value):
            raise _Invalid("port-invalid", "PORT-009.2")
        out.append((low, value))
    return tuple(out)


# --- the service ----------------------------------------------------------------------


@dataclass(slots=True)
class _Pass:
    """One port step in the making."""

    now: int
    table: dict[Key, ObjectId]
    counts: dict[ObjectId, int]
    changes: dict[Key, ObjectId | None]
    sends: list[Send]
    objects: list[GritObject]
    accepted: list[Key] = field(default_factory=list)


class PortService:
    """The port service of one runtime (PORT-002 … PORT-008): :meth:`run_pass` adopts at
    most one port step; requests it accepted are sent by worker threads once it is adopted,
    and their answers adopted by a later pass."""

    def __init__(
        self,
        door: Callable[[], ServiceDoor],
        *,
        policy: tuple[Rule, ...] = (),
        secrets: Secrets | None = None,
        clock: Callable[[], int] = wall_clock,
        bounds: PortBounds | None = None,
        resolve: Callable[[str, int], list[str]] = resolve,
        on_answer: Callable[[], object] | None = None,
    ) -> None:
        self._door = door
        #: Called (from a worker thread) when an answer comes back, for a caller that
        #: sleeps between passes.
        self._on_answer = on_answer
        self.policy = policy
        self.secrets = secrets or Secrets()
        self.clock = clock
        self.bounds = bounds or PortBounds()
        self._resolve = resolve
        self._pool = ThreadPoolExecutor(
            max_workers=self.bounds.max_in_flight_total, thread_name_prefix="gritwit-port"
        )
        #: Requests sent and not yet answered by a pass: key → what was sent.
        self._running: dict[Key, Prepared] = {}
        self._done: queue.SimpleQueue[tuple[Key, Outcome]] = queue.SimpleQueue()
        self._answers: dict[Key, Outcome] = {}
        #: Accepted requests per sender in the current minute of the clock (PORT-005.4).
        self._minute = -1
        self._rate: dict[ObjectId, int] = {}
        #: Closed: it adopts steps still (answers, refusals) but sends nothing more.
        self._closed = False
        #: Port steps adopted and requests sent by this service (its callers' figures).
        self.steps = 0
        self.sent = 0

    @property
    def in_flight(self) -> int:
        """Requests sent whose answers no pass has adopted yet."""
        return len(self._running) + len(self._answers)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for an answer; whether one came."""
        try:
            key, outcome = self._done.get(timeout=timeout)
        except queue.Empty:
            return False
        self._answers[key] = outcome
        return True

    def close(self) -> None:
        """Stop sending: requests not answered stay in flight in the store (PORT-006.2)."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _drain(self) -> None:
        while True:
            try:
                key, outcome = self._done.get_nowait()
            except queue.Empty:
                return
            self._answers[key] = outcome

    def run_pass(self) -> ObjectId | None:
        """Read the requests pending, answer what came back and adopt one port step; then
        send what it accepted and what was in flight unsent (a restart: PORT-006.2)."""
        door = self._door()
        self._drain()
        for _ in range(_LOST_SWAPS):
            door.commit()
            head_id, last, found = door.pending(HTTP)
            now = self.clock()
            core = None if last is None else get_tree(door.reader, last.core)
            table = _read_table(door.reader, core)
            mine = set(door.ours(set(found) | {s for s, _ in table}))
            for stale in [k for k in self._answers if k not in table]:
                # answered and removed by another writer's step: nothing left to adopt
                del self._answers[stale]
                self._running.pop(stale, None)
            answered = dict(self._answers)
            # Senders in id order; another share's requests are left pending (PORT-007.2).
            pending = {sender: found[sender] for sender in sorted(found) if sender in mine}
            if not pending and not answered:
                # Nothing of its share to read, no answer to adopt: no step (PORT-007.6).
                # Another share's requests pending would otherwise have it adopt an empty
                # step at every pass, run again at once for it, never settle, and take the
                # party's head from the share whose requests they are (RUN-002).
                self._dispatch(door.reader, table, mine)
                return None
            counts: dict[ObjectId, int] = {}
            for sender, _ in table:
                counts[sender] = counts.get(sender, 0) + 1
            job = _Pass(now, dict(table), counts, {}, [], [])
            for key, outcome in sorted(
                answered.items(), key=lambda kv: (kv[0][0].digest, kv[0][1].digest)
            ):
                self._answer(door.reader, job, key, outcome)
            for sender, items in pending.items():
                for item in items:
                    self._request(door, job, sender, item)
            changes = {rid.hex() + sender.hex(): m for (sender, rid), m in job.changes.items()}
            head = (head_id, last, core)
            built = adopt_party_step(door, "http", "requests", head, changes, pending, job)
            if built is None:
                continue  # another writer's port step won (RUN-002): read and build again
            for key in answered:
                self._answers.pop(key, None)
            self._count(now, job.accepted)
            self.steps += 1
            self._dispatch(door.reader, job.table, mine)
            return built.step_id
        return None

    # -- reading ------------------------------------------------------------------------

    def _identities(self, door: ServiceDoor, sender: ObjectId) -> set[str]:
        """The sender's id, code id and names: what a rule's ``actors`` match (PORT-003.2)."""
        out = {sender.hex()}
        head = door.store.get_ref(head_ref(sender))
        step = None if head is None else door.cache.get_object(head)
        core = get_tree(door.reader, step.core) if isinstance(step, Step) else None
        if core is not None and "wit" in core.entries:
            out.add(core.entries["wit"].hex())
        if any(not is_id_text(a) for rule in self.policy for a in rule.actors):
            out.update(names_of(door.store, sender))
        return out

    def prepare(
        self, reader: ObjectReader, key: Key, message: Message, identities: set[str] | None
    ) -> Prepared:
        """Read a request message (PORT-001.2, PORT-005.1) and judge it by the policy
        (PORT-003); ``identities`` ``None``: already accepted, the rule found again."""
        h = message.headers
        method, url_text = h.get("port-method"), h.get("port-url")
        if method not in METHODS or url_text is None:
            raise _Invalid("port-invalid", "PORT-005.1")
        try:
            url = parse_url(url_text)
        except PolicyError as exc:
            clause = "PORT-003.4" if str(exc).startswith("PORT-003.4") else "PORT-005.1"
            raise _Invalid(
                "port-refused" if clause == "PORT-003.4" else "port-invalid", clause
            ) from None
        limit_text = h.get("port-time-limit")
        limit = self.bounds.max_time if limit_text is None else _decimal(limit_text)
        if limit is None or not 1 <= limit <= self.bounds.max_time:
            raise _Invalid("port-invalid", "PORT-005.1")
        keep = _keep(h.get("port-keep"))
        _asked_form(h)
        content = get_tree(reader, message.content)
        if content is None or set(content.entries) - {"headers", "body"}:
            raise _Invalid("port-invalid", "PORT-005.1")
        headers = _read_headers(reader, content.entries.get("headers"), self.secrets)
        body_id = content.entries.get("body")
        body_blob = None if body_id is None else get_blob(reader, body_id)
        if body_id is not None and body_blob is None:
            raise _Invalid("port-invalid", "PORT-005.1")
        body = b"" if body_blob is None else body_blob.data
        if len(body) > self.bounds.max_request_bytes:
            raise _Invalid("port-too-large", "PORT-005.3")
        rule = allowing(
            self.policy, url, identities if identities is not None else _every(self.policy)
        )
        if rule is None:
            raise _Invalid("port-refused", "PORT-003.3")
        return Prepared(key, method, url, headers, body, keep, limit / 1000, rule, message.content)

    def _request(
        self, door: ServiceDoor, job: _Pass, sender: ObjectId, item: PendingMessage
    ) -> None:
        """Accept or refuse ``item`` (PORT-002.1, PORT-005); other messages read without effect."""
        if item.mt != "port-request":
            return  # PORT-001.5
        key = (sender, item.id)
        try:
            if key in job.table:
                raise _Invalid("port-invalid", "PORT-005.1")
            self.prepare(door.reader, key, item.message, self._identities(door, sender))
            if job.counts.get(sender, 0) >= self.bounds.max_in_flight:
                raise _Invalid("port-busy", "PORT-005.2")
            if len(job.table) >= self.bounds.max_in_flight_total:
                raise _Invalid("port-busy", "PORT-005.2")
            if self._over_rate(job, sender, job.now // 60_000):
                raise _Invalid("port-rate", "PORT-005.4")
        except _Invalid as refused:
            return self._fail(job, sender, item.id, item.message.content, refused.failure)
        job.table[key] = item.id  # the request message itself (PORT-007.1)
        job.changes[key] = job.table[key]
        job.counts[sender] = job.counts.get(sender, 0) + 1
        job.accepted.append(key)
        return None

    def _over_rate(self, job: _Pass, sender: ObjectId, minute: int) -> bool:
        before = self._rate.get(sender, 0) if minute == self._minute else 0
        now = sum(1 for s, _ in job.accepted if s == sender)
        return before + now >= self.bounds.max_per_minute

    def _count(self, now: int, accepted: list[Key]) -> None:
        minute = now // 60_000
        if minute != self._minute:
            self._minute, self._rate = minute, {}
        for sender, _ in accepted:
            self._rate[sender] = self._rate.get(sender, 0) + 1

    # -- answering ----------------------------------------------------------------------

    def _fail(
        self, job: _Pass, sender: ObjectId, rid: ObjectId, content: ObjectId, failure: Failure
    ) -> None:
        """A failure to the sender (PORT-005, PORT-008.2): never dropped, never its actor failed."""
        headers = make_headers(
            {
                "mt": "port-failed",
                "port-id": rid.hex(),
                "error": failure.error,
                "clause": failure.clause,
            }
        )
        job.sends.append(queued_send(sender, content, headers))

    def _answer(self, reader: ObjectReader, job: _Pass, key: Key, outcome: Outcome) -> None:
        """The answer of a request in flight, and its removal, in one step (PORT-006.2)."""
        sender, rid = key
        del job.table[key]
        job.changes[key] = None
        if isinstance(outcome, Failure):
            prepared = self._running.get(key)
            content = prepared.content if prepared is not None else _empty(job)
            return self._fail(job, sender, rid, content, outcome)
        kept = make_headers(dict(outcome.headers))
        headers = make_headers(
            {"mt": "port-response", "port-id": rid.hex(), "port-status": str(outcome.status)}
        )
        if _answer_form(reader, rid) == "blob":  # one blob, for actors that read no tree
            whole = Blob(data=outcome.body, headers=kept)
            job.objects.append(whole)
            job.sends.append(queued_send(sender, object_id(whole), headers))
            return None
        head = Blob(data=b"", headers=kept)
        body = Blob(data=outcome.body)
        tree = Tree(entries={"headers": object_id(head), "body": object_id(body)})
        job.objects += [head, body, tree]
        job.sends.append(queued_send(sender, object_id(tree), headers))
        return None

    # -- sending ------------------------------------------------------------------------

    def _dispatch(
        self, reader: ObjectReader, table: Mapping[Key, ObjectId], mine: set[ObjectId]
    ) -> None:
        """Send each request in flight of this share that no worker is sending and whose
        answer no pass holds: the newly accepted, and after a restart every one (PORT-006.2)."""
        self._running = {k: p for k, p in self._running.items() if k in table or k in self._answers}
        if self._closed:
            return  # what it accepted stays in flight in the store (PORT-006.2)
        for key, message_id in sorted(
            table.items(), key=lambda kv: (kv[0][0].digest, kv[0][1].digest)
        ):
            if key in self._running or key in self._answers or key[0] not in mine:
                continue
            message = reader.get_object(message_id)
            if not isinstance(message, Message):
                continue
            try:
                prepared = self.prepare(reader, key, message, None)
            except _Invalid as refused:  # the policy changed since it was accepted
                self._done.put((key, refused.failure))
                self._running[key] = _placeholder(key, message)
                continue
            self._running[key] = prepared
            self.sent += 1
            self._pool.submit(self._send, prepared)

    def _send(self, prepared: Prepared) -> None:
        try:
            outcome = perform(prepared, self.secrets, self.bounds, self._resolve)
        except Exception:
            outcome = Failure("port-connection", "PORT-005.7")
        self._done.put((prepared.key, outcome))
        if self._on_answer is not None:
            with contextlib.suppress(RuntimeError):  # its loop closed meanwhile: no one waits
                self._on_answer()


def _every(policy: tuple[Rule, ...]) -> set[str]:
    return {a for rule in policy for a in rule.actors}


def _asked_form(headers: Mapping[str, str]) -> str:
    """The form of the response a request's ``port-answer`` asks for, ``tree`` when
    absent; any other value than ``tree`` or ``blob`` is refused (PORT-008.3)."""
    form = headers.get("port-answer", "tree")
    if form not in ANSWER_FORMS:
        raise _Invalid("port-invalid", "PORT-008.3")
    return form


def _answer_form(reader: ObjectReader, request: ObjectId) -> str:
    """The form a request asked its response in (PORT-008.3): ``tree`` unless it said
    ``blob``; the request message is in the store, since the port step that accepted it
    read it (PORT-007.1)."""
    message = reader.get_object(request)
    if isinstance(message, Message) and message.headers.get("port-answer") == "blob":
        return "blob"
    return "tree"


def _decimal(text: str) -> int | None:
    return int(text) if _DECIMAL.match(text) else None


def _empty(job: _Pass) -> ObjectId:
    empty = Tree(entries={})
    job.objects.append(empty)
    return object_id(empty)


def _placeholder(key: Key, message: Message) -> Prepared:
    return Prepared(
        key,
        "GET",
        Target("http", "", 0, "/", "/"),
        (),
        b"",
        (),
        0.0,
        Rule("http", "", 0, "/", frozenset()),
        message.content,
    )


def absorb_port_import(store: Store, actor: ObjectId, head: Step) -> None:
    """Take an imported actor's requests as read before its head moves (PORT-007.5): a
    port step whose inbox entry for ``actor`` is its outbox entry for the port party."""
    absorb_party_import(store, HTTP, "http", actor, head)
