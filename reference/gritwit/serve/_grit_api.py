"""The handlers of the service, Grit and waiting endpoints (HTTP-001.5, HTTP-001.6,
HTTP-009, HTTP-010.2, HTTP-011, HTTP-012.1)."""

from __future__ import annotations

import asyncio
import time
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import ServiceStopping
from .._version import SPEC_VERSION
from ..store._refs import is_service_ref
from ._auth import grant_of
from ._content import parse_id
from ._engine_commands import Settle
from ._http import ask, bad, handler, json_body, query_params, raw_form, state_of, whole_body
from ._json_body import Field, is_number
from ._limits import CBOR_MEDIA, JSON_MEDIA
from ._openapi import service_document
from ._port import ImportActor, ObjectBytes, ObjectJson, PutObject, RefTarget, RefTargets
from ._problems import HttpProblem

__all__ = [
    "health",
    "import_bundle",
    "object_get",
    "object_put",
    "openapi",
    "ready",
    "ref",
    "refs",
    "settle",
    "version",
]

_SETTLE_FIELDS: Final = {"timeout": Field(True, is_number, "a number of seconds from 0 to 600")}
#: The longest a settle waits (HTTP-011).
MAX_SETTLE: Final = 600


@handler
async def health(request: Request) -> Response:
    """``GET /healthz`` (HTTP-001.5): 200 while the process serves requests."""
    return JSONResponse({"live": True})


@handler
async def ready(request: Request) -> Response:
    """``GET /readyz`` (HTTP-001.5): 200 once the store is open and the service runs."""
    state = state_of(request)
    is_ready = state.engine.ready and not state.stopping
    return JSONResponse({"ready": is_ready}, 200 if is_ready else 503)


@handler
async def version(request: Request) -> Response:
    """``GET /v1`` (HTTP-001.6)."""
    query_params(request, ())  # HTTP-002.3: it defines none
    share = state_of(request).engine.settings.share
    return JSONResponse(
        {
            "protocol": 1,
            "spec": SPEC_VERSION,
            "share": None if share is None else [share.k, share.n],
        }
    )


@handler
async def openapi(request: Request) -> Response:
    """``GET /v1/openapi.json`` (HTTP-012.1): ``spec/schemas/http-openapi.json``."""
    query_params(request, ())  # HTTP-002.3: it defines none
    return Response(service_document(), 200, media_type=JSON_MEDIA)


@handler
async def object_get(request: Request) -> Response:
    """``GET /v1/objects/{id}`` (HTTP-009.1)."""
    oid = parse_id(request.path_params["id"])
    if raw_form(request, "HTTP-009.1"):
        data = await ask(request, ObjectBytes(oid))
        return Response(data, 200, media_type=CBOR_MEDIA)
    return JSONResponse(await ask(request, ObjectJson(oid)))


@handler
async def object_put(request: Request) -> Response:
    """``POST /v1/objects`` (HTTP-009.2): one object's canonical encoding."""
    query_params(request, ())
    data = await whole_body(request)
    oid = await ask(request, PutObject(data))
    return JSONResponse({"id": oid.hex()}, 201)


def _hides_service_refs(request: Request) -> bool:
    """Whether the request's token lacks ``admin``, so that the service's own refs (its
    tokens' hashes, its audit log) are not shown to it (HTTP-018.7); a service that
    requires no token hides nothing (HTTP-018)."""
    grant = grant_of(request.scope)
    return grant is not None and not grant.holds("admin")


@handler
async def refs(request: Request) -> Response:
    """``GET /v1/refs`` (HTTP-009.3), without the service's own to a token lacking
    ``admin`` (HTTP-018.7)."""
    prefix = query_params(request, ("prefix",)).get("prefix", "")
    found = await ask(request, RefTargets(prefix))
    if _hides_service_refs(request):
        found = [(name, oid) for name, oid in found if not is_service_ref(name)]
    return JSONResponse({"refs": [{"name": name, "target": oid.hex()} for name, oid in found]})


@handler
async def ref(request: Request) -> Response:
    """``GET /v1/refs/{name}`` (HTTP-009.3): the name's slashes as they are; one of the
    service's own is absent to a token lacking ``admin`` (HTTP-018.7)."""
    query_params(request, ())
    name = request.path_params["name"]
    target = await ask(request, RefTarget(name))
    if target is None or (is_service_ref(name) and _hides_service_refs(request)):
        raise HttpProblem(404, "not-found", f"HTTP-009.3: no ref {name!r:.80}")
    return JSONResponse({"name": name, "target": target.hex()})


@handler
async def import_bundle(request: Request) -> Response:
    """``POST /v1/bundles`` (HTTP-010.2)."""
    query_params(request, ())
    data = await whole_body(request)
    actor, head = await ask(request, ImportActor(data))
    return JSONResponse({"actor": actor.hex(), "head": head.hex()})


@handler
async def settle(request: Request) -> Response:
    """``POST /v1/settle`` (HTTP-011): quiescent once a run that started after the request
    arrived answered quiescent, else not when ``timeout`` passed first."""
    query_params(request, ())
    body = await json_body(request, _SETTLE_FIELDS)
    timeout = float(body["timeout"])
    if not 0 <= timeout <= MAX_SETTLE:
        raise bad(f"HTTP-011: timeout is a number of seconds from 0 to {MAX_SETTLE}")
    state = state_of(request)
    waited = asyncio.ensure_future(ask(request, Settle(time.monotonic() + timeout)))
    stopped = asyncio.ensure_future(state.stopped().wait())
    try:
        done, _ = await asyncio.wait(
            {waited, stopped}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
    finally:
        stopped.cancel()
    if waited in done:
        return JSONResponse({"quiescent": bool(waited.result())})
    waited.cancel()
    if stopped in done:
        raise ServiceStopping("HTTP-001.4", "the service is stopping")
    return JSONResponse({"quiescent": False})
