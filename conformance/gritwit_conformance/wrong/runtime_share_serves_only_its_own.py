"""Wrong adapter: a runtime given a share treats the other shares' actors as unknown (RUN-021.3).

Its runs are right, but ``rt-send``, ``rt-genesis`` and ``rt-query`` of an actor outside
its share answer ``bad-request``, as if dividing the running divided the sending and
the reading too: a caller must find the runtime of the actor's share to send it
anything or ask it anything.
"""

from __future__ import annotations

from gritwit import object_id
from gritwit._ids import ObjectId
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._args import BadRequest, Json, _id, _text
from gritwit.adapter._wit import state_blobs
from gritwit.wit import test_actor_core
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-021.3"}),
    "failed",
    "a runtime given a share answers bad-request to rt-send, rt-genesis and rt-query of "
    "an actor outside it, as if only its own actors could be sent to or queried",
    smoke=True,
)


class OnlyItsOwn(ReferenceAdapter):
    def _refuse(self, args: Json, actor: ObjectId) -> None:
        share = self._rt(args).runtime.share
        if share is not None and not share.owns(actor):  # the bug
            raise BadRequest(f"{actor} is not in this runtime's share {share}")

    def cmd_rt_send(self, args: Json) -> Json:
        self._refuse(args, _id(args, "to"))
        return super().cmd_rt_send(args)

    def cmd_rt_genesis(self, args: Json) -> Json:
        if "module" not in args:
            core, _ = test_actor_core(_text(args, "actor"), state_blobs(args))
            self._refuse(args, object_id(core))
        return super().cmd_rt_genesis(args)

    def cmd_rt_query(self, args: Json) -> Json:
        self._refuse(args, _id(args, "actor"))
        return super().cmd_rt_query(args)


if __name__ == "__main__":
    run(OnlyItsOwn)
