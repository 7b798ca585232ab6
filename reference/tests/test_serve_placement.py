"""``POST /v1/actors`` with ``placement`` on the reference service (HTTP-004.8).

A real uvicorn on 127.0.0.1: a placed genesis carries the header ``placement`` (by id
and by a name resolved when the request is read), the runtime records it (RUN-021.8),
and a creation of an existing actor moves nothing. Which text is an id, a name or
neither is judged over any text (hypothesis) against the clauses' own patterns
(ID-003: 64 lowercase hex digits; RUN-026.1: 1 to 64 of ``a-z0-9._-``, the first a
letter or digit), through the body reader the handler calls.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from serve_helpers import Served, created, error_of, served, settle

from gritwit import InvalidRefName, Message, ObjectId, object_id
from gritwit.serve._content import new_core
from gritwit.wit import test_actor_core

__all__ = ["served"]

_ID = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def _counter() -> str:
    core, _ = test_actor_core("counter")
    return object_id(core).hex()


@pytest.mark.req("HTTP-004.8", "RUN-021.7", "RUN-021.8", "HTTP-015.1", "RUN-026.4")
def test_a_placed_genesis_carries_the_header_and_is_recorded(served: Served) -> None:
    client = served.client
    home = created(client, test="echo", name="home")
    answer = client.post("/v1/actors", json={"test": "counter", "placement": "home"})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["actor"] == _counter() and body["existed"] is False
    genesis = client.get(f"/v1/objects/{body['message']}").json()
    assert genesis["headers"] == {"mt": "genesis", "placement": home}
    settle(client)
    record = client.get(f"/v1/refs/names/placement/{body['actor']}")
    assert record.status_code == 200 and record.json()["target"] == body["message"]
    again = client.post("/v1/actors", json={"test": "counter", "placement": "ab" * 32})
    assert again.status_code == 201, again.text
    assert again.json() == {"actor": body["actor"], "message": None, "existed": True}
    settle(client)
    assert client.get(f"/v1/refs/names/placement/{body['actor']}").json() == record.json()


@pytest.mark.req("HTTP-004.8", "HTTP-004.6", "HTTP-015.1")
def test_the_failure_classes_of_a_placement(served: Served) -> None:
    client = served.client
    for placement, status, error, rule in (
        (1, 400, "bad-request", "HTTP-004.8"),
        ("AB" * 32, 400, "invalid-ref-name", "RUN-026.1"),
        ("unbound", 404, "not-found", "RUN-026"),
    ):
        answer = client.post("/v1/actors", json={"test": "counter", "placement": placement})
        message = error_of(answer, status, error)["message"]
        assert rule in message, message
    unknown = client.post("/v1/actors", json={"test": "nope", "placement": "unbound"})
    error_of(unknown, 422, "unknown-wit")  # the code before the placement's name (HTTP-004.6)
    first = client.post("/v1/actors", json={"test": "counter"})
    actor = ObjectId.from_hex(_counter())
    plain = Message(content=actor, headers={"mt": "genesis"}, previous=None)
    assert first.json()["message"] == object_id(plain).hex()  # the refused ones sent nothing


@given(
    st.one_of(
        st.text(max_size=70),
        st.from_regex(_NAME, fullmatch=True),
        st.from_regex(_ID, fullmatch=True),
    )
)
@pytest.mark.req("HTTP-004.8", "RUN-026.4", "RUN-026.1")
def test_placement_text_is_an_id_a_name_or_refused(text: str) -> None:
    is_id = _ID.fullmatch(text) is not None
    is_name = not is_id and _NAME.fullmatch(text) is not None
    try:
        core = new_core({"test": "counter", "placement": text})
    except InvalidRefName as exc:
        assert not is_id and not is_name, f"{text!r} refused: {exc}"
        assert exc.requirement == "RUN-026.1"
        return
    assert is_id or is_name, f"{text!r} is neither an id nor a name, yet accepted"
    assert core.placement == text
