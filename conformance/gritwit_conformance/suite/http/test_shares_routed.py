"""A message one service's actor sends reaches an actor another service runs (RUN-020.7,
RUN-021, HTTP-001.2, HTTP-011.1).

Two services share one store (the feature ``shares``, ADP-021.1): ``echo`` is of share
0/2, ``requester`` of share 1/2, so each runs one of them (HTTP-001.2). ``requester``
asks ``echo`` a question (WIT-026): its step, committed by the service of share 1, sends
to an actor of share 0; ``echo``'s reply, committed by the service of share 0, comes
back. Each service learns of the other's steps from the store alone: a run of it MUST
read what moved there after it started and run what that found pending for its actors
(RUN-020.7), so each settle, once it answers quiescent (HTTP-011.1), has run the
message the other service's last settled run sent. A service that read only what moved
in the refs of its own actors would never learn of the question, nor of the reply.
Each actor is asked and answers in turn, twice.
"""

from __future__ import annotations

import pytest

from .._check import check_equal
from ._api import body_of, create, send, settle, state_in_share
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("shares")]


@pytest.mark.req("RUN-020.7", "HTTP-001.2", "HTTP-011.1", "RUN-021")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1")
def test_a_question_and_its_reply_cross_between_two_services(services: Services) -> None:
    zero = services.start("store", share=[0, 2]).client
    one = services.start("store", share=[1, 2]).client
    echo = create(zero, test="echo", state=state_in_share("echo", 0, 2))["actor"]
    requester = create(one, test="requester", state=state_in_share("requester", 1, 2))["actor"]
    for question in (b"are you there", b"and now"):
        content = {
            "tree": {"to": {"blob": echo.encode().hex()}, "question": {"blob": question.hex()}}
        }
        send(one, requester, content, mt="ask")
        settle(one)  # requester read the ask: its question is committed
        settle(zero)  # echo read the question: its reply is committed
        settle(one)  # requester read the reply
        answer = body_of(one.get(f"/v1/actors/{requester}/queries/answer"), 200, "HTTP-006.1")
        check_equal(
            "RUN-020.7",
            question.hex(),
            answer.get("data") if isinstance(answer, dict) else answer,
            "the answer of a requester of share 1/2 once each service settled in turn: the "
            "question an echo of share 0/2 sent back, each service running the message the "
            "other's actor sent",
        )
