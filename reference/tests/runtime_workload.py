"""Workload killed over and over by test_runtime_crash.py (RUN-001, RUN-003, RUN-007).

    python runtime_workload.py STORE_DIR [MAX_SECONDS]

Runs a fixed script on the durable store in STORE_DIR with the reference
runtime: four counters fed ``inc`` messages, a fan-out to two echoes (their
echoes go back to the fan-out), and a requester asking an echo.  Every
outside message carries a ``seq`` header with its index in the script; on
start the script's progress is read back from the store (the ``seq`` headers
on the outside's outbox chains), so a restarted child never re-sends what was
sent.  Prints ``sent <seq>`` after each send, ``ran <steps>`` after each run
and ``done`` at the end; stops by itself after MAX_SECONDS (default 60) or
when its parent is gone.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Iterator

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.wit import outside_entries, pending, read_outside, test_actor_core

Op = tuple[g.ObjectId, g.ObjectId, dict[str, str], tuple[g.GritObject, ...]]
#: The outside's sends to counters, echoes and the requester: 48, or
#: ``GRITWIT_WORKLOAD_OPS`` (``test_pg_failover.py`` runs more than 1,000 messages).
OPS = int(os.environ.get("GRITWIT_WORKLOAD_OPS", "48"))


def _blob(text: str) -> g.Blob:
    return g.Blob(data=text.encode())


def actors() -> dict[str, tuple[g.Tree, tuple[g.GritObject, ...]]]:
    """The workload's actors by role: c0 … c3, e0, e1, fan, req."""
    made = {f"c{i}": test_actor_core("counter", {"tag": _blob(str(i))}) for i in range(4)}
    made |= {f"e{i}": test_actor_core("echo", {"tag": _blob(str(i))}) for i in range(2)}
    made["fan"] = test_actor_core("fanout")
    made["req"] = test_actor_core("requester")
    return made


def script() -> Iterator[Op]:
    """The outside's messages, in order (the ``seq`` header is added by the sender)."""
    cores = actors()
    ids = {role: g.object_id(core) for role, (core, _) in cores.items()}
    for role, (_, objects) in cores.items():
        yield ids[role], ids[role], {"mt": "genesis"}, objects
    names = {f"e{i}": _blob(ids[f"e{i}"].hex()) for i in range(2)}
    fan_tree = g.Tree(entries={k: g.object_id(v) for k, v in names.items()})
    to = _blob(ids["e0"].hex())
    for i in range(OPS - len(cores)):
        amount = _blob(str(i + 1))
        yield ids[f"c{i % 4}"], g.object_id(amount), {"mt": "inc"}, (amount,)
        if i % 5 == 0:
            yield ids["fan"], g.object_id(fan_tree), {"mt": "fanout"}, (*names.values(), fan_tree)
        if i % 7 == 0:
            question = _blob(f"q{i}")
            ask = g.Tree(entries={"to": g.object_id(to), "question": g.object_id(question)})
            yield ids["req"], g.object_id(ask), {"mt": "ask"}, (to, question, ask)


def sent_seqs(store: g.Store) -> set[int]:
    """The ``seq`` of every message the outside has sent (read back from the store)."""
    seqs: set[int] = set()
    for entry in outside_entries(store, read_outside(store)).values():
        seqs |= {int(item.message.headers["seq"]) for item in pending(store, entry, None)}
    return seqs


async def main(directory: str, deadline: float) -> int:
    parent = os.getppid()
    with g.Store.open(directory) as store:
        runtime = Runtime(store)
        done = sent_seqs(store)
        print("ran", len((await runtime.run_until_quiescent()).steps), flush=True)
        for seq, (recipient, content, headers, objects) in enumerate(script()):
            if time.monotonic() > deadline or os.getppid() != parent:
                return 1
            if seq in done:
                continue
            await runtime.send(recipient, content, {**headers, "seq": str(seq)}, objects)
            print("sent", seq, flush=True)
            if seq % 3 == 2:
                print("ran", len((await runtime.run_until_quiescent()).steps), flush=True)
        print("ran", len((await runtime.run_until_quiescent()).steps), flush=True)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    sys.exit(asyncio.run(main(sys.argv[1], time.monotonic() + limit)))
