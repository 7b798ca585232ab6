"""The handlers of an actor's life over HTTP: names, revert, fork (HTTP-015 … HTTP-017).

Creation with a name and clearing a failed mark are :mod:`._actors_api`'s (HTTP-004.4,
HTTP-007.5); the work itself is the runtime's, in the engine's thread (:mod:`._life`).
"""

from __future__ import annotations

from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .._errors import GritError
from ..runtime import check_name
from ._actors_api import actor_of
from ._content import parse_id, state_entries
from ._http import ask, bad, count_param, handler, json_body, query_params
from ._json_body import Field, is_object, is_text
from ._port import ForkActor, NamePage, RevertActor

__all__ = ["fork", "names", "revert"]

_REVERT_FIELDS: Final = {
    "step": Field(True, is_text, "a text-form step id"),
    "head": Field(False, is_text, "a text-form step id"),  # HTTP-016.3
}
_FORK_FIELDS: Final = {
    "step": Field(True, is_text, "a text-form step id"),
    "state": Field(False, is_object, "an object of entry names to hexadecimal data"),
}


@handler
async def names(request: Request) -> Response:
    """``GET /v1/names`` (HTTP-015.2): bound names and their actors, in name order."""
    params = query_params(request, ("limit", "after"))
    limit = count_param(
        params.get("limit"), 1000, 10_000, "HTTP-015.2: limit is an integer from 1 to 10000"
    )
    after = params.get("after")
    if after is not None:
        try:
            check_name(after)
        except GritError:  # a query parameter's fault is bad-request (HTTP-002.3)
            raise bad("HTTP-015.2: after is an actor name (RUN-026.1)") from None
    page, following = await ask(request, NamePage(after, limit))
    return JSONResponse({"names": page, "next": following})


@handler
async def revert(request: Request) -> Response:
    """``POST /v1/actors/{actor}/revert`` (HTTP-016): the runtime's ``revert`` (RUN-024)."""
    query_params(request, ())
    actor = await actor_of(request)
    body = await json_body(request, _REVERT_FIELDS)
    step = parse_id(body["step"])
    seen = None if body.get("head") is None else parse_id(body["head"])  # HTTP-016.3
    head = await ask(request, RevertActor(actor, step, seen))
    return JSONResponse({"actor": actor.hex(), "head": head.hex()})


@handler
async def fork(request: Request) -> Response:
    """``POST /v1/actors/{actor}/fork`` (HTTP-017): ``fork`` (RUN-008), the child's id."""
    query_params(request, ())
    actor = await actor_of(request)
    body = await json_body(request, _FORK_FIELDS)
    step = parse_id(body["step"])
    entries = state_entries(body.get("state", {}))
    child = await ask(request, ForkActor(actor, step, entries))
    return JSONResponse({"actor": child.hex()}, 201)
