"""Writer killed over and over by test_store_crash.py (DUR-001, DUR-002).

    python crash_writer.py STORE_DIR ACTOR_HEX [MAX_SECONDS]

Extends ``heads/<actor>`` by one step at a time, forever: a counter blob
holding the step's number, a payload blob of a random size (so that kills can
land in the middle of large writes), a core tree of the two, then a step whose
``previous`` is the current head, and a compare-and-swap of the head.  After
every swap that returned it prints ``<number> <step id>`` and flushes, so the
parent knows what must survive a kill.  On start it resumes from whatever head
the store holds.  It stops by itself after MAX_SECONDS (default 60) or when its
parent is gone, so it never outlives the test.
"""

from __future__ import annotations

import os
import random
import sys
import time

from core_numbers import entry_number

import gritwit as g
from gritwit.store import Store, head_ref


def step_number(store: Store, step_id: g.ObjectId) -> int:
    """The number stored in the counter blob of ``step_id``'s core tree."""
    return entry_number(store, step_id, "counter")


def main(argv: list[str]) -> int:
    directory, actor = argv[1], g.ObjectId.from_hex(argv[2])
    deadline = time.monotonic() + (float(argv[3]) if len(argv) > 3 else 60.0)
    parent = os.getppid()
    rng = random.Random()
    name = head_ref(actor)
    with Store.open(directory) as store:
        head = store.get_ref(name)
        number = 0 if head is None else step_number(store, head)
        while time.monotonic() < deadline and os.getppid() == parent:
            number += 1
            counter = store.put_object(g.Blob(data=str(number).encode()))
            payload = store.put_object(g.Blob(data=rng.randbytes(rng.choice([0, 100, 70_000]))))
            core = store.put_object(g.Tree(entries={"counter": counter, "payload": payload}))
            step = store.put_object(g.Step(actor=actor, core=core, previous=head))
            store.cas_ref(name, head, step)
            head = step
            print(number, step.hex(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
