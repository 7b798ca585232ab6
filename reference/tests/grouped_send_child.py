"""Child of ``test_runtime_grouped_sends.py``: grouped sends (RUN-019) killed at a chosen point.

``python grouped_send_child.py DIR setup`` makes the counters of
``group_crash_child.py`` on the durable store in ``DIR``.  ``python
grouped_send_child.py DIR POINT [GROUP [N]]`` opens a runtime with
``send_commit="group"``, sends one ``inc`` to every counter (printing ``sent``
once the send is acknowledged), then SIGKILLs itself at ``POINT``:

* ``sent`` — right after the acknowledgement, before anything else;
* ``flushed`` — right after :meth:`Runtime.flush` returned;
* ``objects``, ``swap``, ``committed`` — as in ``group_crash_child.py``, in the
  ``GROUP``-th group commit of the run that follows the send (the first holds the
  sends).

A run that ends without being killed prints ``finished``.
"""

from __future__ import annotations

import asyncio
import sys

from group_crash_child import GROUP_SIZE, _die, _install, _setup, actors

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.store import Store


async def _killed(store: Store, point: str, group: int, swap: int) -> None:
    runtime = Runtime(store, group_size=GROUP_SIZE, send_commit="group")
    await runtime.run_until_quiescent()  # loads the index: nothing is pending yet
    content = store.put_object(g.Blob(data=b"1"))
    await runtime.send_all([(a, content, {"mt": "inc"}, False) for a in actors()])
    print("sent", flush=True)
    if point == "sent":
        _die()
    if point == "flushed":
        runtime.flush()
        _die()
    _install(point, group, swap)
    await runtime.run_until_quiescent()
    print("finished", flush=True)


def main() -> None:
    directory, point = sys.argv[1], sys.argv[2]
    store = Store.open(directory)
    if point == "setup":
        asyncio.run(_setup(store))
    else:
        group = int(sys.argv[3]) if len(sys.argv) > 3 else 0
        swap = int(sys.argv[4]) if len(sys.argv) > 4 else 0
        asyncio.run(_killed(store, point, group, swap))
    store.close()


if __name__ == "__main__":
    main()
