"""The requests the http profile's tests repeat, each checking its answer, and expected ids.

Every helper that expects success checks the status and the JSON body with the suite's
checks (``suite/_check.py``), naming the clause an unexpected answer breaks and what the
service answered; :func:`expect_error` checks a refusal against HTTP-003.1 (the body)
and HTTP-003.2 (the status of its class).  Expected ids are computed from the objects
the spec says a request builds (ADP-014's test-actor cores, WIT-004's chains), with the
codec (the expected side, as the other profiles compute theirs).
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final

import httpx

import gritwit as g
from gritwit_conformance.harness._state import scaled

from .._check import CLASS_RULE, SuiteBug, check, check_equal, check_type, fail
from .._shares import share_of

__all__ = [
    "PYTHON_COUNTER",
    "OUTSIDE",
    "SETTLE_SECONDS",
    "blob_id",
    "body_of",
    "count_of",
    "create",
    "ENTRY",
    "ids",
    "listing",
    "expect_error",
    "genesis_id",
    "message_id",
    "object_of",
    "send",
    "settle",
    "shown",
    "core_of",
    "incs_at_once",
    "state_in_share",
]

#: The outside's id in mailboxes (WIT-003).
OUTSIDE: Final = "0" * 64
#: Seconds a ``settle`` may wait for the service (scaled, ADP-012): a correct service
#: running a few test actors is quiescent within a second.
SETTLE_SECONDS = 60.0
TEST_ACTOR: Final = {"runtime": "test-actor"}
#: A sandboxed counter (as ``vectors/sandbox.json``'s): it keeps its count in ``count``.
PYTHON_COUNTER: Final = (
    "import base64, json, os\n"
    "t = json.load(open('/input/transition.json'))\n"
    "n = int(open('count').read()) if os.path.exists('count') else 0\n"
    "for m in t['messages']:\n"
    "    if m['headers'].get('mt') == 'inc':\n"
    "        n += int(base64.b64decode(m['data']).decode() or '1')\n"
    "open('count', 'w').write(str(n))\n"
)
JSON: Final = "application/json"


def shown(response: httpx.Response, limit: int = 400) -> str:
    """``STATUS body`` of an answer, cut, for assertion messages."""
    text = response.content[:limit].decode("utf-8", "backslashreplace")
    more = "…" if len(response.content) > limit else ""
    return f"{response.status_code} {text}{more}"


def where(response: httpx.Response) -> str:
    request = response.request
    return f"{request.method} {request.url.raw_path.decode('ascii', 'replace')}"


def media_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def clauses_of(rule: str) -> tuple[tuple[str, ...], str]:
    """The clauses a ``rule`` names (``"HTTP-003.3, HTTP-002.1: what"``) and its words.

    A helper's caller names the clause its check judges, often with a few words of what
    it checks (after a colon or in parentheses); the words go to the message's ``what``.
    """
    found = _RULE.match(rule)
    if found is None:
        raise SuiteBug(f"suite bug: a check's rule {rule!r} names no clause")
    clauses = tuple(_CLAUSE.findall(found.group(1)))
    rest = found.group(2).strip()
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    return clauses, rest


_CLAUSE: Final = re.compile(r"[A-Z]+-\d+(?:\.\d+)*")
_RULE: Final = re.compile(
    r"\s*((?:[A-Z]+-\d+(?:\.\d+)*)(?:\s*,\s*[A-Z]+-\d+(?:\.\d+)*)*)\s*:?\s*(.*)", re.S
)


def _what(rule_words: str, said: str) -> str:
    return f"{said} ({rule_words})" if rule_words else said


def body_of(response: httpx.Response, status: int, rule: str) -> Any:
    """The JSON body of an answer that must have ``status`` and be ``application/json``."""
    clauses, words = clauses_of(rule)
    check(
        clauses,
        response.status_code == status,
        expected=f"status {status}",
        came=lambda: shown(response),
        what=_what(words, where(response)),
    )
    check(
        "HTTP-002.1",
        media_type(response) == JSON,
        expected="an application/json answer",
        came=lambda: (
            f"content-type {json.dumps(response.headers.get('content-type'))}: {shown(response)}"
        ),
        what=where(response),
    )
    try:
        return json.loads(response.content.decode("utf-8"))
    except ValueError as exc:
        fail(
            "HTTP-002.1",
            expected="a body of UTF-8 JSON",
            came=f"{shown(response)} ({exc})",
            what=where(response),
        )


#: The statuses of HTTP-003.2, by class, where the table gives one alone.
STATUS: Final = {
    "unauthorized": 401,
    "forbidden": 403,
    "rate-limited": 429,
    "not-found": 404,
    "unknown-query": 404,
    "key-conflict": 409,
    "ref-conflict": 409,
    "erased": 410,
    "request-too-large": 413,
    "write-too-large": 413,
    "headers-too-large": 431,
    "request-timeout": 408,
    "internal": 500,
    "service-busy": 503,
    "service-stopping": 503,
    "store-unavailable": 503,
    "store-busy": 503,
    "outcome-unknown": 504,
}


def expect_error(
    response: httpx.Response,
    status: int,
    classes: str | tuple[str, ...],
    rule: str,
) -> dict[str, Any]:
    """Check a refusal: ``status``, a class of ``classes``, the body of HTTP-003.1.

    ``rule`` names the clause that requires this refusal; the message says what came.
    """
    wanted = (classes,) if isinstance(classes, str) else classes
    label = " or ".join(wanted)
    clauses, words = clauses_of(rule)
    refusal = _what(words, f"the refusal of {where(response)}")
    check(
        (*clauses, "HTTP-003.2"),
        response.status_code == status,
        expected=f"status {status} ({label})",
        came=lambda: shown(response),
        what=refusal,
    )
    check(
        "HTTP-003.1",
        media_type(response) == JSON,
        expected="an application/json body",
        came=lambda: (
            f"content-type {json.dumps(response.headers.get('content-type'))}: {shown(response)}"
        ),
        what=refusal,
    )
    try:
        body = json.loads(response.content.decode("utf-8"))
    except ValueError:
        fail("HTTP-003.1", expected="a JSON body", came=shown(response), what=refusal)
    error = body.get("error") if isinstance(body, dict) else None
    check(
        "HTTP-003.1",
        isinstance(error, dict) and set(body) == {"error"},
        expected='a body {"error": {...}} and nothing else',
        came=lambda: shown(response),
        what=refusal,
    )
    error = check_type("HTTP-003.1", error, dict, expected="an error object", what=refusal)
    check(
        "HTTP-003.1",
        isinstance(error.get("class"), str) and isinstance(error.get("message"), str),
        expected="an error with a text class and a text message",
        came=lambda: shown(response),
        what=refusal,
    )
    check(
        clauses,
        error["class"] in wanted,
        expected=f"the class {label}",
        came=lambda: f"the class {json.dumps(error['class'])} ({shown(response)})",
        what=refusal,
        by_term=(CLASS_RULE,),  # the class reported exactly (CONV-004)
    )
    return error


# --- expected objects -------------------------------------------------------------------


#: The keys of an entry of ``GET /v1/actors`` (HTTP-007.1; names: HTTP-015.3; time: HTTP-007.7).
ENTRY: Final = frozenset({"actor", "head", "code", "failed", "busy", "share", "names", "time"})


def listing(client: httpx.Client, rule: str = "HTTP-007.1", **params: Any) -> dict[str, Any]:
    """``GET /v1/actors`` with ``params``: its answer, an object of ``actors`` and ``next``
    whose every entry has exactly HTTP-007.1's keys (``rule`` names the status check)."""
    answer = body_of(client.get("/v1/actors", params=params), 200, rule)
    answer = check_type(
        "HTTP-007.1", answer, dict, expected="GET /v1/actors answering a JSON object"
    )
    check_equal("HTTP-007.1", ["actors", "next"], sorted(answer), "the keys of its answer")
    check_type("HTTP-007.1", answer["actors"], list, expected="a list of actors")
    for entry in answer["actors"]:
        check_type("HTTP-007.1", entry, dict, expected="an entry of GET /v1/actors")
        check_equal("HTTP-007.1", ENTRY, set(entry), "the keys of an entry of GET /v1/actors")
    return dict(answer)


def ids(answer: dict[str, Any]) -> list[str]:
    """The actors of a :func:`listing` answer, in its order."""
    return [entry["actor"] for entry in answer["actors"]]


def blob_id(data: bytes, headers: dict[str, str] | None = None) -> str:
    return g.object_id(g.Blob(data=data, headers=headers or {})).hex()


def core_of(name: str, state: dict[str, str] | None = None) -> g.Tree:
    """The core of test actor ``name`` with ``state`` (hex data), as ADP-014 builds it."""
    entries = {"wit": g.object_id(g.Blob(data=name.encode(), headers=TEST_ACTOR))}
    for entry, data in (state or {}).items():
        entries[entry] = g.object_id(g.Blob(data=bytes.fromhex(data)))
    return g.Tree(entries=entries)


def message_id(content: str, headers: dict[str, str], previous: str | None) -> str:
    message = g.Message(
        content=g.ObjectId(bytes.fromhex(content)),
        headers=headers,
        previous=None if previous is None else g.ObjectId(bytes.fromhex(previous)),
    )
    return g.object_id(message).hex()


def genesis_id(actor: str) -> str:
    """The first genesis the outside sends to ``actor`` (WIT-012.1, WIT-004: no previous)."""
    return message_id(actor, {"mt": "genesis"}, None)


# --- requests ---------------------------------------------------------------------------


def create(client: httpx.Client, rule: str = "HTTP-004.2", **body: Any) -> dict[str, Any]:
    """``POST /v1/actors``; 201 and the answer of HTTP-004.2."""
    answer = body_of(client.post("/v1/actors", json=body), 201, rule)
    check(
        "HTTP-004.2",
        isinstance(answer, dict) and set(answer) == {"actor", "message", "existed"},
        expected="an object of actor, message and existed",
        came=answer,
        what="the answer of POST /v1/actors",
    )
    return dict(answer)


def send(
    client: httpx.Client,
    actor: str,
    content: dict[str, Any],
    *,
    mt: str | None = None,
    signal: bool | None = None,
    key: str | None = None,
    status: int = 202,
    rule: str = "HTTP-005.2",
) -> str:
    """``POST /v1/actors/{actor}/messages``; the message id (202, or 200 for a replay)."""
    body: dict[str, Any] = {"content": content}
    if mt is not None:
        body["mt"] = mt
    if signal is not None:
        body["signal"] = signal
    headers = {} if key is None else {"Idempotency-Key": key}
    response = client.post(f"/v1/actors/{actor}/messages", json=body, headers=headers)
    answer = body_of(response, status, rule)
    replayed = status == 200
    clauses, words = clauses_of(rule)
    check(
        clauses,
        isinstance(answer, dict) and answer.get("replayed") is replayed,
        expected=f'an object with "replayed": {json.dumps(replayed)}',
        came=lambda: shown(response),
        what=_what(words, f"a {'replayed' if replayed else 'new'} send to {actor}"),
    )
    message = answer.get("message")
    check(
        "HTTP-005.2",
        isinstance(message, str) and len(message) == 64,
        expected="the message's id in text form (64 hex digits)",
        came=message,
        what=f"the message a send to {actor} answers",
    )
    return str(message)


def settle(client: httpx.Client, seconds: float = SETTLE_SECONDS) -> None:
    """``POST /v1/settle``, which must answer quiescent within the scaled time (HTTP-011.1)."""
    wait = scaled(seconds)
    response = client.post("/v1/settle", json={"timeout": min(wait, 600)}, timeout=wait + 30)
    answer = body_of(response, 200, "HTTP-011.1")
    check_equal(
        "HTTP-011.1",
        {"quiescent": True},
        answer,
        f"settle of a few test actors, after up to {wait:.0f} s",
    )


def object_of(client: httpx.Client, oid: str, rule: str = "HTTP-009.1") -> dict[str, Any]:
    """``GET /v1/objects/{id}``: the object's JSON description."""
    answer = body_of(client.get(f"/v1/objects/{oid}"), 200, rule)
    clauses, words = clauses_of(rule)
    check(
        clauses,
        isinstance(answer, dict),
        expected="an object's description (a JSON object)",
        came=answer,
        what=_what(words, f"GET /v1/objects/{oid}"),
    )
    return dict(answer)


def count_of(client: httpx.Client, actor: str) -> int:
    """A counter's count, by its query (WIT-020.5): a JSON number (HTTP-006.1)."""
    response = client.get(f"/v1/actors/{actor}/queries/count")
    answer = body_of(response, 200, "HTTP-006.1")
    check(
        "HTTP-006.1",
        isinstance(answer, int),
        expected="a JSON number",
        came=lambda: shown(response),
        what=f"the count query of {actor}",
    )
    return int(answer)


def head_of(client: httpx.Client, actor: str) -> str | None:
    """``GET /v1/refs/heads/<actor>``'s target, or None for 404."""
    response = client.get(f"/v1/refs/heads/{actor}")
    if response.status_code == 404:
        expect_error(response, 404, "not-found", "HTTP-009.3")
        return None
    answer = body_of(response, 200, "HTTP-009.3")
    check(
        "HTTP-009.3",
        isinstance(answer, dict)
        and answer.get("name") == f"heads/{actor}"
        and isinstance(answer.get("target"), str),
        expected=f'a ref named "heads/{actor}" with a text target',
        came=answer,
        what=f"GET /v1/refs/heads/{actor}",
    )
    return str(answer["target"])


def counter(client: httpx.Client, seed: str = "") -> str:
    """A new counter (its ``seed`` entry tells it from the others): its actor id."""
    state = {"seed": seed.encode().hex()} if seed else {}
    return str(create(client, test="counter", state=state)["actor"])


def inc(client: httpx.Client, actor: str, amount: int = 1, **options: Any) -> str:
    return send(client, actor, {"blob": str(amount).encode().hex()}, mt="inc", **options)


def incs_at_once(clients: Sequence[httpx.Client], actors: Sequence[str], rounds: int) -> None:
    """Every client of ``clients`` at once (a thread each) sends ``rounds`` rounds of one
    ``inc`` to each of ``actors``, one send after another; every send must be answered
    202 (HTTP-005.2), and every client's rounds must end."""

    def sends(client: httpx.Client) -> int:
        for _ in range(rounds):
            for actor in actors:
                inc(client, actor, 1)  # 202 checked by the helper (HTTP-005.2)
        return rounds

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        done = list(pool.map(sends, clients))
    check_equal(
        "HTTP-005.2",
        len(clients) * rounds,
        sum(done),
        f"the rounds of sends acknowledged through {len(clients)} clients sending at once",
    )


def state_in_share(name: str, k: int, n: int, *, apart: Sequence[int] = ()) -> dict[str, str]:
    """The state of the first test actor ``name`` (by its ``seed``) in share ``k/n``
    (RUN-021) whose id's hex digits at the indexes ``apart`` are each in another share of
    ``n`` than ``k``: a runtime that reads the wrong digit for a recipient's share or
    journal part then looks where the recipient is not."""
    for seed in itertools.count():
        state = {"seed": f"{seed:08x}"}
        actor = g.object_id(core_of(name, state)).hex()
        if share_of(actor, n) == k and all(int(actor[i], 16) % n != k for i in apart):
            return state
    raise SuiteBug("suite bug: no seed puts the actor in the share")


def next_previous(client: httpx.Client, actor: str) -> str | None:
    """The ``previous`` of a fresh send to ``actor``: the outside's last message to it.

    A probe that nothing was sent: a refused request must leave the chain where the last
    acknowledged send left it (HTTP-003.3, HTTP-013.5). It sends a ``noop`` message.
    """
    message = send(client, actor, {"blob": ""}, mt="noop")
    previous = object_of(client, message).get("previous")
    return None if previous is None else str(previous)
