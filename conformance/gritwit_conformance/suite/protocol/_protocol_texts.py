"""Helpers of the adapter protocol's tests over every input class
(``test_request_fields_and_keys``, ``test_content_descriptions``,
``test_command_texts_and_order``, split by behaviour).

Text of every class of :mod:`gritwit_conformance.data._classes` (ASCII, mixed case, the BMP
with U+E000–U+FFFF, astral, lone surrogates, NUL, empty) as answered text (ADP-001.3),
unknown request fields and ignored members (ADP-002, ADP-004.9), repeated keys
(ADP-004.7, OBJ-018.10), byte-string arguments (ADP-004.5), names, headers, ``mt``,
``state`` names, actor names, query names, workloads, programs, messages and limits;
both sides of the limits (16 levels of content descriptions, 32 levels inside
``encode``, ``max_steps``, ``n`` of ``perf-run``, ``limits``); and orders every
plausible wrong rule gets wrong (tree entries built in canonical order; candidates,
erased blobs and answered objects in ascending id order, with ids on both sides of
0x80 so that a signed byte comparison fails).

Expected answers are computed here from the rules (the ids of the objects and
messages a command builds, with :mod:`gritwit`'s object model) or, for a sandboxed
program's run, taken from an in-process reference.
"""

from __future__ import annotations

from typing import Any

import blake3

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation

ALL = tc.all_samples()
LONE = list(tc.TEXT_SAMPLES["lone-surrogate"])


def _outcome(reply: Any) -> str:
    return "ok" if reply.ok else str(reply.error_class)


def _lone(s: str) -> bool:
    return not tc.is_valid_text(s)


def _to(i: int) -> str:
    """A recipient of its own for each send, so every message is the first to it."""
    return blake3.blake3(f"recipient {i}".encode()).hexdigest()


# --- the objects a command builds, computed here (ADP-014, WIT-002, WIT-004) ------------------


def _content_id(description: dict[str, Any]) -> g.ObjectId:
    if "blob" in description:
        headers = description.get("headers", {})
        return g.object_id(g.Blob(data=bytes.fromhex(description["blob"]), headers=headers))
    entries = {name: _content_id(child) for name, child in description["tree"].items()}
    return g.object_id(g.Tree(entries=entries))


def _message_id(content: dict[str, Any], mt: str | None) -> str:
    headers = {} if mt is None else {"mt": mt}
    return str(g.object_id(g.Message(content=_content_id(content), headers=headers)).hex())


def _actor_id(wit: g.Blob, state: dict[str, str]) -> str:
    entries = {"wit": g.object_id(wit)}
    for name, data in state.items():
        entries[name] = g.object_id(g.Blob(data=bytes.fromhex(data)))
    return str(g.object_id(g.Tree(entries=entries)).hex())


def _test_actor(name: str, state: dict[str, str] | None = None) -> str:
    wit = g.Blob(data=name.encode("utf-8"), headers={"runtime": "test-actor"})
    return _actor_id(wit, state or {})


def _send(impl: Implementation, runtime: str, i: int, content: Any, mt: str | None) -> Any:
    args: dict[str, Any] = {"to": _to(i), "content": content}
    if mt is not None:
        args["mt"] = mt
    return impl.call("wit-send", check=False, runtime=runtime, **args)
