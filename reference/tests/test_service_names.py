"""A query's name in the path (HTTP-006.4): one segment, percent-decoded.

``%63ount`` names the counter's query ``count``; an encoded slash does not make a name
holding ``/`` reachable (it is no query any actor answers over HTTP in this version),
and the refusal is typed (HTTP-003.1).
"""

from __future__ import annotations

import pytest
from serve_helpers import Served, created, error_of, send, served, settle

__all__ = ["served"]  # the fixture

pytestmark = pytest.mark.req("HTTP-006.4")


def test_a_percent_encoded_name_is_the_decoded_name(served: Served) -> None:
    actor = created(served.client, test="counter")
    assert send(served.client, actor, data=b"4").status_code == 202
    settle(served.client)
    answer = served.client.get(f"/v1/actors/{actor}/queries/%63ount")
    assert answer.status_code == 200 and answer.content == b"4", answer.text


@pytest.mark.parametrize("name", ["a/b", "a%2Fb", "count/"])
def test_a_name_holding_a_slash_is_not_a_query(served: Served, name: str) -> None:
    actor = created(served.client, test="counter")
    answer = served.client.get(f"/v1/actors/{actor}/queries/{name}")
    assert answer.status_code == 404, answer.text
    assert answer.json()["error"]["class"] in {"bad-request", "unknown-query"}, answer.text


def test_a_name_with_an_encoded_space_is_decoded(served: Served) -> None:
    actor = created(served.client, test="counter")
    settle(served.client)  # its head first: an actor without one is not-found
    error = error_of(
        served.client.get(f"/v1/actors/{actor}/queries/no%20such"), 404, "unknown-query"
    )
    assert "no such" in error["message"], error
