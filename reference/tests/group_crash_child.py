"""Child of ``test_group_commit.py``: a durable group-commit run killed at a chosen point.

``python group_crash_child.py DIR setup`` makes :data:`COUNTERS` counters on the
durable store in ``DIR`` and runs their geneses.  ``python group_crash_child.py DIR
POINT GROUP [N]`` sends one ``inc`` to every counter (printing ``sent`` once the
send is acknowledged), then runs them with groups of :data:`GROUP_SIZE` steps and
SIGKILLs itself at ``POINT`` of the ``GROUP``-th group commit (RUN-017.5):

* ``objects`` — every object of the group written, no head swapped yet;
* ``swap`` — right after the ``N``-th head swap of the group, inside its transaction;
* ``committed`` — the group's transaction committed, the run not yet answered.

A run that ends without being killed prints ``finished``.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from typing import Any

import gritwit as g
from gritwit.runtime import Runtime, _group
from gritwit.store import Store, StoreBatch
from gritwit.wit import test_actor_core

COUNTERS = 40
GROUP_SIZE = 8


def actors() -> list[g.ObjectId]:
    cores = [test_actor_core("counter", {"tag": g.Blob(data=b"%d" % i)}) for i in range(COUNTERS)]
    return [g.object_id(core) for core, _ in cores]


def _die() -> None:
    sys.stdout.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _install(point: str, group: int, swap: int) -> None:
    groups = [0]
    swaps = [0]
    commit = _group.CommitGroup.commit
    put_encoded = StoreBatch.put_encoded
    cas_ref = StoreBatch.cas_ref

    def counted_commit(self: _group.CommitGroup, store: Store, wake: bool = True) -> Any:
        groups[0] += 1
        swaps[0] = 0
        result = commit(self, store, wake)
        if point == "committed" and groups[0] == group:
            _die()
        return result

    def put_then_die(self: StoreBatch, encodings: Any, **fresh: Any) -> None:
        put_encoded(self, encodings, **fresh)
        if point == "objects" and groups[0] == group:
            _die()

    def swap_then_die(self: StoreBatch, *args: Any, **kwargs: Any) -> None:
        cas_ref(self, *args, **kwargs)
        swaps[0] += 1
        if point == "swap" and groups[0] == group and swaps[0] == swap:
            _die()

    _group.CommitGroup.commit = counted_commit  # type: ignore[method-assign]
    StoreBatch.put_encoded = put_then_die  # type: ignore[method-assign]
    StoreBatch.cas_ref = swap_then_die  # type: ignore[method-assign]


async def _setup(store: Store) -> None:
    runtime = Runtime(store, send_commit="own")  # the groups counted are the runs'
    cores = [test_actor_core("counter", {"tag": g.Blob(data=b"%d" % i)}) for i in range(COUNTERS)]
    objects = [obj for _, objs in cores for obj in objs]
    await runtime.send_all([(a, a, {"mt": "genesis"}, False) for a in actors()], objects)
    report = await runtime.run_until_quiescent()
    assert len(report.steps) == COUNTERS and not report.failures


async def sent_to_every_counter(store: Store, send_commit: str) -> Runtime:
    """A runtime on ``store`` (groups of ``GROUP_SIZE``, sends committed as ``send_commit``
    says) that sent one ``inc`` to every counter; ``sent`` printed once acknowledged."""
    runtime = Runtime(store, group_size=GROUP_SIZE, send_commit=send_commit)
    await runtime.run_until_quiescent()  # loads the index: nothing is pending yet
    content = store.put_object(g.Blob(data=b"1"))
    await runtime.send_all([(a, content, {"mt": "inc"}, False) for a in actors()])
    print("sent", flush=True)
    return runtime


async def _killed_run(store: Store, point: str, group: int, swap: int) -> None:
    runtime = await sent_to_every_counter(store, "own")
    _install(point, group, swap)
    await runtime.run_until_quiescent()
    print("finished", flush=True)


def main(killed: Callable[[Store, str, int, int], Coroutine[Any, Any, None]] = _killed_run) -> None:
    """``DIR setup`` makes the counters; ``DIR POINT [GROUP [N]]`` runs ``killed`` with
    them (``GROUP`` and ``N`` 0 where not given).  The grouped-send child's main too."""
    directory, point = sys.argv[1], sys.argv[2]
    store = Store.open(directory)
    if point == "setup":
        asyncio.run(_setup(store))
    else:
        group = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        swap = int(sys.argv[4]) if len(sys.argv) > 4 else 0
        asyncio.run(killed(store, point, group, swap))
    store.close()


if __name__ == "__main__":
    main()
