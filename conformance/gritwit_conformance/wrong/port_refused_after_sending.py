"""Wrong adapter: a request no rule allows is sent, and refused once its answer is in (PORT-003.3).

The port judges the policy late: it sends every request, then answers one no rule allows
``port-refused`` and throws its response away. The actor sees the refusal PORT-003.3
names, but the bytes went out to a URL the operator never allowed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Sequence

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _port, _port_policy
from gritwit.runtime._port_secrets import Secrets
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("port",),
    frozenset({"PORT-003.3"}),
    "failed",
    "a request no rule allows is sent first and refused after: its bytes reach the world",
)

#: The actor a stand-in rule names: a request it carries was allowed by no rule.
_UNALLOWED = "\x00unallowed"
_real_allowing = _port_policy.allowing
_real_perform = _port.perform


def _allowing(
    policy: Sequence[_port_policy.Rule], target: _port_policy.Target, identities: Iterable[str]
) -> _port_policy.Rule | None:
    rule = _real_allowing(policy, target, identities)
    if rule is not None:
        return rule
    # the bug: a stand-in rule, so the request is sent, and judged when it is answered
    everywhere = (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0"))
    return _port_policy.Rule(
        target.scheme, target.host, target.port, "/", frozenset({_UNALLOWED}), everywhere
    )


def _perform(
    req: _port.Prepared,
    secrets: Secrets,
    bounds: _port.PortBounds,
    resolve: Callable[[str, int], list[str]] = _port.resolve,
) -> _port.Outcome:
    outcome = _real_perform(req, secrets, bounds, resolve)
    if _UNALLOWED in req.rule.actors:
        return _port.Failure("port-refused", "PORT-003.3")
    return outcome


def install() -> None:
    patch(_port, "allowing", _allowing)
    patch(_port, "perform", _perform)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
