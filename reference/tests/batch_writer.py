"""Writer killed by test_store_postgres.py's mid-batch test (RUN-017, DUR-002).

    python batch_writer.py STORE ITEMS [MAX_SECONDS [wrong]]

``STORE`` is what :meth:`Store.open` takes (a directory or a PostgreSQL URL).
Writes batch after batch, each one :meth:`Store.batch` block: batch ``n`` puts
``ITEMS`` blobs ``b"<n>/<i>"`` padded to a few KiB (so a kill can land inside
the block), points ``names/batch/<n>/<i>`` at each, and moves ``names/last``
from batch ``n - 1``'s first blob to its own.  After each block has returned
(committed) it prints ``<n>`` and flushes.  It resumes after the batch
``names/last`` names and stops after MAX_SECONDS (default 60) or when its parent
is gone.  ``wrong`` makes it a deliberately wrong PostgreSQL store whose batch is
no transaction (each write commits on its own), for the test that must catch that.
Before each block it prints ``begin <n>``, so the parent can tell a kill
that came after a block began.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator

import gritwit as g
from gritwit._codec import encode_with_id
from gritwit.store import Store

PAD = 4000


def item(n: int, i: int) -> g.Blob:
    """The ``i``-th blob of batch ``n``: its label, then padding."""
    return g.Blob(data=f"{n}/{i}/".encode().ljust(PAD, b"."))


def batch_of(store: Store, oid: g.ObjectId | None) -> int:
    """The number of the batch whose first blob is ``oid`` (0 for none)."""
    if oid is None:
        return 0
    blob = store.get_object(oid)
    assert isinstance(blob, g.Blob)
    return int(blob.data.split(b"/")[0])


def _install_the_wrong_batch() -> None:
    """Deliberately wrong: the writes of a PostgreSQL store's batch each commit on their own."""
    from gritwit.store._postgres import PostgresBackend, PostgresBatch

    @contextlib.contextmanager
    def batch(self: PostgresBackend) -> Iterator[PostgresBatch]:
        with self._connection() as conn:  # autocommit: no transaction around the block
            yield PostgresBatch(conn)

    PostgresBackend.batch = batch  # type: ignore[method-assign,assignment]


def main(argv: list[str]) -> int:
    location, items = argv[1], int(argv[2])
    if argv[4:5] == ["wrong"]:
        _install_the_wrong_batch()
    deadline = time.monotonic() + (float(argv[3]) if len(argv) > 3 else 60.0)
    parent = os.getppid()
    with Store.open(location) as store:
        last = store.get_ref("names/last")
        n = batch_of(store, last)
        while time.monotonic() < deadline and os.getppid() == parent:
            n += 1
            encoded = [encode_with_id(item(n, i)) for i in range(items)]
            print("begin", n, flush=True)
            with store.batch() as batch:
                batch.put_encoded(encoded)
                for i, (_, oid) in enumerate(encoded):
                    batch.cas_ref(f"names/batch/{n}/{i}", None, oid)
                batch.cas_ref("names/last", last, encoded[0][1])
            last = encoded[0][1]
            print(n, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
