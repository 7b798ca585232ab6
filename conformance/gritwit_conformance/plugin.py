"""The pytest plugin of the conformance suite (registered as ``pytest11`` entry point ``gritwit``).

Light to import: it pulls in nothing of the suite until a conformance test
runs.  Options choose the implementation under test (``--impl``: a command
line, or ``reference`` for the in-process reference); the ``impl`` fixture
hands each test a ready implementation, skips tests of profiles it does not
claim (*not claimed*, ADP-006), turns its declared known failures into strict
xfails (ADP-005), and restarts it after a broken exchange (ADP-012).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._state import settings

if TYPE_CHECKING:
    from ._implementation import Implementation

NOT_CLAIMED = "not claimed"
#: The protocol tests apply to every implementation.
ALWAYS_CLAIMED = "protocol"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gritwit", "gritwit conformance suite")
    group.addoption(
        "--impl",
        dest="gritwit_impl",
        default="reference",
        help="implementation under test: a command line that starts its adapter, "
        "or 'reference' (default) for the in-process reference",
    )
    group.addoption("--gritwit-timeout", type=float, default=10.0, help="seconds per response")
    group.addoption("--gritwit-examples", type=int, default=None, help="hypothesis examples")
    group.addoption("--gritwit-smoke", action="store_true", help="only the smoke tests")
    group.addoption("--gritwit-vectors", default=None, help="golden vectors directory")
    group.addoption("--gritwit-json", default=None, help="write the JSON report here")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "req(*ids): requirement IDs a test checks")
    config.addinivalue_line("markers", "profile(name): the conformance profile of a test")
    config.addinivalue_line("markers", "smoke: part of the quick smoke run (--gritwit-smoke)")
    settings.impl = config.getoption("gritwit_impl")
    settings.timeout = config.getoption("gritwit_timeout")
    examples = config.getoption("gritwit_examples")
    if examples is not None:
        settings.examples = examples
    settings.smoke = config.getoption("gritwit_smoke")
    vectors = config.getoption("gritwit_vectors")
    settings.vectors = Path(vectors) if vectors else None
    json_path = config.getoption("gritwit_json")
    if json_path and not hasattr(config, "workerinput"):
        from ._report import ReportCollector

        config.pluginmanager.register(ReportCollector(Path(json_path)), "gritwit-report")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not settings.smoke:
        return
    keep = [item for item in items if item.get_closest_marker("smoke")]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


@pytest.fixture(scope="session")
def implementation() -> Iterator[Implementation]:
    """The implementation under test, one per session (per xdist worker)."""
    from ._implementation import make_implementation

    impl = make_implementation(settings.impl, timeout=settings.timeout)
    yield impl
    impl.close()


@pytest.fixture
def impl(request: pytest.FixtureRequest, implementation: Implementation) -> Implementation:
    """The implementation, reset for this test; skips what it does not claim (ADP-006)."""
    implementation.reset()
    marker = request.node.get_closest_marker("profile")
    if marker is not None:
        profile = marker.args[0]
        if profile != ALWAYS_CLAIMED and profile not in implementation.profiles:
            pytest.skip(f"{NOT_CLAIMED}: profile {profile}")
    for known in implementation.info().get("known_failures", ()):
        if known["test"] and request.node.nodeid.split("::", 1)[-1].startswith(known["test"]):
            request.node.add_marker(
                pytest.mark.xfail(reason=f"known failure: {known['reason']}", strict=True)
            )
    return implementation


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if call.when == "setup":
        requirements = [rid for m in item.iter_markers("req") for rid in m.args]
        profile = item.get_closest_marker("profile")
        report.user_properties.append(("requirements", " ".join(dict.fromkeys(requirements))))
        report.user_properties.append(("test", item.nodeid))
        if profile is not None:
            report.user_properties.append(("profile", profile.args[0]))
    if call.excinfo is not None:
        from ._implementation import MissingCommand
        from ._transport import AdapterBroken

        broken = _find(call.excinfo.value, AdapterBroken)
        if broken is not None:
            # The adapter broke the protocol: that is what failed (ADP-012), whatever
            # the interrupted test was checking.
            report.user_properties.append(("broken", str(broken)[:3000]))
            # Blame the rule it broke as well (ADP-001, ADP-003, ADP-013 …).
            rule = getattr(broken, "requirement", "ADP-012")
            report.user_properties.append(("blame", " ".join(dict.fromkeys((rule, "ADP-012")))))
        elif _find(call.excinfo.value, MissingCommand) is not None:
            report.user_properties.append(("blame", "ADP-006"))
    return report


def _find(exc: BaseException, cls: type[BaseException]) -> BaseException | None:
    if isinstance(exc, cls):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _find(inner, cls)
            if found is not None:
                return found
    return None
