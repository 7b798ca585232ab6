"""Who may do what to which actor: tokens, scopes and prefixes (HTTP-018, HTTP-019, HTTP-021).

For an implementation with the feature ``tokens`` (ADP-021.4): the 401/403 matrix walks
every operation of the spec's OpenAPI document with no token and with a token of each
scope, expecting what the operation's ``security`` says (HTTP-018.6); the prefix of a
token is checked on a name and on an id, in a path and in a body (HTTP-018.3); a token
never comes back in an answer (HTTP-018.4); a start beyond loopback without a token is
refused (HTTP-019.1); cookies are refused on requests that change state and no CORS
header is served (HTTP-019.2); a token past its rate and a guesser past its failures
get 429 with ``Retry-After`` (HTTP-021).
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check
from ._api import body_of, expect_error, settle, shown
from ._service import Services
from ._service import services as services
from ._tokens import SCOPES, bearer, check_retry_after, matrix_service, operations, request_of

pytestmark = [pytest.mark.profile("http"), pytest.mark.feature("tokens")]

#: A well-formed bearer value no service issued (HTTP-018.1).
UNKNOWN = "gwt_0123456789abcdef_" + "A" * 43


def _values(client: httpx.Client, token: str) -> dict[str, str]:
    """An actor with a step, made with ``token`` (an admin's): the path's parameters."""
    made = body_of(
        client.post("/v1/actors", json={"test": "counter"}, headers=bearer(token)),
        201,
        "HTTP-004.2, HTTP-018.2",
    )
    actor = made["actor"]
    return {"actor": actor, "id": made["message"], "name": "count"}


@pytest.mark.smoke
@pytest.mark.req("HTTP-018.1", "HTTP-018.2", "HTTP-018.6", "ADP-021.4")
@pytest.mark.req("HTTP-003.2")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("HTTP-004.2")  # its checks name them too
def test_every_operation_answers_as_its_security_says(services: Services) -> None:
    """The matrix: each operation of the document, with no token and with one token of
    each scope: open ones never 401; the others 401 without a token, 403 with a token
    lacking their scope, neither 401 nor 403 with one holding it (``admin`` holds all)."""
    service = matrix_service(services)
    client, tokens = service.client, service.tokens
    values = _values(client, tokens["t-admin"])
    wrong: list[str] = []
    for operation in operations():
        status = request_of(client, operation, values, {})
        if operation.scope is None:
            if status in (401, 403):
                wrong.append(f"{operation.label} without a token: {status}, open (security: [])")
            continue
        if status != 401:
            wrong.append(f"{operation.label} without a token: {status}, not 401")
        for scope in SCOPES:
            status = request_of(client, operation, values, bearer(tokens[f"t-{scope}"]))
            allowed = scope in (operation.scope, "admin")
            if allowed and status in (401, 403):
                wrong.append(f"{operation.label} with a {scope} token: {status}, not allowed")
            refused = status == 403 or (operation.optional and status == 404)
            if not allowed and not refused:
                wrong.append(
                    f"{operation.label} needs {operation.scope}; a {scope} token got {status}"
                )
    check(
        "HTTP-018.2",
        not wrong,
        expected="each operation answered as its security in the spec's document says",
        came="; ".join(wrong[:12]) + (f" (and {len(wrong) - 12} more)" if len(wrong) > 12 else ""),
    )


@pytest.mark.req("HTTP-018.6", "HTTP-012.1")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("HTTP-018.1")  # its checks name them too
def test_the_document_names_the_bearer_scheme_and_each_scope(services: Services) -> None:
    """The service's own document (not the spec's, which the matrix follows): the scheme
    ``bearer`` in ``components.securitySchemes``, and each operation it describes with
    the ``security`` of the spec's, ``[]`` for the open ones; read without a token, as
    ``GET /v1/openapi.json`` is open (HTTP-018.1)."""
    service = matrix_service(services)
    document = body_of(service.client.get("/v1/openapi.json"), 200, "HTTP-012.1, HTTP-018.1")
    components = document.get("components") if isinstance(document, dict) else None
    schemes = components.get("securitySchemes") if isinstance(components, dict) else None
    scheme = schemes.get("bearer") if isinstance(schemes, dict) else None
    check(
        "HTTP-018.6",
        isinstance(scheme, dict)
        and scheme.get("type") == "http"
        and str(scheme.get("scheme", "")).lower() == "bearer",
        expected="components.securitySchemes.bearer: {type: http, scheme: bearer}",
        came=schemes,
    )
    paths = document.get("paths") if isinstance(document, dict) else None
    served = paths if isinstance(paths, dict) else {}
    wrong: list[str] = []
    for operation in operations():
        item = served.get(operation.path)
        described = item.get(operation.method) if isinstance(item, dict) else None
        if not isinstance(described, dict):
            continue  # an operation left out is HTTP-012.1's to judge
        expected = [] if operation.scope is None else [{"bearer": [operation.scope]}]
        if described.get("security") != expected:
            wrong.append(f"{operation.label}: {described.get('security')!r}, not {expected!r}")
    check(
        "HTTP-018.6",
        not wrong,
        expected="each operation's security as the spec's document gives it",
        came="; ".join(wrong[:8]) + (f" (and {len(wrong) - 8} more)" if len(wrong) > 8 else ""),
    )


@pytest.mark.req("HTTP-018.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("HTTP-002.1")
@pytest.mark.req("CONV-004")
def test_no_token_a_bad_one_or_one_in_the_url_is_401(services: Services) -> None:
    service = matrix_service(services)
    client, good = service.client, service.tokens["t-read"]
    asked = {
        "no token": client.get("/v1/actors"),
        "an unknown token": client.get("/v1/actors", headers=bearer(UNKNOWN)),
        "another scheme": client.get("/v1/actors", headers={"authorization": f"Basic {good}"}),
        "a token in the URL": client.get(f"/v1/actors?access_token={good}"),
        "an unknown path": client.get("/v1/no-such-thing"),
        "the status page": client.get("/ui/"),
    }
    for what, response in asked.items():
        expect_error(response, 401, "unauthorized", f"HTTP-018.1: {what}")
        challenge = response.headers.get("www-authenticate", "")
        check(
            "HTTP-018.1",
            challenge.lower().startswith("bearer"),
            expected="a WWW-Authenticate: Bearer header",
            came=challenge or "none",
            what=f"the 401 of {what}",
        )
    two = [("authorization", f"Bearer {good}"), ("authorization", f"Bearer {good}")]
    expect_error(client.get("/v1/actors", headers=two), 401, "unauthorized", "HTTP-018.1: two")
    body_of(client.get("/v1/actors", headers=bearer(good)), 200, "HTTP-018.1: the good token")


@pytest.mark.req("HTTP-018.3", "HTTP-015.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2", "HTTP-011.1")
@pytest.mark.req("HTTP-004.4", "HTTP-007.4")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_a_prefix_holds_for_names_and_ids_in_paths_and_bodies(services: Services) -> None:
    service = matrix_service(
        services, pre={"scopes": ["read", "send", "create"], "prefix": "team-a-"}
    )
    client, admin, pre = service.client, service.tokens["t-admin"], service.tokens["pre"]
    ours = body_of(
        client.post(
            "/v1/actors", json={"test": "counter", "name": "team-a-one"}, headers=bearer(pre)
        ),
        201,
        "HTTP-018.3: a creation named within the prefix",
    )["actor"]
    theirs = body_of(
        client.post(
            "/v1/actors", json={"test": "counter", "name": "team-b-one"}, headers=bearer(admin)
        ),
        201,
        "HTTP-004.4",
    )["actor"]
    inc = {"content": {"blob": "31"}, "mt": "inc"}
    allowed = {
        "GET the actor by its name": client.get("/v1/actors/team-a-one", headers=bearer(pre)),
        "GET the actor by its id": client.get(f"/v1/actors/{ours}", headers=bearer(pre)),
        "a send by id": client.post(f"/v1/actors/{ours}/messages", json=inc, headers=bearer(pre)),
    }
    for what, response in allowed.items():
        check(
            "HTTP-018.3",
            response.status_code in (200, 202),
            expected="within the prefix team-a-: served",
            came=shown(response),
            what=what,
        )
    refused = {
        "GET another's actor by its name": client.get("/v1/actors/team-b-one", headers=bearer(pre)),
        "GET another's actor by its id": client.get(f"/v1/actors/{theirs}", headers=bearer(pre)),
        "a send to another's name": client.post(
            "/v1/actors/team-b-one/messages", json=inc, headers=bearer(pre)
        ),
        "a send to another's id": client.post(
            f"/v1/actors/{theirs}/messages", json=inc, headers=bearer(pre)
        ),
        "a batch to another's name": client.post(
            "/v1/messages", json={"messages": [{"to": "team-b-one", **inc}]}, headers=bearer(pre)
        ),
        "a batch to another's id": client.post(
            "/v1/messages", json={"messages": [{"to": theirs, **inc}]}, headers=bearer(pre)
        ),
        "a creation named outside": client.post(
            "/v1/actors", json={"test": "counter", "name": "team-b-two"}, headers=bearer(pre)
        ),
        "a creation without a name": client.post(
            "/v1/actors", json={"test": "counter"}, headers=bearer(pre)
        ),
        "the list of every actor": client.get("/v1/actors", headers=bearer(pre)),
        # a ref's name holds slashes (HTTP-009.3); its endpoint names no actor, whatever
        # the name says
        "a ref read by its name": client.get("/v1/refs/names/team-b-one", headers=bearer(pre)),
    }
    for what, response in refused.items():
        expect_error(response, 403, "forbidden", f"HTTP-018.3: {what}")
    client.headers.update(bearer(admin))  # the admin's from here on
    settle(client)
    steps = body_of(client.get(f"/v1/actors/{theirs}/history"), 200, "HTTP-007.4")["steps"]
    check(
        "HTTP-018.3",
        len(steps) <= 1,
        expected="the other team's actor got nothing of the refused sends (its genesis only)",
        came=f"{len(steps)} steps",
    )


@pytest.mark.req("HTTP-018.4", "HTTP-018.1", "HTTP-018.2")
def test_a_token_never_comes_back_in_an_answer(services: Services) -> None:
    service = matrix_service(services)
    client, read = service.client, service.tokens["t-read"]
    answers = {
        "a 403 of a read token": client.post(
            "/v1/actors", json={"test": "counter"}, headers=bearer(read)
        ),
        "a 401 of an unknown token": client.get("/v1/actors", headers=bearer(UNKNOWN)),
        "a 401 of a token in the URL": client.get(f"/v1/actors?access_token={read}"),
        "a 400 of a read token": client.get("/v1/actors?bad=1", headers=bearer(read)),
        "a 404 of a read token": client.get(f"/v1/actors/{'0' * 63}1", headers=bearer(read)),
    }
    for what, response in answers.items():
        shown_back = response.content.decode("latin-1") + str(response.headers)
        for token in (read, UNKNOWN):
            check(
                "HTTP-018.4",
                token not in shown_back and token[-43:] not in shown_back,
                expected="no token in the answer's body or headers",
                came=shown(response),
                what=what,
            )


@pytest.mark.req("HTTP-019.1", "ADP-021.4")
def test_a_start_beyond_loopback_without_a_token_is_refused(
    impl: Implementation, services: Services
) -> None:
    """192.0.2.1 (TEST-NET-1, RFC 5737) is no address of this machine: the refusal must
    come first, naming the clause, never a failed attempt to listen there."""
    path = services.top / "beyond"
    path.mkdir(parents=True)
    reply = impl.call("http-serve", path=str(path), host="192.0.2.1")
    if reply.ok:
        url = reply.result.get("url")
        impl.call("http-stop", url=url)
    message = str(reply.error.get("message", "")) if not reply.ok else ""
    check(
        "HTTP-019.1",
        not reply.ok and reply.error_class == "bad-request" and "HTTP-019.1" in message,
        expected="bad-request naming HTTP-019.1: no token, so no listening beyond loopback",
        came=reply,
    )


@pytest.mark.req("HTTP-019.2")
@pytest.mark.req("HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("HTTP-002.3")  # its checks name them too
@pytest.mark.req("CONV-004")
def test_cookies_are_refused_and_no_cors_is_served(services: Services) -> None:
    service = matrix_service(services)
    client, create = service.client, service.tokens["t-create"]
    response = client.post(
        "/v1/actors",
        json={"test": "counter"},
        headers={**bearer(create), "cookie": "session=1"},
    )
    expect_error(response, 400, "bad-request", "HTTP-019.2: a POST with a cookie")
    form = client.post(
        "/v1/actors",
        content=b"test=counter",
        headers={**bearer(create), "content-type": "application/x-www-form-urlencoded"},
    )
    expect_error(form, 415, "bad-request", "HTTP-019.2, HTTP-002.3: a form")
    origin = {"origin": "https://elsewhere.example"}
    for response in (
        client.get("/v1/actors", headers={**bearer(service.tokens["t-read"]), **origin}),
        client.options("/v1/actors", headers={**origin, "access-control-request-method": "POST"}),
    ):
        check(
            "HTTP-019.2",
            "access-control-allow-origin" not in response.headers,
            expected="no Access-Control-Allow-Origin",
            came=dict(response.headers),
            what=f"{response.request.method} with an Origin",
        )


@pytest.mark.req("HTTP-021.1")
@pytest.mark.req("HTTP-002.1", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_a_token_past_its_rate_gets_429_with_retry_after(services: Services) -> None:
    service = matrix_service(services, slow={"scopes": ["read"], "rate": 2})
    client, slow = service.client, service.tokens["slow"]
    statuses = []
    for _ in range(60):  # until the first 429: 60 would take a client 30 s to stay within
        statuses.append(client.get("/v1", headers=bearer(slow)))
        if statuses[-1].status_code == 429:
            break
    limited = [r for r in statuses if r.status_code == 429]
    check(
        "HTTP-021.1",
        bool(limited),
        expected="one of up to 60 requests at once of a token of 2 a second answered 429",
        came=[r.status_code for r in statuses],
    )
    error = expect_error(limited[0], 429, "rate-limited", "HTTP-021.1")
    check_retry_after(limited[0], "HTTP-021.1", error["message"][:80])
    other = client.get("/v1", headers=bearer(service.tokens["t-read"]))
    body_of(other, 200, "HTTP-021.1: another token is not limited by this one's rate")


#: Guesses at most, and threads sending them: enough to outrun 10 checks a second
#: however loaded the machine is (the flood stops at its first 429).
GUESSES, GUESSERS = 600, 4


@pytest.mark.req("HTTP-021.2", "HTTP-018.1")
def test_guessing_tokens_is_slowed(services: Services) -> None:
    """Guesses from four threads at once, until the first 429: at most 20 plus 10 a second
    of them were checked (401). Then, while the guessing goes on, a good token from the
    same address is answered 429 with Retry-After, unchecked. No figure depends on the
    machine's speed: a slow client only makes the bound larger."""
    service = matrix_service(services)
    statuses: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def guess(part: int, until_limited: bool) -> None:
        with httpx.Client(base_url=service.url, timeout=60.0) as client:
            for n in range(part, GUESSES if until_limited else 10**9, GUESSERS):
                if stop.is_set():
                    return
                token = f"gwt_{n:016x}_" + "B" * 43
                status = client.get("/v1", headers=bearer(token)).status_code
                with lock:
                    statuses.append(status)
                if until_limited and status == 429:
                    return

    began = time.monotonic()
    threads = [threading.Thread(target=guess, args=(k, True), daemon=True) for k in range(GUESSERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    elapsed = time.monotonic() - began
    checked = statuses.count(401)
    check(
        "HTTP-021.2",
        checked <= 20 + 10 * elapsed + 2 and statuses.count(429) > 0,
        expected=f"at most {20 + 10 * elapsed:.0f} of {len(statuses)} guesses checked in "
        f"{elapsed:.1f} s, then 429",
        came=f"{checked} answered 401, {statuses.count(429)} 429, others {set(statuses)}",
    )
    flood = [threading.Thread(target=guess, args=(k, False), daemon=True) for k in range(GUESSERS)]
    for thread in flood:  # the guessing goes on, till the good token's five tries end
        thread.start()
    good = []
    try:
        for _ in range(5):  # each after the flood's next 429: the address is past its bound
            seen = statuses.count(429)
            deadline = time.monotonic() + 60
            while statuses.count(429) == seen and time.monotonic() < deadline:
                time.sleep(0.005)
            good.append(service.client.get("/v1", headers=bearer(service.tokens["t-read"])))
    finally:
        stop.set()
        for thread in flood:
            thread.join(120)
    limited = [a for a in good if a.status_code == 429]
    check(
        "HTTP-021.2",
        bool(limited) and all(a.headers.get("retry-after", "").isdigit() for a in limited),
        expected="429 with Retry-After, the token unchecked, while the guessing goes on",
        came=", ".join(shown(a) for a in good),
    )
