"""The benchmarks' counting proxy counts the commits a store makes (asv_bench/_counting.py).

``multi_runtime`` and ``bench_multi_runtime`` check the proxies' count of write commits
against the PostgreSQL server's own (``_multi._check_commits``): a proxy that counts a
commit the store did not make turns that check red.  A batch whose block raises keeps
nothing (DUR-002), so it is no commit; one that ends is one.
"""

from __future__ import annotations

import pytest

import gritwit as g
from asv_bench._counting import Counting
from gritwit.store import Store


@pytest.mark.req("DUR-002", "RUN-017")
def test_a_batch_counts_a_commit_only_when_its_block_ends() -> None:
    counting = Counting()
    backend = counting.backend(Store.memory().backend)
    blob = g.encode_object(g.Blob(data=b"counted"))
    oid = g.object_id(g.decode_object(blob))
    with backend.batch() as batch:
        batch.insert_many([(oid, blob)])
    assert counting.counts.commits == 1
    with pytest.raises(RuntimeError), backend.batch() as batch:
        batch.insert_many([(oid, blob)])
        raise RuntimeError("a swap lost: the block gives up")
    assert counting.counts.commits == 1  # the block that raised made no commit
