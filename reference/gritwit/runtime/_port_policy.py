"""The port's policy: which URLs an actor may reach, and which addresses (PORT-003, PORT-004).

A policy is a list of rules, each naming a scheme, a host, a port, a path prefix and the
actors it is for (PORT-003.1); a request is allowed only when one rule matches all five
(PORT-003.2), and denied by default (PORT-003.3).  Hosts spelled as numbers in any form
but a dotted quad are refused whatever the policy (PORT-003.4), since resolvers read such
spellings differently.  Once a rule allows a URL, every address its host resolves to must
be globally routable or within a network the rule lists (PORT-004.1).

Nothing here sends or resolves: :func:`parse_url` and :func:`allowing` are pure, and
:func:`address_allowed` judges one address a resolver gave.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

__all__ = [
    "MAX_URL_BYTES",
    "PolicyError",
    "Rule",
    "Target",
    "address_allowed",
    "allowing",
    "is_public",
    "parse_policy",
    "parse_url",
]

#: The longest ``port-url``, in bytes (PORT-001.2).
MAX_URL_BYTES: Final = 2048
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}
#: A DNS name: labels of letters, digits and hyphens, lowercase once read.
_DNS: Final = re.compile(
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?\Z"
)
#: A label a resolver may read as a number: decimal, octal (leading 0) or hex (0x).
_NUMERIC_LABEL: Final = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)\Z")
_QUAD_PART: Final = re.compile(r"(?:0|[1-9][0-9]{0,2})\Z")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class PolicyError(ValueError):
    """A policy or URL that breaks the clause its message names."""


@dataclass(frozen=True, slots=True)
class Target:
    """A request's URL, read (PORT-001.2): what a rule is matched against."""

    scheme: str
    #: Lowercase; an IPv6 address in brackets, compressed (PORT-003.1).
    host: str
    port: int
    #: The path as sent, percent-encoding untouched; ``/`` when the URL has none.
    path: str
    #: The URL's path and query, as sent on the request line.
    target: str

    @property
    def bare_host(self) -> str:
        """The host without brackets: what a resolver is asked."""
        return self.host[1:-1] if self.host.startswith("[") else self.host


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the operator's policy (PORT-003.1)."""

    scheme: str
    host: str
    port: int
    path: str
    actors: frozenset[str]
    addresses: tuple[Network, ...] = ()

    def allows(self, target: Target, identities: Iterable[str]) -> bool:
        """Whether all five match (PORT-003.2): scheme, host, port, path prefix, actor."""
        return (
            target.scheme == self.scheme
            and target.host == self.host
            and target.port == self.port
            and target.path.startswith(self.path)
            and not self.actors.isdisjoint(identities)
        )


def _numeric_host(host: str) -> bool:
    """Whether a resolver may read ``host`` as an IPv4 address (its last label numeric)."""
    labels = host.rstrip(".").split(".")
    return bool(_NUMERIC_LABEL.match(labels[-1]))


def _canonical_quad(host: str) -> bool:
    parts = host.split(".")
    return len(parts) == 4 and all(_QUAD_PART.match(p) and int(p) <= 255 for p in parts)


def _host(text: str, clause: str) -> str:
    """``text`` as a host: a DNS name, a dotted quad or a bracketed IPv6 address."""
    host = text.lower()
    if host.startswith("[") and host.endswith("]"):
        try:
            return f"[{ipaddress.IPv6Address(host[1:-1]).compressed}]"
        except ValueError:
            raise PolicyError(f"{clause}: {text!r:.80} is no IPv6 address") from None
    if _numeric_host(host):
        if not _canonical_quad(host):  # 2130706433, 0177.0.0.1, 0x7f.1, 127.1
            raise PolicyError(f"PORT-003.4: {text!r:.80} is a number spelled as no dotted quad")
        return host
    if not _DNS.match(host):
        raise PolicyError(f"{clause}: {text!r:.80} is no DNS name")
    return host


def parse_url(url: str) -> Target:
    """A ``port-url`` read as PORT-001.2 and PORT-003.4 say, else :class:`PolicyError`."""
    if len(url.encode("utf-8")) > MAX_URL_BYTES:
        raise PolicyError(f"PORT-001.2: the URL is longer than {MAX_URL_BYTES} bytes")
    if any(ord(c) < 0x21 or ord(c) == 0x7F or ord(c) > 0x7E for c in url):
        raise PolicyError("PORT-001.2: the URL holds a space, a control or a non-ASCII character")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise PolicyError("PORT-001.2: the URL cannot be read") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS:
        raise PolicyError("PORT-001.2: the URL's scheme is neither http nor https")
    if "@" in parts.netloc or parts.fragment or "#" in url:
        raise PolicyError("PORT-001.2: the URL holds user information or a fragment")
    netloc = parts.netloc
    host_text = netloc.rsplit(":", 1)[0] if not netloc.endswith("]") and ":" in netloc else netloc
    if not host_text:
        raise PolicyError("PORT-001.2: the URL names no host")
    if port == 0:
        raise PolicyError("PORT-001.2: the URL's port is 0")
    host = _host(host_text, "PORT-001.2")
    path = parts.path or "/"
    target = path + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, _DEFAULT_PORTS[scheme] if port is None else port, path, target)


def _field(rule: dict[str, object], name: str, kind: type) -> object:
    value = rule.get(name)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise PolicyError(f"PORT-003.1: a rule's {name} must be a {kind.__name__}")
    return value


def _rule(raw: object) -> Rule:
    if not isinstance(raw, dict):
        raise PolicyError("PORT-003.1: a rule must be an object")
    known = {"scheme", "host", "port", "path", "actors", "addresses"}
    if set(raw) - known:
        raise PolicyError(f"PORT-003.1: a rule's members are {', '.join(sorted(known))}")
    scheme = _field(raw, "scheme", str)
    if scheme not in _DEFAULT_PORTS:
        raise PolicyError("PORT-003.1: a rule's scheme must be http or https")
    host = _host(str(_field(raw, "host", str)), "PORT-003.1")
    port = _field(raw, "port", int)
    assert isinstance(port, int)
    if not 1 <= port <= 65_535:
        raise PolicyError("PORT-003.1: a rule's port must be an integer from 1 to 65535")
    path = str(_field(raw, "path", str))
    if not path.startswith("/"):
        raise PolicyError("PORT-003.1: a rule's path must begin with /")
    actors = _field(raw, "actors", list)
    assert isinstance(actors, list)
    if not all(isinstance(a, str) and a for a in actors):
        raise PolicyError("PORT-003.1: a rule's actors must be ids or names (text)")
    networks: list[Network] = []
    for text in raw.get("addresses", []) if isinstance(raw.get("addresses", []), list) else [1]:
        if not isinstance(text, str):
            raise PolicyError("PORT-003.1: a rule's addresses must be networks in CIDR notation")
        try:
            networks.append(ipaddress.ip_network(text, strict=True))
        except ValueError:
            raise PolicyError(f"PORT-003.1: {text!r:.60} is no network in CIDR notation") from None
    return Rule(str(scheme), host, port, path, frozenset(actors), tuple(networks))


def parse_policy(raw: object) -> tuple[Rule, ...]:
    """The operator's policy from its JSON form (a list of rules, PORT-003.1)."""
    if not isinstance(raw, list):
        raise PolicyError("PORT-003.1: a policy must be a list of rules")
    return tuple(_rule(r) for r in raw)


def allowing(policy: Sequence[Rule], target: Target, identities: Iterable[str]) -> Rule | None:
    """The first rule allowing ``target`` to an actor known by ``identities`` (its id, its
    code id, its names: PORT-003.2), or ``None``: denied (PORT-003.3)."""
    known = frozenset(identities)
    return next((rule for rule in policy if rule.allows(target, known)), None)


def is_public(address: Address) -> bool:
    """Whether ``address`` is globally routable (PORT-004.1): an IPv4-mapped IPv6 address is
    judged as its IPv4 address, and multicast is never public."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def address_allowed(address: Address, rule: Rule) -> bool:
    """Whether the port may connect to ``address`` for ``rule`` (PORT-004.1)."""
    if is_public(address):
        return True
    mapped = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) else None
    return any(address in net or (mapped is not None and mapped in net) for net in rule.addresses)
