"""The port's policy matcher and address check (PORT-003, PORT-004), over generated URLs
and addresses.

Expected values come from the clauses and from the networks they list, built here with
``ipaddress`` networks written out from the text (not from the code under test): an
address in a listed special network is refused unless a rule lists it; a numeric host not
spelled as a dotted quad is refused; each of scheme, host, port, path prefix and actor
must match.
"""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit.runtime._port_policy import (
    PolicyError,
    Rule,
    address_allowed,
    allowing,
    is_public,
    parse_policy,
    parse_url,
)

#: The networks PORT-004.1 names, as its text writes them.
SPECIAL = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "224.0.0.0/4",
        "::1/128",
        "::/128",
        "fc00::/7",
        "fe80::/10",
        "ff00::/8",
    )
]


def _in(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> st.SearchStrategy[str]:
    first, size = int(network.network_address), network.num_addresses
    return st.integers(0, size - 1).map(lambda i: str(ipaddress.ip_address(first + i)))


RULE = Rule("https", "api.example.com", 443, "/v1/", frozenset({"a" * 64}))


@pytest.mark.req("PORT-004.1")
@given(st.sampled_from(SPECIAL).flatmap(_in))
def test_every_address_of_a_special_network_is_refused_unless_listed(text: str) -> None:
    address = ipaddress.ip_address(text)
    assert not is_public(address)
    assert not address_allowed(address, RULE)
    net = ipaddress.ip_network(f"{text}/{address.max_prefixlen}")
    listed = Rule(RULE.scheme, RULE.host, RULE.port, RULE.path, RULE.actors, (net,))
    assert address_allowed(address, listed)


@pytest.mark.req("PORT-004.1")
@given(st.sampled_from([n for n in SPECIAL if n.version == 4]).flatmap(_in))
def test_an_ipv4_mapped_address_is_judged_as_its_ipv4_address(text: str) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{text}")
    assert not address_allowed(mapped, RULE)
    listed = Rule(
        RULE.scheme,
        RULE.host,
        RULE.port,
        RULE.path,
        RULE.actors,
        (ipaddress.ip_network(f"{text}/32"),),
    )
    assert address_allowed(mapped, listed)


@pytest.mark.req("PORT-004.1")
@pytest.mark.parametrize("text", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_a_public_address_is_allowed(text: str) -> None:
    assert address_allowed(ipaddress.ip_address(text), RULE)


@pytest.mark.req("PORT-003.4")
@given(st.integers(0, 2**32 - 1))
def test_a_host_spelled_as_one_number_is_refused(value: int) -> None:
    with pytest.raises(PolicyError, match=r"PORT-003\.4"):
        parse_url(f"http://{value}/")


@pytest.mark.req("PORT-003.4")
@given(
    st.lists(st.integers(0, 255), min_size=4, max_size=4),
    st.integers(0, 3),
    st.sampled_from(["0{}", "0x{:x}", "00{}"]),
)
def test_an_octal_or_hex_part_is_refused_and_a_plain_quad_read(
    parts: list[int], which: int, spelling: str
) -> None:
    plain = ".".join(map(str, parts))
    assert parse_url(f"http://{plain}:8080/").host == plain
    odd = [str(p) for p in parts]
    odd[which] = spelling.format(parts[which])
    with pytest.raises(PolicyError, match=r"PORT-003\.4"):
        parse_url(f"http://{'.'.join(odd)}/")


@pytest.mark.req("PORT-003.4")
@pytest.mark.parametrize(
    "host", ["127.1", "0x7f000001", "1.2.3", "1.2.3.4.5", "256.0.0.1", "example.0x10"]
)
def test_short_and_long_number_spellings_are_refused(host: str) -> None:
    with pytest.raises(PolicyError, match=r"PORT-003\.4"):
        parse_url(f"http://{host}/")


@pytest.mark.req("PORT-003.2", "PORT-003.3")
@given(
    scheme=st.sampled_from(["http", "https"]),
    host=st.sampled_from(
        ["api.example.com", "API.Example.com", "example.com", "api.example.com.evil"]
    ),
    port=st.sampled_from([None, 443, 80, 8443]),
    path=st.sampled_from(["/v1/x", "/v1/", "/v1", "/v2/x", "/", "/v1/../admin"]),
    actor=st.sampled_from(["a" * 64, "b" * 64]),
)
def test_a_rule_allows_only_when_all_five_match(
    scheme: str, host: str, port: int | None, path: str, actor: str
) -> None:
    url = f"{scheme}://{host}{'' if port is None else f':{port}'}{path}"
    target = parse_url(url)
    effective = port if port is not None else {"http": 80, "https": 443}[scheme]
    want = (
        scheme == "https"
        and host.lower() == "api.example.com"
        and effective == 443
        and path.startswith("/v1/")
        and actor == "a" * 64
    )
    assert (allowing([RULE], target, {actor}) is not None) == want


@pytest.mark.req("PORT-001.2")
@pytest.mark.parametrize(
    "url",
    [
        "ftp://x.com/",
        "http://user@x.com/",
        "http://x.com/#f",
        "/relative",
        "http://x.com:0/",
        "http://x .com/",
        "http://[::1/",
        "http://x.com/" + "a" * 2048,
        "http://%31.0.0.1/",
    ],
)
def test_a_malformed_url_is_refused(url: str) -> None:
    with pytest.raises(PolicyError):
        parse_url(url)


@pytest.mark.req("PORT-003.1")
@pytest.mark.parametrize(
    "rule",
    [
        {"scheme": "ftp", "host": "x.com", "port": 1, "path": "/", "actors": ["a"]},
        {"scheme": "http", "host": "x.com", "port": 0, "path": "/", "actors": ["a"]},
        {"scheme": "http", "host": "x.com", "port": True, "path": "/", "actors": ["a"]},
        {"scheme": "http", "host": "x.com", "port": 1, "path": "x", "actors": ["a"]},
        {"scheme": "http", "host": "x.com", "port": 1, "path": "/", "actors": "a"},
        {
            "scheme": "http",
            "host": "x.com",
            "port": 1,
            "path": "/",
            "actors": ["a"],
            "addresses": ["10.0.0.1/8"],
        },
        {"scheme": "http", "host": "2130706433", "port": 1, "path": "/", "actors": ["a"]},
        {"scheme": "http", "host": "x.com", "port": 1, "path": "/", "actors": ["a"], "other": 1},
    ],
)
def test_a_malformed_rule_is_refused(rule: dict[str, object]) -> None:
    with pytest.raises(PolicyError, match=r"PORT-003"):
        parse_policy([rule])


@pytest.mark.req("PORT-003.1")
def test_an_ipv6_host_is_matched_in_its_compressed_form() -> None:
    (rule,) = parse_policy(
        [{"scheme": "http", "host": "[0:0:0:0:0:0:0:1]", "port": 80, "path": "/", "actors": ["a"]}]
    )
    assert rule.host == "[::1]"
    assert allowing([rule], parse_url("http://[::1]/x"), {"a"}) is rule
