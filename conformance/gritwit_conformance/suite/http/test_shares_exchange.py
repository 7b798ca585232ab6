"""Two services of two shares on one store pass messages, round after round
(HTTP-001.2; RUN-021.2, RUN-020.7).

A requester of share 0/n asks an echo of share 1/n, three times, each ``ask`` sent to the
requester, each question and echo committed by the other share's service (``n`` 2, the
two shares complementary, and 17, a count that divides no part count of a store). Each message
crosses from one service to the other: the service of the recipient learns it only from
what moved in the store since it last caught up (RUN-020.7), and must run the recipient
for it (RUN-021.2, HTTP-001.2). From the second round on, each service already holds
the other's actor's last step and outbox when that actor moves again with a new
message in its outbox: a service that takes the new step for one that changed nothing
it needs (its outbox the one it held), or that learns of the swap only where the
swap's writer said the recipient reads (a store's journal read by parts), and says it
wrongly, leaves the message pending and answers settle quiescent all the same. So the
requester's answer after each round must be that round's question, read from either
service.
"""

from __future__ import annotations

import pytest

from .._check import check_equal
from ._api import body_of, count_of, create, inc, send, settle, state_in_share
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("shares")]

#: Rounds of ask and echo: the second and the third meet an actor whose step the other
#: service already holds.
ROUNDS = 3


#: The hex digits of an actor's id a misreading of its share or journal part might take.
NEIGHBOURS = (14, 17)


def seeded(name: str, k: int, n: int) -> dict[str, str]:
    """The state of the first test actor ``name`` in share ``k/n`` whose id's 15th and
    18th hex digits are in another share of ``n`` than its 16th: a runtime that reads the
    wrong digit for the share or the journal part of a recipient (its neighbours) sends
    the swap where the recipient's share does not look."""
    return state_in_share(name, k, n, apart=NEIGHBOURS)


#: Share counts of the exchange: one dividing the 16 parts a store server may divide its
#: refs into (DUR-005.5), whose shares read whole parts, and one dividing none of them,
#: whose shares' actors fall in every part (RUN-021: a share is the id's first 8 bytes
#: modulo ``n``, for any ``n`` up to 1,024): a runtime that read only the parts ``p`` with
#: ``p % 17 == k`` would miss its actors' swaps in the others.
COUNTS = (2, 17)


@pytest.mark.req("HTTP-001.2", "RUN-021.2", "RUN-020.7", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1")
@pytest.mark.parametrize("n", COUNTS)
def test_two_shares_exchange_messages_round_after_round(services: Services, n: int) -> None:
    zero = services.start("store", share=[0, n]).client
    one = services.start("store", share=[1, n]).client
    requester = create(zero, test="requester", state=seeded("requester", 0, n))["actor"]
    echo = create(one, test="echo", state=seeded("echo", 1, n))["actor"]
    for client in (zero, one):
        settle(client)
    for round_ in range(1, ROUNDS + 1):
        question = f"question {round_}".encode()
        content = {
            "tree": {"to": {"blob": echo.encode().hex()}, "question": {"blob": question.hex()}}
        }
        send(one, requester, content, mt="ask")
        # the question (share 0), its echo (share 1), the answer kept (share 0)
        for client in (zero, one, zero):
            settle(client)
        for name, client in ((f"0/{n}", zero), (f"1/{n}", one)):
            answer = body_of(
                client.get(f"/v1/actors/{requester}/queries/answer"), 200, "HTTP-006.1"
            )
            check_equal(
                ("HTTP-001.2", "RUN-021.2", "RUN-020.7"),
                question.hex(),
                answer.get("data"),
                f"the requester's answer (share 0/{n}) read from the service of share {name} "
                f"after round {round_}: the question it put to the echo (share 1/{n}), echoed "
                "back; each service must run its actor for the message the other's actor "
                "sent, whose step it held already from the round before",
            )


#: A placement key of share 0/2 that is no actor's id: a key is taken as given (RUN-021.6).
KEY = "ce" * 32


@pytest.mark.req("HTTP-001.2", "RUN-021.2", "RUN-021.6", "RUN-020.7", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-004.8", "HTTP-005.2", "HTTP-006.1")
def test_an_actor_placed_into_a_share_gets_what_the_other_share_sends_it(
    services: Services,
) -> None:
    """An echo whose own id is in share 1/2, placed by key into share 0/2 (RUN-021.6), is
    run by the service of share 0/2 only; a requester of share 1/2 asks it, twice. Each
    question is a swap of the requester's head, which a store that tells a share's
    runtime what moved by the recipients' ids (a journal read by parts) files under the
    echo's id, in share 1/2's part: the service of share 0/2 must still read it and run
    the echo (RUN-021.2, RUN-020.7), or the requester never gets its answer."""
    zero = services.start("store", share=[0, 2]).client
    one = services.start("store", share=[1, 2]).client
    echo = create(zero, test="echo", state=seeded("echo", 1, 2), placement=KEY)["actor"]
    requester = create(one, test="requester", state=seeded("requester", 1, 2))["actor"]
    for client in (zero, one):
        settle(client)
    for round_ in range(1, 3):
        question = f"placed question {round_}".encode()
        content = {
            "tree": {"to": {"blob": echo.encode().hex()}, "question": {"blob": question.hex()}}
        }
        send(zero, requester, content, mt="ask")
        # the question (share 1), its echo (the placed echo, share 0), the answer kept
        for client in (one, zero, one):
            settle(client)
        answer = body_of(one.get(f"/v1/actors/{requester}/queries/answer"), 200, "HTTP-006.1")
        check_equal(
            ("HTTP-001.2", "RUN-021.2", "RUN-021.6", "RUN-020.7"),
            question.hex(),
            answer.get("data"),
            f"the requester's answer (share 1/2) after round {round_}: the question it put to "
            f"the echo whose id is in share 1/2 but which is placed by the key {KEY[:8]}… into "
            "share 0/2: the service of share 0/2 must run it for the question",
        )


@pytest.mark.req("HTTP-001.2", "RUN-021.2", "RUN-021.6", "RUN-020.7", "RUN-003.1", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-004.8", "HTTP-005.2", "HTTP-006.1")
def test_an_actor_placed_into_a_running_share_gets_what_was_sent_it_before(
    services: Services,
) -> None:
    """As :func:`test_an_actor_placed_into_a_share_gets_what_the_other_share_sends_it`,
    but the service of share 0/2 has caught up with the store before the echo exists:
    the echo is created through the service of share 1/2, and the requester's question
    to it is committed there too, before the service of share 0/2 runs again. That
    service then learns of an actor of its share whose id is in the other share's parts
    together with what is pending for it, sent while it looked at its own share's
    actors only: it must find that too (RUN-003.1, RUN-021.2) and run the echo."""
    zero = services.start("store", share=[0, 2]).client
    one = services.start("store", share=[1, 2]).client
    settle(zero)  # caught up, with no actor placed into share 0/2 yet
    echo = create(one, test="echo", state=seeded("echo", 1, 2), placement=KEY)["actor"]
    requester = create(one, test="requester", state=seeded("requester", 1, 2))["actor"]
    question = b"asked before the echo's share looked"
    content = {"tree": {"to": {"blob": echo.encode().hex()}, "question": {"blob": question.hex()}}}
    send(one, requester, content, mt="ask")
    settle(one)  # the requester's question, committed by share 1/2
    for client in (zero, one):  # the echo (share 0/2 by its key), then the answer kept
        settle(client)
    answer = body_of(one.get(f"/v1/actors/{requester}/queries/answer"), 200, "HTTP-006.1")
    check_equal(
        ("HTTP-001.2", "RUN-021.2", "RUN-021.6", "RUN-003.1"),
        question.hex(),
        answer.get("data"),
        f"the requester's answer (share 1/2): the question it put to the echo placed by the key "
        f"{KEY[:8]}… into share 0/2 before that share's service ran it: the service must find "
        "what was pending for it",
    )


@pytest.mark.req("HTTP-001.2", "RUN-021.2", "RUN-021.6", "RUN-020.7", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-004.8", "HTTP-005.2", "HTTP-006.1")
def test_a_share_started_after_an_actor_was_placed_into_it_gets_what_is_sent_it(
    services: Services,
) -> None:
    """As :func:`test_an_actor_placed_into_a_share_gets_what_the_other_share_sends_it`,
    but the service of share 0/2 starts only once the echo placed into it exists, the
    one placement record in the store: from its first catch-up on it runs an actor whose
    id is in the other share's parts, and must read what is sent to it later
    (RUN-021.2, RUN-020.7) as when it learnt of the placement while running."""
    one = services.start("store", share=[1, 2]).client
    echo = create(one, test="echo", state=seeded("echo", 1, 2), placement=KEY)["actor"]
    requester = create(one, test="requester", state=seeded("requester", 1, 2))["actor"]
    settle(one)
    zero = services.start("store", share=[0, 2]).client
    settle(zero)  # the echo's genesis, in the share of its key
    question = b"asked once the echo's share was running"
    content = {"tree": {"to": {"blob": echo.encode().hex()}, "question": {"blob": question.hex()}}}
    send(one, requester, content, mt="ask")
    for client in (one, zero, one):  # the question, the echo, the answer kept
        settle(client)
    answer = body_of(one.get(f"/v1/actors/{requester}/queries/answer"), 200, "HTTP-006.1")
    check_equal(
        ("HTTP-001.2", "RUN-021.2", "RUN-021.6", "RUN-020.7"),
        question.hex(),
        answer.get("data"),
        f"the requester's answer (share 1/2): the question it put to the echo placed by the key "
        f"{KEY[:8]}… into share 0/2, whose service started after the placement",
    )


@pytest.mark.req("HTTP-001.2", "RUN-021.3", "RUN-020.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-006.1")
def test_a_share_of_three_follows_another_shares_counter_step_after_step(
    services: Services,
) -> None:
    """Services of shares 0/3 and 1/3 on one store; a counter of share 1/3, which sends
    nothing, is incremented in two rounds. The service of share 0/3 catches up between
    them, so it holds the counter's step and its (absent) outbox when the counter moves
    again: it must take the new step in its stride (a step whose outbox is still none
    sent nothing it runs) and answer settle quiescent, and both services must answer
    the counter's count of each round (RUN-021.3, RUN-020.2)."""
    zero = services.start("store", share=[0, 3]).client
    one = services.start("store", share=[1, 3]).client
    counter = create(one, test="counter", state=seeded("counter", 1, 3))["actor"]
    for round_ in (1, 2):
        inc(one, counter, 1)
        for client in (one, zero):
            settle(client)
        for name, client in (("1/3", one), ("0/3", zero)):
            check_equal(
                ("RUN-021.3", "RUN-020.2"),
                round_,
                count_of(client, counter),
                f"the count of the counter (share 1/3) read from the service of share {name} "
                f"after round {round_} of one inc each",
            )
