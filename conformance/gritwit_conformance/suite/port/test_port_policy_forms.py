"""A policy rule of a form PORT-003.1 does not allow is refused as the runtime opens
(ADP-024.1: ``bad-request``), and one at each edge of its ranges is taken.

A rule names ``scheme`` (``http`` or ``https``), ``host`` (a DNS name, a dotted quad or
a bracketed IPv6 address), ``port`` (an integer from 1 to 65 535), ``path`` (beginning
with ``/``), ``actors`` (a list of ids or names: non-empty text) and optionally
``addresses`` (a list of networks in CIDR notation); each case below breaks one of these
and nothing else.  A policy is a list of rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import error_answer, ok_answer

pytestmark = pytest.mark.profile("port")

ACTOR = "ab" * 32
GOOD: dict[str, Any] = {
    "scheme": "http",
    "host": "example.com",
    "port": 80,
    "path": "/",
    "actors": [ACTOR],
    "addresses": ["10.0.0.0/8"],
}


#: A member left out of a rule by :func:`_with`.
_ABSENT = object()


def _open(impl: Implementation, path: Path, policy: object) -> Any:
    path.mkdir()
    return impl.call("rt-open", path=str(path), clock=1_000_000, port={"policy": policy})


def _with(**change: object) -> dict[str, Any]:
    rule = dict(GOOD)
    for name, value in change.items():
        if value is _ABSENT:
            del rule[name]
        else:
            rule[name] = value
    return rule


@pytest.mark.req("PORT-003.1", "ADP-024.1")
@pytest.mark.parametrize(
    ("what", "policy"),
    [
        ("a policy that is an object", GOOD),
        ("a policy that is text", ""),
        ("a rule that is a list of member names", [list(GOOD)]),
        ("a rule that is no object", ["http://example.com/"]),
        ("a member of no rule", [_with(method="GET")]),
        ("a scheme of ftp", [_with(scheme="ftp")]),
        ("a scheme that is no text", [_with(scheme=1)]),
        ("no scheme", [_with(scheme=_ABSENT)]),
        ("a host that is no name", [_with(host="exa mple.com")]),
        ("a host with an opening bracket only", [_with(host="[::1")]),
        ("a port of 0", [_with(port=0)]),
        ("a port of 65536", [_with(port=65536)]),
        ("a port that is text", [_with(port="80")]),
        ("a port that is a boolean", [_with(port=True)]),
        ("a path without a leading slash", [_with(path="api")]),
        ("actors that are no list", [_with(actors=ACTOR)]),
        ("an empty actor", [_with(actors=[ACTOR, ""])]),
        ("an actor that is no text", [_with(actors=[ACTOR, 7])]),
        ("an address that is no network", [_with(addresses=["10.0.0.1/8"])]),
        ("an address that is no text", [_with(addresses=["10.0.0.0/8", 10])]),
        ("addresses that are no list", [_with(addresses="10.0.0.0/8")]),
        ("a good rule and a bad one", [GOOD, _with(port=0)]),
    ],
)
@pytest.mark.req("CONV-004")
def test_a_rule_of_a_bad_form_is_refused_as_the_runtime_opens(
    impl: Implementation, tmp_path: Path, what: str, policy: object
) -> None:
    reply = _open(impl, tmp_path / "rt", policy)
    error_answer(reply, "PORT-003.1", "bad-request", f"rt-open with {what}")


@pytest.mark.req("PORT-003.1", "ADP-024.1")
@pytest.mark.parametrize(
    ("what", "policy"),
    [
        ("a port of 1", [_with(port=1)]),
        ("a port of 65535", [_with(port=65535)]),
        ("no addresses", [_with(addresses=_ABSENT)]),
        ("an IPv6 host and network", [_with(host="[::1]", addresses=["::1/128"])]),
        ("an empty policy", []),
    ],
)
def test_a_rule_at_the_edges_of_its_form_is_taken(
    impl: Implementation, tmp_path: Path, what: str, policy: object
) -> None:
    ok_answer(_open(impl, tmp_path / "rt", policy), "PORT-003.1", f"rt-open with {what}")
