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

from group_crash_child import _die, _install, main, sent_to_every_counter

from gritwit.store import Store


async def _killed(store: Store, point: str, group: int, swap: int) -> None:
    runtime = await sent_to_every_counter(store, "group")
    if point == "sent":
        _die()
    if point == "flushed":
        runtime.flush()
        _die()
    _install(point, group, swap)
    await runtime.run_until_quiescent()
    print("finished", flush=True)


if __name__ == "__main__":
    main(_killed)
