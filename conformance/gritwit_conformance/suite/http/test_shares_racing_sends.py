"""Two services on one store send to one actor at once (RUN-002.4, RUN-020.1, HTTP-001.2).

Two services with the shares 0/2 and 1/2 of one store (the feature ``shares``,
ADP-021.1) both take sends for every actor (HTTP-001.2), so both swap the outside's
mailbox of one recipient (RUN-003.4). Clients sending to one counter through both at
once make one service's swap lose to the other's now and then: the loser MUST make the
send again, whole, from the winner's mailbox (RUN-002.4), taking the mailbox it saw
last as a hint, never as the mailbox (RUN-020.1). A service that after a lost swap built
again on the mailbox it had seen before would lose every swap after it and never answer
the send; one that overwrote the winner would lose its messages. So every send must be
answered 202 and, once both services settled, the counter must have counted them all.
"""

from __future__ import annotations

import pytest

from .._check import check_equal
from ._api import count_of, create, incs_at_once, settle
from ._service import Services
from ._service import services as services

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("shares")]

#: Clients sending at once through each service.
CLIENTS = 3
#: The sends each client makes, one after another.
SENDS = 15


@pytest.mark.req("RUN-002.4", "RUN-020.1", "HTTP-001.2", "RUN-003.4")
@pytest.mark.req("HTTP-005.2", "HTTP-002.1", "HTTP-004.2", "HTTP-006.1", "HTTP-011.1")
def test_sends_racing_through_two_services_are_all_counted(services: Services) -> None:
    zero = services.start("store", share=[0, 2]).client
    one = services.start("store", share=[1, 2]).client
    actor = create(zero, test="counter")["actor"]

    incs_at_once([zero, one] * CLIENTS, [actor], SENDS)
    for client in (zero, one):
        settle(client)
    check_equal(
        "RUN-002.4",
        2 * CLIENTS * SENDS,
        count_of(zero, actor),
        f"the count of one counter sent {CLIENTS * SENDS} incs through each of two services "
        "sharing its store at once: a send whose swap lost is made again from the winner's "
        "mailbox, none lost and none left unanswered",
    )
