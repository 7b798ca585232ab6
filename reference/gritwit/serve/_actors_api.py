"""The handlers of the actor endpoints (HTTP-004 … HTTP-008, HTTP-010.1, HTTP-012.2)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, Final

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from .._codec import encode_with_id
from .._ids import ObjectId
from .._json import object_to_json
from ..runtime import Share, is_id_text
from ._auth import require_actor, require_batch, require_scope
from ._content import build_content, new_core, parse_id
from ._engine_commands import Create, Send, SendBatch, Sent
from ._http import (
    ask,
    bad,
    count_param,
    handler,
    json_body,
    query_params,
    raw_form,
    state_of,
)
from ._json_body import Field, is_bool, is_list, is_object, is_text
from ._keys import BadKey, check_key
from ._limits import BUNDLE_MEDIA, CBOR_MEDIA
from ._openapi import actor_document
from ._port import (
    ActorEntry,
    ActorFilter,
    ActorPage,
    BindName,
    ClearFailed,
    ExportActor,
    HistoryPage,
    ResolveActor,
    ResolveActors,
    RunQuery,
    TimersOf,
)
from ._problems import HttpProblem
from ._sniff import answer_form

__all__ = [
    "actor",
    "actor_of",
    "actor_openapi",
    "actors",
    "bundle",
    "create",
    "events",
    "history",
    "timers",
    "query",
    "send",
    "send_batch",
    "unfail",
]

_CREATE_FIELDS: Final = {
    "core": Field(False, is_text, "a text-form id"),
    "test": Field(False, is_text, "the name of a test actor"),
    "wasm": Field(False, is_text, "a Wasm module in lowercase hexadecimal"),
    "python": Field(False, is_text, "the text of a program"),
    "state": Field(False, is_object, "an object of entry names to hexadecimal data"),
    "name": Field(False, is_text, "an actor name"),
    "placement": Field(False, is_text, "a text-form id or an actor name (HTTP-004.8)"),
}
_SEND_FIELDS: Final = {
    "content": Field(True, is_object, "a content description"),
    "mt": Field(False, is_text, "text"),
    "signal": Field(False, is_bool, "a boolean"),
}
_TO: Final = Field(True, is_text, "a text-form id or an actor name")
_KEY: Final = Field(False, is_text, "an idempotency key")
_BATCH_FIELDS: Final = {"messages": Field(True, is_list, "an array of messages")}
#: The most messages one batch sends (HTTP-005.7).
MAX_BATCH: Final = 1000


async def actor_of(request: Request) -> ObjectId:
    """The actor the path's ``{actor}`` names: an id, or a name resolved when the request
    is read (HTTP-015.1, RUN-026.4)."""
    return await _actor_named(request, request.path_params["actor"])


async def _actor_named(request: Request, text: str) -> ObjectId:
    if is_id_text(text):  # an id needs no read of the store (HTTP-015.1)
        return parse_id(text)
    return await ask(request, ResolveActor(text))


def _not_found(message: str) -> HttpProblem:
    return HttpProblem(404, "not-found", message)


@handler
async def create(request: Request) -> Response:
    """``POST /v1/actors`` (HTTP-004)."""
    query_params(request, ())  # HTTP-002.3: it defines none
    body = await json_body(request, _CREATE_FIELDS)
    await require_actor(request, body.get("name"), "the new actor's name")  # HTTP-018.3
    core = await run_in_threadpool(new_core, body)  # python: reads the interpreter once
    placement = None  # HTTP-004.8: an id as given, a name resolved now (HTTP-015.1)
    if core.placement is not None:
        placement = await _actor_named(request, core.placement)
    created = await ask(request, Create(core, placement))
    answer = {
        "actor": created.actor.hex(),
        "message": None if created.message is None else created.message.hex(),
        "existed": created.existed,
    }
    if core.name is not None:  # bound once its genesis is durable (HTTP-004.5, RUN-026.6)
        await ask(request, BindName(core.name, created.actor))
        answer["name"] = core.name
    return JSONResponse(answer, 201)


@handler
async def send(request: Request) -> Response:
    """``POST /v1/actors/{actor}/messages`` (HTTP-005)."""
    query_params(request, ())  # HTTP-002.3: it defines none
    recipient = await actor_of(request)
    key = request.headers.get("idempotency-key")
    if key is not None:
        try:
            check_key(key)
        except BadKey as exc:
            raise bad(str(exc)) from None
    body = await json_body(request, _SEND_FIELDS)
    if body.get("mt") == "update":  # new code for the actor (WIT-013)
        require_scope(request, "operate")  # HTTP-018.2
    sent = await ask(request, _send_of(recipient, body, key))
    return JSONResponse(
        {"message": sent.message.hex(), "replayed": sent.replayed}, 200 if sent.replayed else 202
    )


def _send_of(recipient: ObjectId, body: dict[str, Any], key: str | None) -> Send:
    """The send a body describes (HTTP-005.1).  The content's description is taken out
    of ``body``: once its objects are built, its text (twice the blob's bytes, in hex) is
    freed, not held while the send is committed."""
    content, objects = build_content(body.pop("content"))
    return Send(
        recipient=recipient,
        content=content,
        objects=objects,
        mt=body.get("mt"),
        signal=body.get("signal", False),
        key=key,
    )


def _check_entry(index: int, entry: Any) -> dict[str, Any]:
    """One entry of a batch (HTTP-005.7), checked as a request of its own would be."""
    where = f"HTTP-005.7: messages[{index}]"
    if not isinstance(entry, dict):
        raise bad(f"{where} is not a JSON object")
    unknown = sorted(set(entry) - {*_SEND_FIELDS, "to", "key"})
    if unknown:
        raise bad(f"{where} has a field {unknown[0]!r:.40} the endpoint does not define")
    for name, field in (*_SEND_FIELDS.items(), ("to", _TO), ("key", _KEY)):
        if name not in entry:
            if field.required:
                raise bad(f"{where} lacks the field {name!r}")
        elif not field.check(entry[name]):
            raise bad(f"{where}: the field {name!r} must be {field.what}")
    key = entry.get("key")
    if key is not None:
        try:
            check_key(key)
        except BadKey as exc:
            raise bad(f"{where}: {exc}") from None
    return entry


async def _recipients(request: Request, texts: list[str]) -> list[ObjectId]:
    """Each ``to`` as a path's ``{actor}`` is read (HTTP-005.7, HTTP-015.1): an id as
    given, the names resolved together when the request is read."""
    names = tuple(sorted({text for text in texts if not is_id_text(text)}))
    resolved: dict[str, ObjectId] = {}
    if names:
        resolved = await ask(request, ResolveActors(names))
    return [parse_id(text) if is_id_text(text) else resolved[text] for text in texts]


@handler
async def send_batch(request: Request) -> Response:
    """``POST /v1/messages`` (HTTP-005.7): several sends, one commit, all or none."""
    query_params(request, ())
    body = await json_body(request, _BATCH_FIELDS)
    entries = body["messages"]
    if not 1 <= len(entries) <= MAX_BATCH:
        raise bad(f"HTTP-005.7: a batch holds 1 to {MAX_BATCH} messages")
    checked = [_check_entry(index, entry) for index, entry in enumerate(entries)]
    await require_batch(request, checked)  # HTTP-018.2, HTTP-018.3
    recipients = await _recipients(request, [entry["to"] for entry in checked])
    sends = tuple(
        _send_of(recipient, entry, entry.get("key"))
        for recipient, entry in zip(recipients, checked, strict=True)
    )
    keys = [(send.recipient, send.key) for send in sends if send.key is not None]
    if len(set(keys)) != len(keys):
        raise bad("HTTP-005.7: two messages of the batch have the same to and key")
    sent: list[Sent] = await ask(request, SendBatch(sends))
    answers = [{"message": s.message.hex(), "replayed": s.replayed} for s in sent]
    return JSONResponse({"messages": answers}, 202)


@handler
async def query(request: Request) -> Response:
    """``GET /v1/actors/{actor}/queries/{name}`` (HTTP-006)."""
    actor, name = await actor_of(request), request.path_params["name"]
    raw = raw_form(request, "HTTP-006.2")
    blob = await ask(request, RunQuery(actor, name))
    encoding, oid = encode_with_id(blob)
    headers = {"grit-answer": oid.hex()}
    if raw:  # HTTP-006.2
        return Response(encoding, 200, headers=headers, media_type=CBOR_MEDIA)
    form = answer_form(blob.data)
    headers["grit-answer-form"] = form
    if form == "html":
        return Response(blob.data, 200, headers=headers, media_type="text/html; charset=utf-8")
    if form == "json":
        return Response(blob.data, 200, headers=headers, media_type="application/json")
    return JSONResponse(object_to_json(blob), 200, headers=headers)  # its description


def _flag(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    if value not in ("true", "false"):
        raise bad(f"HTTP-007.2: {name} is true or false")
    return value == "true"


def _count(value: str | None, name: str, default: int) -> int:
    return count_param(value, default, 10_000, f"HTTP-007.2: {name} is an integer from 1 to 10000")


def _id_param(value: str | None, name: str) -> ObjectId | None:
    if value is None:
        return None
    try:
        return parse_id(value)
    except HttpProblem:
        raise bad(f"HTTP-007.2: {name} is a text-form id") from None


@handler
async def actors(request: Request) -> Response:
    """``GET /v1/actors`` (HTTP-007.1, HTTP-007.2)."""
    params = query_params(request, ("failed", "busy", "code", "share", "limit", "after"))
    share = None
    if "share" in params:
        try:
            share = Share.parse(params["share"])
        except ValueError as exc:
            raise bad(f"HTTP-007.2: {exc}") from None
    where = ActorFilter(
        failed=_flag(params.get("failed"), "failed"),
        busy=_flag(params.get("busy"), "busy"),
        code=_id_param(params.get("code"), "code"),
        share=share,
        after=_id_param(params.get("after"), "after"),
        limit=_count(params.get("limit"), "limit", 1000),
    )
    found, after = await ask(request, ActorPage(where))
    return JSONResponse({"actors": found, "next": after})


@handler
async def actor(request: Request) -> Response:
    """``GET /v1/actors/{actor}`` (HTTP-007.3)."""
    oid = await actor_of(request)
    query_params(request, ())
    entry = await ask(request, ActorEntry(oid))
    if entry is None:
        raise _not_found(f"HTTP-007.3: the actor {oid} has no head")
    return JSONResponse(entry)


@handler
async def history(request: Request) -> Response:
    """``GET /v1/actors/{actor}/history`` (HTTP-007.4)."""
    oid = await actor_of(request)
    params = query_params(request, ("limit", "before"))
    limit = _count(params.get("limit"), "limit", 100)
    before = _id_param(params.get("before"), "before")
    page = await ask(request, HistoryPage(oid, limit, before))
    if page is None:
        raise _not_found(f"HTTP-007.4: the actor {oid} has no head")
    return JSONResponse({"steps": page[0], "next": page[1]})


@handler
async def timers(request: Request) -> Response:
    """``GET /v1/actors/{actor}/timers`` (HTTP-007.10, TIM-005.2)."""
    oid = await actor_of(request)
    query_params(request, ())
    found = await ask(request, TimersOf(oid))
    return JSONResponse({"timers": found})


@handler
async def unfail(request: Request) -> Response:
    """``DELETE /v1/actors/{actor}/failed`` (HTTP-007.5): the runtime's ``clear_failed``
    (RUN-025), which commits its open group first and runs the actor again."""
    oid = await actor_of(request)
    query_params(request, ())
    cleared = await ask(request, ClearFailed(oid))
    return JSONResponse({"cleared": cleared})


@handler
async def bundle(request: Request) -> Response:
    """``GET /v1/actors/{actor}/bundle`` (HTTP-010.1)."""
    oid = await actor_of(request)
    query_params(request, ())
    data = await ask(request, ExportActor(oid))
    return Response(data, 200, media_type=BUNDLE_MEDIA)


@handler
async def actor_openapi(request: Request) -> Response:
    """``GET /v1/actors/{actor}/openapi.json`` (HTTP-012.2)."""
    oid = await actor_of(request)
    query_params(request, ())
    wut = await ask(request, RunQuery(oid, "wut"))
    return JSONResponse(actor_document(oid, wut.data))


@handler
async def events(request: Request) -> Response:
    """``GET /v1/events`` (HTTP-008): lifecycle events as Server-Sent Events."""
    query_params(request, ())
    state = state_of(request)
    subscription = state.feed.subscribe(asyncio.get_running_loop())

    async def stream() -> AsyncIterator[str]:
        try:
            async for text in subscription.stream():
                yield text
        finally:
            state.feed.unsubscribe(subscription)

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"cache-control": "no-store"}
    )
