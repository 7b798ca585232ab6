"""``python -m asv_bench.tools.ready_cost``: its store, and a restart it measures.

The tool's figure is CI's gate (a whole process under callgrind, too slow for a test);
here its parts are checked on a small store: the store holds the steps it was asked
for, spread over its counters, and a restart after a SIGKILL reaches its first 200 from
``/readyz`` (HTTP-001.5) and says so.  No time is asserted.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="needs the serve extra: pip install -e '.[serve]'")

from asv_bench.tools import ready_cost
from gritwit import ObjectId
from gritwit.runtime._inspect import history
from gritwit.store import Store


@pytest.mark.req("HTTP-001.5")
def test_the_store_holds_the_steps_asked_for_and_a_restart_gets_ready(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store_dir = ready_cost.make_store(tmp_path / "store", steps=40, actors=4)
    with Store.open(store_dir) as store:
        actors = [ObjectId.from_hex(n.rsplit("/", 1)[1]) for n in store.list_refs("heads/")]
        steps = [len(history(store, actor)) for actor in actors]
    assert len(actors) == 4 and sum(steps) >= 40 and min(steps) == max(steps), steps
    assert ready_cost.main(["--store", str(store_dir), "--wall", "1"]) == 0
    assert capsys.readouterr().out.startswith("restart to ready: ")
