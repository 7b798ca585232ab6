"""Queries: ``GET /v1/actors/{actor}/queries/{name}`` (HTTP-006).

The answer blob *B* is served in one of three forms (HTTP-006.1) — HTML as it is, other
JSON as it is, anything else as *B*'s JSON description — with ``Grit-Answer`` naming
*B* and ``Grit-Answer-Form`` the form; ``?form=raw`` serves *B*'s canonical encoding
(HTTP-006.2). The suite chooses *B* through a ``counter``, whose ``count`` query answers
its ``count`` entry's blob as stored (WIT-020.5) and which leaves an entry it did not
count into as it is (WIT-020.4): a counter created with the state ``{"count": data}``
answers ``data`` itself. :mod:`._sniff` writes out the clause the suite reads.
"""

from __future__ import annotations

import json
from typing import Final

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance.data._paths import spec_dir
from gritwit_conformance.suite._properties import properties

from .._check import check, check_equal, suite_premise
from ._api import (
    blob_id,
    counter,
    create,
    expect_error,
    head_of,
    inc,
    send,
    settle,
    shown,
)
from ._service import http as http
from ._service import services as services
from ._sniff import HTML_SPACE, form_of, unambiguous

pytestmark = pytest.mark.profile("http")

run = properties(25)
#: The actors whose ``wut`` the suite reads.
QUERIED: Final = ("echo", "counter", "failing", "budget")
#: The media type of each form (HTTP-006.1, HTTP-006.2).
MEDIA: Final = {"html": "text/html", "json": "application/json", "blob": "application/json"}


def _wut_lines() -> dict[str, str]:
    """WIT-018's ``wut`` answers, byte for byte: the lines of its block in the spec."""
    text = (spec_dir() / "06-wit.md").read_text(encoding="utf-8")
    block = text[text.index("**WIT-018**") :].split("```text\n", 1)[1].split("```", 1)[0]
    return {json.loads(line)["name"]: line for line in block.splitlines() if line}


WUT: Final = {name: line for name, line in _wut_lines().items() if name in QUERIED}


def answering(client: httpx.Client, data: bytes) -> str:
    """A counter whose ``count`` query answers a blob holding ``data``, run once."""
    actor = str(create(client, test="counter", state={"count": data.hex()})["actor"])
    settle(client)
    return actor


def check_answer(
    response: httpx.Response, data: bytes, headers: dict[str, str] | None = None
) -> None:
    """HTTP-006.1 for an answer blob of ``data`` (and ``headers``)."""
    form = form_of(data)
    blob = g.Blob(data=data, headers=headers or {})
    what = f"a query answering {json.dumps(data[:60].decode('utf-8', 'backslashreplace'))}"
    check(
        "HTTP-006.1",
        response.status_code == 200,
        expected="status 200",
        came=lambda: shown(response),
        what=what,
    )
    check_equal(
        "HTTP-006.1",
        g.object_id(blob).hex(),
        response.headers.get("grit-answer"),
        f"the Grit-Answer header of {what}: the answer blob's id",
    )
    check_equal(
        "HTTP-006.1",
        form,
        response.headers.get("grit-answer-form"),
        f"the Grit-Answer-Form header of {what}",
    )
    media = response.headers.get("content-type", "")
    parts = [p.strip().lower() for p in media.split(";")]
    check_equal("HTTP-006.1", MEDIA[form], parts[0], f"the media type of {what} (form {form})")
    if form == "html":
        check(
            "HTTP-006.1",
            "charset=utf-8" in parts[1:],
            expected="a media type with charset=utf-8",
            came=media,
            what=f"the HTML of {what}",
        )
    if form == "blob":
        try:
            body = json.loads(response.content)
        except ValueError:
            body = f"not JSON: {shown(response)}"
        check_equal(
            "HTTP-006.1",
            g.object_to_json(blob),
            body,
            f"the body of {what} (neither HTML nor JSON): the blob's JSON description",
        )
    else:
        check_equal(
            "HTTP-006.1", data, response.content, f"the body of {what}: the {form} data as it is"
        )


#: Answer data at each edge of HTTP-006.1, each with the form it has.
EDGES: Final = {
    "doctype": b"<!doctype html><title>t</title>",
    "doctype-upper": b"<!DOCTYPE HTML>\n<p>",
    "html": b"<html><body>hi</body></html>",
    "html-mixed-case": b"<HtMl lang=en>",
    "html-then-space": b"<html lang='en'>",
    "html-then-tab": b"<html\t>",
    "html-then-lf": b"<html\n>",
    "html-then-ff": b"<html\x0c>",
    "html-then-cr": b"<html\r>",
    "leading-space": b" \t\r\n\x0c<html>",
    "leading-bom": "\ufeff<!doctype html>".encode(),
    "bom-then-space": "\ufeff \n<html>".encode(),
    "html-then-x": b"<htmlx>",
    "html-then-vt": b"<html\x0b>",
    "html-alone": b"<html",
    "doctype-two-spaces": b"<!doctype  html>",
    "doctype-no-space": b"<!doctypehtml>",
    "head-tag": b"<head></head>",
    "html-not-utf8": b"<html>\xff",
    "json-string-of-html": b'"<html>"',
    "json-object": b'{"a": [1, 2.5, true, null]}',
    "json-number": b"12",
    "json-spaced": b" \n [ ] \r\t",
    "json-unicode": '{"k": "\u00e9\U0001f600"}'.encode(),
    "not-json-leading-zero": b"007",
    "not-json-nan": b"NaN",
    "not-json-ff": b"\x0c{}",
    "not-json-trailing": b"{} x",
    "not-json-single-quotes": b"{'a': 1}",
    "empty": b"",
    "binary": bytes(range(256)),
    "latin-1": b"caf\xe9",
}


@pytest.mark.parametrize("name", list(EDGES))
@pytest.mark.req("HTTP-006.1")
@pytest.mark.inputs("ascii", "mixed-case", "bmp", "astral", "empty")
@pytest.mark.req("HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
def test_the_answer_is_served_in_its_form(http: httpx.Client, name: str) -> None:
    data = EDGES[name]
    suite_premise(unambiguous(data), f"the edge {name} is of one form alone")
    actor = answering(http, data)
    check_answer(http.get(f"/v1/actors/{actor}/queries/count"), data)


@pytest.mark.parametrize("name", ["doctype", "json-object", "binary", "empty"])
@pytest.mark.req("HTTP-006.2")
@pytest.mark.req("HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
def test_form_raw_is_the_canonical_encoding(http: httpx.Client, name: str) -> None:
    data = EDGES[name]
    actor = answering(http, data)
    response = http.get(f"/v1/actors/{actor}/queries/count", params={"form": "raw"})
    check(
        "HTTP-006.2",
        response.status_code == 200,
        expected="status 200",
        came=lambda: shown(response),
        what=f"a query with ?form=raw answering {name}",
    )
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    check_equal("HTTP-006.2", "application/cbor", media, "the media type of ?form=raw")
    expected = g.encode_object(g.Blob(data=data))
    check_equal(
        "HTTP-006.2",
        expected,
        response.content,
        f"the body of ?form=raw answering {name}: the answer blob's canonical encoding",
    )


_tag = st.sampled_from(
    [
        "<!doctype html",
        "<!DOCTYPE HTML",
        "<!DocType Html",
        "<html",
        "<HTML",
        "<htm",
        "<!doctype",
        "<body",
    ]
)
_after = st.sampled_from([" ", "\t", "\n", "\x0c", "\r", ">", "", "x", "-", "\x0b", "/"])
_lead = st.sampled_from(["", "\ufeff", " ", "\n\t", "\ufeff \r\n", "\x0b", "x"])
_html_like = st.tuples(_lead, _tag, _after, st.text(max_size=12)).map(lambda t: "".join(t).encode())
_json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
_json_like = st.tuples(
    st.sampled_from(["", " ", "\n", "\t\r", "\x0c"]),
    _json_value.map(json.dumps),
    st.sampled_from(["", " ", "\r\n", "\x0c", " x"]),
).map(lambda t: "".join(t).encode())
_answer_data = st.one_of(
    _html_like, _json_like, st.binary(max_size=24), st.text(max_size=16).map(str.encode)
)


@pytest.mark.req("HTTP-006.1")
@run
@given(data=_answer_data.filter(unambiguous))
@pytest.mark.req("HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
def test_every_answer_is_served_in_its_form(http: httpx.Client, data: bytes) -> None:
    actor = answering(http, data)
    check_answer(http.get(f"/v1/actors/{actor}/queries/count"), data)


@pytest.mark.parametrize("name", list(WUT))
@pytest.mark.req("HTTP-006.1")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("HTTP-006.3")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_wut_is_served_as_json_as_it_is(http: httpx.Client, name: str) -> None:
    actor = create(http, test=name)["actor"]
    settle(http)
    if name == "failing":  # it never gets a head (WIT-024): nothing to query
        expect_error(http.get(f"/v1/actors/{actor}/queries/wut"), 404, "not-found", "HTTP-006.3")
        return
    check_answer(
        http.get(f"/v1/actors/{actor}/queries/wut"),
        WUT[name].encode(),
        {"content-type": "application/json"},
    )


@pytest.mark.req("HTTP-006.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_a_count_is_served_as_json(http: httpx.Client) -> None:
    actor = counter(http)
    for amount in (40, 2):
        inc(http, actor, amount)
    settle(http)
    check_answer(http.get(f"/v1/actors/{actor}/queries/count"), b"42")


@pytest.mark.req("HTTP-006.3", "HTTP-003.2")
@pytest.mark.req("HTTP-003.1", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("CONV-004")
def test_an_unknown_query_is_404_unknown_query(http: httpx.Client) -> None:
    actor = counter(http)
    settle(http)
    for name in ("budget", "answer", "COUNT"):
        response = http.get(f"/v1/actors/{actor}/queries/{name}")
        expect_error(response, 404, "unknown-query", f"HTTP-006.3 (query {name} of a counter)")


@pytest.mark.req("HTTP-006.3", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-005.2")
@pytest.mark.req("CONV-004")
def test_an_actor_without_a_head_is_404_not_found(http: httpx.Client) -> None:
    never = blob_id(b"no actor has this id")
    expect_error(http.get(f"/v1/actors/{never}/queries/wut"), 404, "not-found", "HTTP-006.3")
    waiting = g.object_id(g.Tree(entries={"wit": g.object_id(g.Blob(data=b"x"))})).hex()
    send(http, waiting, {"blob": ""}, mt="inc")  # messages, but no genesis: no head
    expect_error(http.get(f"/v1/actors/{waiting}/queries/wut"), 404, "not-found", "HTTP-006.3")


@pytest.mark.req("HTTP-006.3", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
@pytest.mark.req("CONV-004")
def test_a_query_that_fails_is_its_class(http: httpx.Client) -> None:
    """An updater whose code names no test actor: every query fails ``unknown-wit``, a
    class of phase *transition*: 422."""
    actor = create(http, test="updater")["actor"]
    send(http, actor, {"blob": b"no-such-test-actor".hex()}, mt="set-code")
    settle(http)
    expect_error(http.get(f"/v1/actors/{actor}/queries/wut"), 422, "unknown-wit", "HTTP-006.3")


@pytest.mark.req("HTTP-006.3")
@pytest.mark.req(
    "HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-005.2", "HTTP-009.3", "HTTP-011.1"
)
@pytest.mark.req("CONV-004")
def test_a_query_moves_no_ref(http: httpx.Client) -> None:
    actor = counter(http)
    inc(http, actor)
    settle(http)
    head = head_of(http, actor)
    refs = http.get("/v1/refs").json()
    for _ in range(3):
        http.get(f"/v1/actors/{actor}/queries/count")
        http.get(f"/v1/actors/{actor}/queries/wut")
    settle(http)
    check_equal("HTTP-006.3", head, head_of(http, actor), "the actor's head after six queries")
    check_equal("HTTP-006.3", refs, http.get("/v1/refs").json(), "the refs after six queries")


@pytest.mark.req("HTTP-006.1")
@pytest.mark.req("HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
def test_html_with_every_leading_space(http: httpx.Client) -> None:
    """Each of the five ASCII whitespace characters alone before the tag."""
    for space in HTML_SPACE:
        data = (space + "<html>").encode()
        actor = answering(http, data)
        check_answer(http.get(f"/v1/actors/{actor}/queries/count"), data)


@pytest.mark.parametrize("path", ["co%75nt", "%63%6F%75%6E%74", "coun%74"])
@pytest.mark.req("HTTP-006.4", "HTTP-006.1")
@pytest.mark.req("HTTP-002.1", "HTTP-004.2", "HTTP-005.2", "HTTP-011.1")
def test_a_query_name_is_percent_decoded(http: httpx.Client, path: str) -> None:
    actor = counter(http)
    inc(http, actor, 3)
    settle(http)
    response = http.get(f"/v1/actors/{actor}/queries/{path}")
    check(
        "HTTP-006.4",
        response.status_code == 200 and response.content == b"3",
        expected="status 200 and the count 3 (the name is count, percent-decoded)",
        came=lambda: shown(response),
        what=f"the query {path}",
    )


@pytest.mark.req("HTTP-006.4", "HTTP-006.3")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2", "HTTP-004.2", "HTTP-011.1")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("CONV-004")
def test_a_decoded_query_name_is_the_whole_name(http: httpx.Client) -> None:
    """``%20``, ``%3F`` and ``%25`` decode into the name, never into path or query syntax."""
    actor = counter(http)
    settle(http)
    for path in ("count%20", "count%3Fform=raw", "count%25", "%2Ecount"):
        response = http.get(f"/v1/actors/{actor}/queries/{path}")
        expect_error(response, 404, "unknown-query", f"HTTP-006.4 (query {path})")
