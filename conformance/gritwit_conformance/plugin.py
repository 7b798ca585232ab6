"""The pytest plugin of the conformance suite (registered as ``pytest11`` entry point ``gritwit``).

Light to import: it pulls in nothing of the suite until a conformance test
runs.  Options choose the implementation under test (``--impl``: a command
line, or ``reference`` for the in-process reference); the ``impl`` fixture
hands each test a ready implementation, skips tests of profiles it does not
claim (*not claimed*, ADP-006), turns its declared known failures into strict
xfails (ADP-005), and restarts it after a broken exchange (ADP-012).
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Generator, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import pytest

from ._state import NOT_CLAIMED, settings

if TYPE_CHECKING:
    from ._implementation import Implementation

#: The conformance tests: their failure texts are bounded (other tests keep pytest's).
_SUITE = Path(__file__).resolve().parent / "suite"
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
    group.addoption("--gritwit-progress", action="store_true", help="one progress line per profile")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "req(*ids): requirement IDs a test checks")
    config.addinivalue_line(
        "markers",
        "profile(*names): the profiles a test needs, all of them (ADP-006); the report "
        "files it under the first name of the closest marker",
    )
    config.addinivalue_line("markers", "smoke: part of the quick smoke run (--gritwit-smoke)")
    config.addinivalue_line(
        "markers", "heavy: takes minutes; runs only with --heavy or GRITWIT_PROFILE=deep"
    )
    config.addinivalue_line("markers", "slow: takes more than a few seconds")
    config.addinivalue_line(
        "markers",
        "inputs(*classes): input classes the test exercises for the clauses it cites "
        "(ascii, astral, lone-surrogate, largest, order:utf16 …; gritwit trace --inputs)",
    )
    global _config
    _config = config
    settings.impl = config.getoption("gritwit_impl")
    settings.timeout = config.getoption("gritwit_timeout")
    if not settings.impl.strip():
        raise pytest.UsageError("--impl: empty command; give the adapter's command or 'reference'")
    if not 0 < settings.timeout < float("inf"):
        raise pytest.UsageError(f"--gritwit-timeout must be more than 0, not {settings.timeout}")
    examples = config.getoption("gritwit_examples")
    if examples is not None and examples < 1:
        raise pytest.UsageError(f"--gritwit-examples must be at least 1, not {examples}")
    if examples is not None:
        settings.examples = examples
    settings.smoke = config.getoption("gritwit_smoke")
    vectors = config.getoption("gritwit_vectors")
    settings.vectors = Path(vectors) if vectors else None
    json_path = config.getoption("gritwit_json")
    worker = hasattr(config, "workerinput")
    if json_path:
        _install_signal_handlers(worker=worker)
    if json_path and not worker:
        from ._report import ReportCollector

        config.pluginmanager.register(ReportCollector(Path(json_path)), "gritwit-report")
    if config.getoption("gritwit_progress") and not worker:
        from ._report import ProgressReporter

        config.pluginmanager.register(ProgressReporter(config), "gritwit-progress")


@pytest.hookimpl(trylast=True)
def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    """A run our signal handler stopped says so in its own words (``gritwit conform``).

    pytest would print its ``KeyboardInterrupt`` banner and suggest ``--full-trace``,
    an option ``gritwit conform`` does not have; the summary says *incomplete* instead.
    """
    if settings.interrupted is not None and _config is not None:
        reporter = _config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and hasattr(reporter, "_report_keyboardinterrupt"):
            line = (
                f"gritwit conform: interrupted by {settings.interrupted}; "
                "stopping the adapters and writing an incomplete report"
            )
            # pytest prints its banner through this method (at the session's end, or at
            # unconfigure): our line takes its place.
            reporter._report_keyboardinterrupt = lambda: reporter.write_line(line)


#: The configuration of the run (set by pytest_configure), for hooks without one.
_config: pytest.Config | None = None


def _on_signal_in_worker(signum: int, frame: FrameType | None) -> None:
    """An xdist worker told to stop: kill its adapters and go (the controller reports)."""
    from ._transport import kill_all

    kill_all()
    os._exit(128 + signum)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    """SIGINT or SIGTERM on the run: stop children, then end the session as interrupted."""
    if settings.interrupted is not None:
        return  # already stopping: let the partial report be written
    settings.interrupted = signal.Signals(signum).name
    from ._transport import terminate_children

    # Before pytest-xdist tears its workers down (it would wait for them, then kill
    # them too hard for them to kill their adapters): each worker kills its adapters.
    terminate_children()
    raise KeyboardInterrupt


#: The handlers the run replaced, put back when it ends.
_previous_handlers: dict[int, Any] = {}


def _install_signal_handlers(*, worker: bool) -> None:
    """An interrupted run kills its children and writes a partial report (SIGINT, SIGTERM)."""
    handler = _on_signal_in_worker if worker else _on_signal
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            _previous_handlers[signum] = signal.signal(signum, handler)
        except ValueError:  # not the main thread (pytest.main from a thread)
            return


def pytest_unconfigure(config: pytest.Config) -> None:
    while _previous_handlers:
        signum, previous = _previous_handlers.popitem()
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)


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
def impl(
    request: pytest.FixtureRequest, implementation: Implementation
) -> Iterator[Implementation]:
    """The implementation, reset for this test; skips what it does not claim (ADP-006)."""
    implementation.reset()
    implementation.declared = None
    declared = declared_profiles(request.node)
    if declared:
        _skip_unclaimed(declared, implementation)
        # A ``protocol`` test runs for every implementation, so it may send only what
        # every adapter answers (hello, shutdown, unknown commands); anything else needs
        # the profile declared.
        implementation.declared = frozenset(declared)
    from ._report import known_failure_matches

    for known in implementation.info().get("known_failures", ()):
        if known_failure_matches(known["test"], request.node.nodeid):
            request.node.add_marker(
                pytest.mark.xfail(reason=f"known failure: {known['reason']}", strict=True)
            )
    yield implementation
    implementation.declared = None


def declared_profiles(item: pytest.Item) -> set[str]:
    """Every profile a test declares it needs: the union of its ``profile`` markers.

    ``@pytest.mark.profile("runtime", "wasm")`` (or a module's ``profile("runtime")``
    beside a test's ``profile("wasm")``) needs both; the report files the test under
    the first name of the closest marker.  An implementation lacking any of them gets
    the test as *not claimed* (ADP-006).
    """
    return {name for marker in item.iter_markers("profile") for name in marker.args}


def _skip_unclaimed(declared: set[str], implementation: Implementation) -> None:
    """Skip as *not claimed* a test needing a profile the implementation does not claim."""
    unclaimed = sorted(declared - {ALWAYS_CLAIMED} - implementation.profiles)
    if unclaimed:
        pytest.skip(f"{NOT_CLAIMED}: profile {', '.join(unclaimed)}")


@pytest.fixture(autouse=True)
def _unclaimed_without_impl(request: pytest.FixtureRequest) -> None:
    """A suite test that does not use ``impl`` is still *not claimed* for an unclaimed profile.

    (A test of the vectors themselves, say: it would otherwise pass in a profile the
    implementation never claimed, ADP-006.)
    """
    if "impl" in request.fixturenames or not request.node.path.is_relative_to(_SUITE):
        return
    declared = declared_profiles(request.node)
    if declared - {ALWAYS_CLAIMED}:
        _skip_unclaimed(declared, request.getfixturevalue("implementation"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and call.excinfo is not None and item.path.is_relative_to(_SUITE):
        _bound_reason(item, call, report)
    elif report.failed:
        # Text no report can carry as it is (a lone surrogate cannot even cross from an
        # xdist worker to the controller): made visible, as the suite's own reasons are.
        from ._messages import visible_text

        text = report.longreprtext or ""
        if visible_text(text) != text:
            report.longrepr = visible_text(text)
    if call.when == "setup":
        requirements = [rid for m in item.iter_markers("req") for rid in m.args]
        profile = item.get_closest_marker("profile")
        report.user_properties.append(("requirements", " ".join(dict.fromkeys(requirements))))
        report.user_properties.append(("test", item.nodeid))
        if profile is not None:
            report.user_properties.append(("profile", profile.args[0]))
    if call.excinfo is not None:
        from ._implementation import MissingCommand, UndeclaredProfile
        from ._transport import AdapterBroken

        broken = _find(call.excinfo.value, AdapterBroken)
        if broken is not None:
            # The adapter broke the protocol: that is what failed (ADP-012), whatever
            # the interrupted test was checking.
            report.user_properties.append(("broken", "1"))
            # Blame the rule it broke as well (ADP-001, ADP-003, ADP-013 …).
            rule = getattr(broken, "requirement", "ADP-012")
            report.user_properties.append(("blame", " ".join(dict.fromkeys((rule, "ADP-012")))))
        elif (missing := _find(call.excinfo.value, MissingCommand)) is not None:
            rules = getattr(missing, "requirements", ("ADP-006",))
            report.user_properties.append(("blame", " ".join(rules)))
        elif _find(call.excinfo.value, UndeclaredProfile) is not None:
            # The suite's own bug, not the implementation's: errored, never failed.
            report.user_properties.append(("broken", "1"))
            report.user_properties.append(("blame", "ADP-006"))
    return report


def _bound_reason(item: pytest.Item, call: pytest.CallInfo[Any], report: pytest.TestReport) -> None:
    """Replace the failure text by its bounded form, the one every report shows.

    The same text then reaches the terminal, JUnit (``report.longrepr``) and the
    JSON and HTML reports: the failure's message (the adapter's break and its
    stderr, or the assertion and hypothesis's minimal example), then the last
    request and answer in protocol form, long byte strings cut to their length.
    """
    from ._implementation import MissingCommand
    from ._messages import bound_message, protocol_form
    from ._report import short_reason
    from ._transport import AdapterBroken

    assert call.excinfo is not None
    broken = _find(call.excinfo.value, AdapterBroken)
    text = str(broken) if broken is not None else short_reason(report.longreprtext or "")
    if broken is None and "\n" not in text:  # --tb=no keeps only the message's first line
        text = call.excinfo.exconly().strip() or text
    funcargs = getattr(item, "funcargs", {})
    impl = funcargs.get("impl") or funcargs.get("implementation")
    request = getattr(impl, "last_request", None)
    if request is not None and broken is None:
        text += f"\nlast request: {bound_message(protocol_form(request), 1200)}"
        answer = getattr(impl, "last_response", None)
        if answer is not None and repr(answer) not in text:
            text += f"\nits answer:   {bound_message(repr(answer), 1200)}"
    elif request is not None:
        text += f"\nrequest: {bound_message(protocol_form(request), 1200)}"
    if broken is not None or _find(call.excinfo.value, MissingCommand) is not None:
        checking = ", ".join(dict.fromkeys(r for m in item.iter_markers("req") for r in m.args))
        text += f"\n(while checking {checking})"
    report.longrepr = bound_message(text.strip())


def _find(exc: BaseException, cls: type[BaseException]) -> BaseException | None:
    if isinstance(exc, cls):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _find(inner, cls)
            if found is not None:
                return found
    return None
