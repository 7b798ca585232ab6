"""Wrong adapter: a batch's "same ``to`` and ``key``" is judged by the ``to`` text (HTTP-005.7).

Two entries with one key are refused only when their ``to`` is the same text: an entry
naming the recipient by its id and one by a name bound to it pass the check, and both
are sent, two messages under one key to one recipient.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong._serve import bend_endpoint

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-005.7"}),
    "failed",
    "one key given twice in a batch to one recipient, once by id and once by name, sends "
    "two messages instead of 400",
    copied_from=(("gritwit.serve._actors_api:send_batch", "2dcc0fd61c8e2e6a"),),
)


def install() -> None:
    from starlette.responses import JSONResponse

    from gritwit.serve import _actors_api as api

    async def send_batch(request: Any) -> Any:
        api.query_params(request, ())
        body = await api.json_body(request, api._BATCH_FIELDS)
        entries = body["messages"]
        if not 1 <= len(entries) <= api.MAX_BATCH:
            raise api.bad(f"HTTP-005.7: a batch holds 1 to {api.MAX_BATCH} messages")
        checked = [api._check_entry(index, entry) for index, entry in enumerate(entries)]
        await api.require_batch(request, checked)
        recipients = await api._recipients(request, [entry["to"] for entry in checked])
        sends = tuple(
            api._send_of(recipient, entry, entry.get("key"))
            for recipient, entry in zip(recipients, checked, strict=True)
        )
        # the bug: the recipient as the entry spells it, not the actor it names
        keys = [(entry["to"], entry["key"]) for entry in checked if entry.get("key") is not None]
        if len(set(keys)) != len(keys):
            raise api.bad("HTTP-005.7: two messages of the batch have the same to and key")
        sent: list[Any] = await api.ask(request, api.SendBatch(sends))
        answers = [{"message": s.message.hex(), "replayed": s.replayed} for s in sent]
        return JSONResponse({"messages": answers}, 202)

    bend_endpoint("POST", "/v1/messages", lambda original: api.handler(send_batch))


if __name__ == "__main__":
    run(ReferenceAdapter, install)
