"""An actor's authority is its input and its output (RUN-016).

What a Wit is handed gives no way to reach a ref or the store: the object
reader of its input answers reads only, whatever the Wit does with it, and
the Wasm ABI's host functions — a Wasm Wit's only imports — name no ref.
Every ref change during a run is the runtime's own (heads, the outside's
outbox), made in the order of RUN-001.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from aio import run

import gritwit as g
from gritwit.runtime import Runtime
from gritwit.wasm._abi import IMPORTS
from gritwit.wit import (
    TEST_ACTORS,
    TransitionInput,
    TransitionOutput,
    Wit,
    outside_ref,
    test_actor_core,
)

#: ``encoding`` returns only what ``add`` made of the transition's own objects: no authority;
#: ``read_ahead`` reads objects a page at a time into the reader's own memory, as
#: ``get_object`` does one by one (a core's walk, SBX-006.16): it writes nothing.
PUBLIC_READER_API = {"get_object", "has", "add", "encoding", "read_ahead"}


def _probe(seen: list[set[str]]) -> Wit:
    def transition(inp: TransitionInput) -> TransitionOutput:
        seen.append({n for n in dir(inp.objects) if not n.startswith("_")})
        return TEST_ACTORS["echo"](inp)

    return transition


@pytest.mark.req("RUN-016.1", "RUN-016.2", "WIT-006")
def test_a_python_wit_gets_a_read_only_reader_and_moves_no_ref() -> None:
    store = g.Store.memory()
    seen: list[set[str]] = []
    actors: Mapping[str, Wit] = {**TEST_ACTORS, "echo": _probe(seen)}
    runtime = Runtime(store, actors=actors)
    core, objects = test_actor_core("echo")
    blob = g.Blob(data=b"hi")

    async def scenario() -> g.ObjectId:
        actor = await runtime.genesis(core, objects)
        await runtime.send(actor, g.object_id(blob), {"mt": "m"}, [blob])
        await runtime.run_until_quiescent()
        return actor

    actor = run(scenario())
    assert seen and all(api <= PUBLIC_READER_API for api in seen), seen
    # Only the runtime's refs exist: the actor's head and the outside's mailbox for it.
    assert set(store.list_refs("")) == {"heads/" + actor.hex(), outside_ref(actor)}


@pytest.mark.req("RUN-016.1", "RUN-016.3", "WASM-002")
def test_the_wasm_host_functions_are_the_specs_and_none_reaches_a_ref() -> None:
    """Every host function is one the spec defines (WASM-007 … WASM-014), named in its text."""
    spec = (Path(__file__).resolve().parents[2] / "spec" / "08-wasm.md").read_text()
    defined = set(re.findall(r"`([a-z_]+)\(", spec))
    assert set(IMPORTS) <= defined
    # The spec's functions read messages and the core, change the core, send and answer:
    # by their name, none is about refs, files, the network or time.
    for name in IMPORTS:
        family = name.split("_")[0]
        assert family in {"msg", "mark", "core", "send", "query", "answer"}, name
