"""Starting and stopping a service (ADP-021), its probes and its description (HTTP-001.3 … .6).

``http-serve`` answers a loopback URL once the service is ready (ADP-021.1, HTTP-001.3);
``GET /healthz``, ``GET /readyz`` and ``GET /v1`` answer as HTTP-001.5 and HTTP-001.6 say;
``http-stop`` answers once the service has stopped, and an adapter that shuts down stops
its services (ADP-021.2, ADP-021.3). Unknown paths and methods are refused
``bad-request`` (HTTP-002.4).
"""

from __future__ import annotations

import httpx
import pytest

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.harness._state import scaled

from .._check import call_ok, check, check_equal, error_answer
from ._api import body_of, expect_error, shown
from ._service import Services, check_url
from ._service import http as http
from ._service import services as services

pytestmark = pytest.mark.profile("http")


def _refused(url: str, seconds: float = 10.0) -> bool:
    """Whether nothing answers at ``url`` any more (the connection is refused or dropped)."""
    try:
        httpx.get(f"{url}/healthz", timeout=scaled(seconds), trust_env=False)
    except httpx.TransportError:
        return True
    return False


@pytest.mark.smoke
@pytest.mark.req("HTTP-001.5", "ADP-021.1")
@pytest.mark.req("HTTP-002.1")
def test_healthz_answers_200_live(http: httpx.Client) -> None:
    answer = body_of(http.get("/healthz"), 200, "HTTP-001.5")
    check_equal("HTTP-001.5", {"live": True}, answer, "GET /healthz")


@pytest.mark.smoke
@pytest.mark.req("HTTP-001.5", "ADP-021.1")
@pytest.mark.req("HTTP-002.1")
def test_readyz_answers_ready_once_served(http: httpx.Client) -> None:
    """ADP-021.1: http-serve answers only once the service is ready, so at once 200."""
    answer = body_of(http.get("/readyz"), 200, "HTTP-001.5, ADP-021.1")
    check_equal(
        ("HTTP-001.5", "ADP-021.1"), {"ready": True}, answer, "GET /readyz once http-serve answered"
    )


@pytest.mark.smoke
@pytest.mark.req("HTTP-001.6")
@pytest.mark.req("CONV-003", "HTTP-002.1")
def test_v1_names_the_protocol_spec_and_no_share(http: httpx.Client, impl: Implementation) -> None:
    """``GET /v1``: protocol 1, the spec version the implementation claims (its ``hello``,
    else the suite's), no share for a service started without one."""
    answer = body_of(http.get("/v1"), 200, "HTTP-001.6")
    check(
        "HTTP-001.6",
        isinstance(answer, dict) and set(answer) >= {"protocol", "spec", "share"},
        expected="an object with protocol, spec and share",
        came=answer,
        what="GET /v1",
    )
    check_equal("HTTP-001.6", 1, answer["protocol"], "the protocol GET /v1 names")
    claimed = impl.info().get("implementation", {}).get("spec") or g.SPEC_VERSION
    check_equal(
        ("HTTP-001.6", "CONV-003"),
        claimed,
        answer["spec"],
        "the spec GET /v1 names: the one the implementation claims in hello",
    )
    check_equal("HTTP-001.6", None, answer["share"], "the share of a service started without one")


@pytest.mark.req("HTTP-001.3", "ADP-021.1")
def test_the_url_is_loopback_and_answers(services: Services) -> None:
    """The URL's form: ``http://``, a loopback address, a port, no path, no trailing
    slash; the service must then answer on it, and again after a restart."""
    service = services.start()
    check_url(service.url)
    health = service.client.get("/healthz")
    check(
        "HTTP-001.3",
        health.status_code == 200,
        expected="status 200 (the service answers on its url)",
        came=lambda: shown(health),
        what=f"GET {service.url}/healthz",
    )
    service = services.restart(service)
    check_url(service.url)


@pytest.mark.req("ADP-021.2")
def test_http_stop_answers_once_stopped(services: Services) -> None:
    service = services.start()
    services.stop(service)
    check(
        "ADP-021.2",
        _refused(service.url),
        expected="nothing answering once http-stop answered",
        came=f"an answer to GET {service.url}/healthz",
        what="the stopped service's url",
    )


@pytest.mark.req("ADP-021.2")
@pytest.mark.req("CONV-004")
def test_http_stop_of_an_unknown_url_is_bad_request(
    impl: Implementation, http: httpx.Client
) -> None:
    reply = impl.call("http-stop", url="http://127.0.0.1:9/")
    error_answer(reply, "ADP-021.2", "bad-request", "http-stop of a url no http-serve answered")
    health = http.get("/healthz")
    check(
        "ADP-021.2",
        health.status_code == 200,
        expected="status 200 (the running service left running)",
        came=lambda: shown(health),
        what="GET /healthz after http-stop of an unknown url",
    )


@pytest.mark.req("ADP-021.2")
@pytest.mark.req("CONV-004")
def test_http_stop_twice_is_bad_request(impl: Implementation, services: Services) -> None:
    """A stopped service's url is no longer one http-serve answered and runs."""
    service = services.start()
    services.stop(service)
    reply = impl.call("http-stop", url=service.url)
    error_answer(reply, "ADP-021.2", "bad-request", f"a second http-stop of {service.url}")


@pytest.mark.req("ADP-021.3")
def test_shutdown_stops_every_service(impl: Implementation, tmp_path: object) -> None:
    """An adapter that shuts down stops the services it started (ADP-021.3)."""
    other = impl._fresh()
    try:
        urls = []
        for name in ("a", "b"):
            path = tmp_path / name  # type: ignore[operator]
            path.mkdir()
            urls.append(call_ok(other, "ADP-021.3", "http-serve", path=str(path)).get("url"))
    finally:
        other.close()
    for url in urls:
        check(
            "ADP-021.3",
            _refused(str(url)),
            expected="nothing answering once the adapter that served it shut down",
            came=f"an answer to GET {url}/healthz",
            what="a service of an adapter shut down",
        )


@pytest.mark.req("ADP-021.1")
def test_two_services_on_two_directories(services: Services) -> None:
    first, second = services.start("one"), services.start("two")
    check(
        "ADP-021.1",
        first.url != second.url,
        expected="two urls for two services on two directories",
        came=f"one url {first.url}",
        what="http-serve of two directories",
    )
    for service in (first, second):
        health = service.client.get("/healthz")
        check(
            "ADP-021.1",
            health.status_code == 200,
            expected="status 200 from each of two services",
            came=lambda: shown(health),  # noqa: B023 - called at once
            what=f"GET {service.url}/healthz",
        )


@pytest.mark.parametrize(
    "path",
    ["/nothing", "/v1/nothing", "/v2", "/v1/actors/x/y/z", "/v1/objectz"],
    ids=["top", "v1", "v2", "deep", "near"],
)
@pytest.mark.req("HTTP-002.4", "HTTP-003.1", "HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_an_unknown_path_is_404_bad_request(http: httpx.Client, path: str) -> None:
    expect_error(http.get(path), 404, "bad-request", "HTTP-002.4")


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/v1/objects"), ("PUT", "/v1/actors"), ("PATCH", "/v1/settle"), ("POST", "/v1")],
    ids=["delete-objects", "put-actors", "patch-settle", "post-v1"],
)
@pytest.mark.req("HTTP-002.4", "HTTP-003.1")
@pytest.mark.req("HTTP-003.2")
@pytest.mark.req("CONV-004")
def test_an_unknown_method_is_405_or_404_bad_request(
    http: httpx.Client, method: str, path: str
) -> None:
    response = http.request(method, path)
    check(
        "HTTP-002.4",
        response.status_code in (404, 405),
        expected="status 404 or 405 (bad-request)",
        came=lambda: shown(response),
        what=f"{method} {path}",
    )
    expect_error(response, response.status_code, "bad-request", "HTTP-002.4")
