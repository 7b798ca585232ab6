"""A service on a share settles while another share's request waits for the port (PORT-007.6).

A runtime of share 1/2 makes a ``courier`` of its share send a request to the port
party and stops before any port pass reads it. A service on share 0/2 of the same store
then starts: the request is another share's (PORT-007.2), so its port passes read
nothing, adopt no step (PORT-007.6), and ``POST /v1/settle`` answers quiescent
(HTTP-011.1). A pass that adopted an empty step each time had the service run again at
once for ever: the settle answered ``{"quiescent": false}`` after its whole timeout, and
two services on shares 0/2 and 1/2 of one PostgreSQL store never settled after kills.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from port_requests import courier_request
from serve_helpers import JSON, serving

from gritwit import Blob, ObjectId, Store, object_id
from gritwit.runtime import HTTP, SERVICE_TEST_ACTORS, Runtime, Share
from gritwit.serve import EngineSettings
from gritwit.wit import TEST_ACTORS, test_actor_core

ACTORS = {**TEST_ACTORS, **SERVICE_TEST_ACTORS}


def _request_of_share_one(store_dir: Path) -> ObjectId:
    """A courier of share 1/2 whose adopted step sent a port request no pass has read."""
    store_dir.mkdir(parents=True)
    with Store.open(store_dir) as store:
        runtime = Runtime(store, actors=ACTORS, share=Share(k=1, n=2))

        async def send() -> ObjectId:
            for seed in range(1, 64):
                core, objects = test_actor_core("courier", {"seed": Blob(data=b"%d" % seed)})
                if Share(k=1, n=2).owns(object_id(core)):  # RUN-021.1
                    courier = await runtime.genesis(core, objects)
                    await runtime.run_until_quiescent()
                    content, parts = courier_request("http://127.0.0.1:9/x")
                    await runtime.send(courier, content, {"mt": "port"}, parts, False)
                    await runtime.run_until_quiescent()
                    return courier
            raise AssertionError("63 seeds, none in share 1/2")

        courier = asyncio.run(send())
        runtime.flush()
        assert store.get_ref(f"heads/{HTTP.hex()}") is None  # no port pass ran
    return courier


@pytest.mark.req("PORT-007.6", "PORT-007.2", "HTTP-011.1")
def test_a_share_service_settles_while_another_shares_request_waits(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    courier = _request_of_share_one(store_dir)
    settings = EngineSettings(share=Share(k=0, n=2))
    with serving(store_dir, settings=settings) as served:
        answer = served.client.post("/v1/settle", json={"timeout": 10}, headers=JSON)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"quiescent": True}
        # the other share's request is still pending, and no port step was adopted
        assert served.client.get(f"/v1/refs/heads/{HTTP.hex()}").status_code == 404
        assert served.client.get(f"/v1/actors/{courier.hex()}").status_code == 200
