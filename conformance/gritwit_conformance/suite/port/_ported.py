"""Driving the ``port`` profile (ADP-024): a runtime whose port reaches the suite's world,
the test actor ``courier`` (PORT-010) and what the port party sent, read from the store.

Every expected value is computed here from the clauses: the port party's id from
TIM-001.1's core (PORT-001.1), a request's id as the id of the message ``courier`` queued
(PORT-001.3), its key as that id and the courier's (PORT-006.1), and the answers by
walking the port party's outbox entry for the courier back through ``previous``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import check, fail, ok_answer

from ..services._clocked import Clocked, RunWatch, party_id
from ._world import open_worlds

Json = dict[str, Any]

#: A watched run fails once the worlds answered one request this many times (PortWatch).
AGAIN = 3

#: The port party (PORT-001.1), computed from the clause, not asked of anyone.
PORT = party_id("http")
START = 1_000_000


@dataclass(frozen=True, slots=True)
class Answer:
    """A message the port party sent: its id, headers and content object."""

    id: str
    headers: dict[str, str]
    content: g.GritObject


def rule(
    world_port: int,
    actors: list[str],
    *,
    path: str = "/",
    host: str = "127.0.0.1",
    addresses: tuple[str, ...] = ("127.0.0.1/32",),
) -> Json:
    """A rule allowing ``actors`` the world on loopback (PORT-003.1), listing its address."""
    out: Json = {"scheme": "http", "host": host, "port": world_port, "path": path, "actors": actors}
    if addresses:
        out["addresses"] = list(addresses)
    return out


class Ported(Clocked):
    """A runtime of the implementation with a port (ADP-024.1) on the harness's clock."""

    def __init__(self, impl: Implementation, path: Path, port: Json, clock: int = START) -> None:
        #: The answer to the last ``rt-open``: what must hold no secret's value (ADP-024.3).
        self.opened: Json = {}
        super().__init__(impl, path, clock, port=port)

    def watch(self) -> RunWatch:
        """The watch of one ``rt-run``: the service parties' steps (:class:`RunWatch`),
        and what the suite's worlds got (:class:`PortWatch`)."""
        return PortWatch(self.impl, self.path)

    def open(self, clock: int, **options: Any) -> None:
        """``rt-open`` with ``port`` (ADP-024.1), its answer kept in :attr:`opened`."""
        reply = self.impl.call("rt-open", path=str(self.path), clock=clock, **options)
        self.opened = ok_answer(reply, "ADP-024.1")
        self.handle = str(self.opened["runtime"])

    def courier(self, seed: str = "") -> str:
        """A new ``courier`` (PORT-010), its genesis run; ``seed`` makes its id differ."""
        state = {"seed": seed.encode().hex()} if seed else {}
        actor = str(self.ok("ADP-015", "rt-genesis", actor="courier", state=state)["actor"])
        self.run("ADP-024.2")
        return actor

    def request(
        self,
        courier: str,
        url: str,
        *,
        method: str = "GET",
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
        extra: dict[str, str] | None = None,
        run: bool = True,
    ) -> str:
        """Have ``courier`` ask the port for a request (PORT-001.2, PORT-010.1) and run;
        the request's id, read from the courier's outbox (PORT-001.3)."""
        # a headers blob always: the protocol describes no empty tree (its headers: none)
        content: Json = {"headers": {"blob": "", "headers": headers} if headers else {"blob": ""}}
        if body is not None:
            content["body"] = {"blob": body.hex()}
        request = {"mt": "port-request", "port-method": method, "port-url": url, **(extra or {})}
        description = {
            "tree": {"request": {"blob": "", "headers": request}, "content": {"tree": content}}
        }
        self.ok("ADP-015", "rt-send", to=courier, mt="port", content=description)
        if run:
            self.run("ADP-024.2")
        return self.outbox_entry(courier, PORT) or ""

    def requests(self, courier: str) -> list[str]:
        """The ids of every message ``courier`` sent the port party, oldest first."""
        return [a.id for a in self.answers(courier, sender=courier)]

    def answers(self, actor: str, sender: str | None = None) -> list[Answer]:
        """Every message the port party sent ``actor``, oldest first (PORT-008); with
        ``sender``, every message ``sender`` sent the port party instead."""
        out: list[Answer] = []
        last = self.outbox_entry(PORT, actor) if sender is None else self.outbox_entry(sender, PORT)
        while last is not None:
            message = self.obj(last)
            if not isinstance(message, g.Message):
                fail("OBJ-020.1", expected="a message", came=message, what=f"the entry {last}")
            out.append(Answer(last, dict(message.headers), self.obj(message.content.hex())))
            last = None if message.previous is None else message.previous.hex()
        return out[::-1]

    def entry(self, tree: g.GritObject, name: str) -> g.GritObject | None:
        if not isinstance(tree, g.Tree) or name not in tree.entries:
            return None
        return self.obj(tree.entries[name].hex())

    def reachable(self, roots: list[str]) -> dict[str, bytes]:
        """Every object reachable from ``roots`` (steps, mailboxes, messages, trees, blobs),
        its bytes as ``rt-object`` answers them: what a secret must never be in."""
        seen: dict[str, bytes] = {}
        todo = list(roots)
        while todo:
            oid = todo.pop()
            if oid in seen:
                continue
            data = bytes.fromhex(self.ok("ADP-015", "rt-object", id=oid)["bytes"])
            seen[oid] = data
            obj = g.decode_object(data)
            todo += [x.hex() for x in _links(obj)]
        return seen


class PortWatch(RunWatch):
    """A watched ``rt-run`` of a runtime with a port (:class:`RunWatch`), which must also
    end once the requests it holds are answered and their answers adopted (ADP-024.2).
    The suite's requests go to its worlds, so what they got tells a run that sends a
    request again and again without end, none of its answers adopted: the worlds answered
    one key :data:`AGAIN` times since the run began, where a runtime sends a request once
    per service run, and again only when the service runs again after a stop (PORT-006.2).
    A count, not a time: load cannot make a correct runtime send a request three times.
    """

    def __init__(self, impl: Implementation, path: Path) -> None:
        super().__init__(impl, path)
        self.started = time.monotonic()

    def __call__(self) -> None:
        super().__call__()
        for world in open_worlds():
            again = sorted(k for k, n in world.answered_since(self.started).items() if n >= AGAIN)
            check(
                "ADP-024.2",
                not again,
                expected="each request's answer adopted once the world answered it, and the "
                "run ended (PORT-006.2: sent again only when the service runs again)",
                came=f"the world answered the requests of the keys {again} {AGAIN} times or "
                "more during one rt-run, which has not answered",
                what="a watched rt-run of the port",
            )


def _links(obj: g.GritObject) -> list[g.ObjectId]:
    if isinstance(obj, g.Tree):
        return list(obj.entries.values())
    if isinstance(obj, g.Mailbox):
        return [*obj.entries.values(), *([obj.base] if obj.base is not None else [])]
    if isinstance(obj, g.Message):
        return [obj.content, *([obj.previous] if obj.previous is not None else [])]
    if isinstance(obj, g.Step):
        links = [obj.core, obj.inbox, obj.outbox, obj.previous]
        return [x for x in links if x is not None]
    return []


def key_of(request: str, courier: str) -> str:
    """The request's ``Idempotency-Key`` (PORT-006.1): its id, then its sender's."""
    return request + courier


#: An answer as the port tests compare it: ``("response", status)`` for a response, or
#: ``(error, clause)`` for a typed failure (PORT-008).
Outcome = tuple[str | None, str | None]


def allowed_courier(
    impl: Implementation, path: Path, world_port: int, **port: Any
) -> tuple[Ported, str]:
    """A runtime at ``path`` with a courier whose requests the policy allows to the world's
    port (PORT-003.1), and the port options ``port`` (its bounds, ADP-024.1)."""
    rt = Ported(impl, path, {})
    courier = rt.courier()
    rt.close()
    return Ported(impl, path, {"policy": [rule(world_port, [courier])], **port}), courier


def outcomes_by_id(rt: Ported, courier: str) -> dict[str | None, Outcome]:
    """Each answer to the courier's requests by the request's id (``port-id``), each read
    back as a message (OBJ-020.1, :meth:`Ported.answers`)."""
    found: dict[str | None, Outcome] = {}
    for answer in rt.answers(courier):
        h = answer.headers
        if h.get("mt") == "port-response":
            found[h.get("port-id")] = ("response", h.get("port-status"))
        else:
            found[h.get("port-id")] = (h.get("error"), h.get("clause"))
    return found


def outcomes(rt: Ported, courier: str) -> list[Outcome]:
    """The answer to each request the courier sent, in its order (``(None, None)``: none)."""
    found = outcomes_by_id(rt, courier)
    return [found.get(r, (None, None)) for r in rt.requests(courier)]
