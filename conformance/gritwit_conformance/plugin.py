"""The pytest plugin of the conformance suite (registered as ``pytest11`` entry point ``gritwit``).

Light to import: it pulls in nothing of the suite until a conformance test
runs.  A run's choices are one frozen plan (:mod:`.harness._plan`, ADP-020.10):
the one ``gritwit conform`` hands over, or the one this plugin makes from a plain
pytest run's options (``--impl``: a command line, or ``reference`` for the
in-process reference; :mod:`.runs._options`), checked before any test; every
reader asks :func:`.harness._plan.current_plan`.  The ``impl`` fixture
hands each test a ready implementation, skips tests of profiles it does not
claim (*not claimed*, ADP-006), turns its declared known failures into strict
xfails (ADP-005), and restarts it after a broken exchange (ADP-012).  Versions
(:mod:`.data._versions`): a failure of a test citing a clause newer than the version the
implementation claims is marked (``since``, ADP-005.5), and ``--gritwit-spec-version X``
leaves out as *not applicable* the tests of clauses added after X (ADP-005.6).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Generator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .harness._plan import (
    PLAN_KEY,
    WORKER_KEY,
    ConformPlan,
    current_plan,
    install_plan,
    uninstall_plan,
)
from .harness._signals import (
    install_signal_handlers,
    quiet_interrupt,
    restore_signal_handlers,
    watch,
)
from .harness._state import NOT_APPLICABLE, NOT_CLAIMED, run_state
from .runs._options import add_options, plan_from_options
from .runs._progress import report_profile

if TYPE_CHECKING:
    from .harness._implementation import Implementation

#: The conformance tests: their failure texts are bounded (other tests keep pytest's).
_SUITE = Path(__file__).resolve().parent / "suite"
#: The protocol tests apply to every implementation.
ALWAYS_CLAIMED = "protocol"


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "req(*ids): requirement IDs a test checks")
    config.addinivalue_line(
        "markers",
        "profile(*names): the profiles a test needs, all of them (ADP-006); the report "
        "files it under the first name of the closest marker",
    )
    config.addinivalue_line(
        "markers",
        "feature(*names): optional features a test needs (ADP-005.7: shares); an "
        "implementation not claiming one in hello gets the test as not claimed",
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
    plan = _session_plan(config)
    config.stash[PLAN_KEY] = plan
    install_plan(plan)
    run_state.timeouts_in_a_row, run_state.hung = 0, None
    worker = hasattr(config, "workerinput")
    if plan.json_report is not None:
        install_signal_handlers(worker=worker)
    if (plan.json_report is not None or plan.progress) and not worker:
        # One verdict per test, folded once, read by the report and the progress lines.
        from .runs._verdict import VerdictBook

        book = VerdictBook()
        config.pluginmanager.register(book, "gritwit-verdicts")
        if plan.json_report is not None:
            from .runs._run_report import ReportCollector

            collector = ReportCollector(plan.json_report, plan.junit_report, book)
            config.pluginmanager.register(collector, "gritwit-report")
    if plan.progress and not worker:
        from .runs._progress import ProgressReporter

        config.pluginmanager.register(ProgressReporter(config), "gritwit-progress")
    if plan.profiles:
        from .runs._profile_select import ProfileFilter

        config.pluginmanager.register(ProfileFilter(plan.profiles), "gritwit-only-profiles")
    if plan.selection is not None:
        from .runs._select import register_selection

        register_selection(config, plan.selection, plan.json_report)


def _session_plan(config: pytest.Config) -> ConformPlan:
    """The run's plan, made once: the controller's (an xdist worker), the one
    ``gritwit conform`` handed over (:class:`.harness._plan.PlanPlugin`), or the options'.

    Its scale is completed here when the plan left it open (ADP-012.2).
    """
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and workerinput.get(WORKER_KEY) is not None:
        given = ConformPlan.from_json(workerinput[WORKER_KEY])
        return replace(given, scale_note="from the controller")
    plan = config.stash.get(PLAN_KEY, None) or plan_from_options(config)
    if plan.timeout_scale is not None:
        return plan
    from .harness._calibrate import calibrate

    calibration = calibrate()
    return replace(plan, timeout_scale=calibration.scale, scale_note=calibration.describe())


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: each worker runs the controller's whole plan, its scale too (ADP-012.2).

    The controller calibrated once; a worker neither calibrates nor rebuilds the plan
    from options, so ``plugins=`` that cannot reach it do not need to.
    """
    node.workerinput[WORKER_KEY] = current_plan().to_json()


def pytest_report_header(config: pytest.Config) -> str:
    """The run's answer limit (ADP-012); the in-process reference's time margins."""
    plan = current_plan()
    if plan.timeout_scale is None:
        return ""
    from .harness._limits import limit_line

    if plan.impl == "reference":
        note = f" ({plan.scale_note})" if plan.scale_note else ""
        return f"gritwit: in-process: no answer limit; time margins ×{plan.timeout_scale:g}{note}"

    return f"gritwit: {limit_line(plan.timeout, plan.timeout_scale, plan.scale_note)}"


@pytest.hookimpl(trylast=True)
def pytest_keyboard_interrupt(excinfo: pytest.ExceptionInfo[BaseException]) -> None:
    """A run our signal handler stopped says so in its own words (``gritwit conform``)."""
    if run_state.interrupted is not None and _config is not None:
        quiet_interrupt(_config)


#: The configuration of the run (set by pytest_configure), for hooks without one.
_config: pytest.Config | None = None


#: The ``hello`` answer of this process's implementation, once a test has shaken hands:
#: the claimed spec of a test that does not take ``impl`` itself (ADP-005.5).
_hello: dict[str, Any] | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    watch(session)


def pytest_unconfigure(config: pytest.Config) -> None:
    restore_signal_handlers()
    plan = config.stash.get(PLAN_KEY, None)
    if plan is not None:
        uninstall_plan(plan)


def _leave_out_newer(items: list[pytest.Item], version: str) -> None:
    """Skip as *not applicable* each suite test whose every cited clause is newer (ADP-005.6)."""
    from .data._versions import spec_history

    history = spec_history()
    assert history is not None  # checked as the plan was made
    for item in items:
        if not item.path.is_relative_to(_SUITE):
            continue
        cited = [rid for m in item.iter_markers("req") for rid in m.args]
        reason = history.not_applicable(cited, version)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=f"{NOT_APPLICABLE}: {reason}"))


def _claimed_spec(item: pytest.Item) -> str | None:
    """The ``spec`` the implementation under test claimed in ``hello`` (ADP-005.1)."""
    funcargs = getattr(item, "funcargs", {})
    impl = funcargs.get("impl") or funcargs.get("implementation")
    hello = getattr(impl, "hello", None) or _hello or current_plan().hello
    claimed = (hello or {}).get("implementation") if isinstance(hello, dict) else None
    spec = claimed.get("spec") if isinstance(claimed, dict) else None
    return spec if isinstance(spec, str) else None


def _mark_since(
    item: pytest.Item, report: pytest.TestReport, failure: BaseException | None
) -> None:
    """ADP-005.5: a failure citing clauses newer than the claimed version says which.

    A failed check of the suite (``ClauseFailure``) is marked by its own clause's
    entries; any other failure by the clauses the suite's own words of its text name
    (:mod:`.trace._suite_words`), never by the implementation's answer it shows.
    """
    claimed = _claimed_spec(item)
    if claimed is None:
        return
    from .data._versions import spec_history

    history = spec_history()
    if history is None or not history.is_older(claimed):
        return
    from .suite._check import ClauseFailure

    cited = [rid for m in item.iter_markers("req") for rid in m.args]
    test_file = item.path.relative_to(_SUITE).as_posix()
    common = _common_terms()
    checked = _find(failure, ClauseFailure) if failure is not None else None
    if isinstance(checked, ClauseFailure):
        notes = history.since_check(
            checked.clauses,
            claimed,
            test_file=test_file,
            suite_text=checked.suite_text,
            common=common,
            by_term={rid: checked.expected for rid in checked.by_term},
        )
    else:
        from .trace._suite_words import suite_words_in, words_of_test

        text = str(failure) if failure is not None else ""
        name = getattr(item, "originalname", None) or item.name
        words = suite_words_in(text, words_of_test(_SUITE, test_file, name))
        notes = history.since(cited, claimed, test_file=test_file, message=words, common=common)
    if notes:
        report.user_properties.append(("since", "\n".join(notes)))


@functools.cache
def _common_terms() -> frozenset[str]:
    """The changelog's terms too common in the suite's messages to choose an entry by."""
    from .data._versions import quoted_terms, spec_history
    from .trace._suite_words import common_terms

    history = spec_history()
    return common_terms(_SUITE, quoted_terms(history.entries if history else ()))


def _hand_over_profiles(config: pytest.Config, items: list[pytest.Item]) -> None:
    """An xdist worker writes every collected test's row for the controller's report.

    The controller collects nothing itself; a test the run never reached still sits in
    its own profile's row, not in its folder's.
    """
    json_path = current_plan().json_report
    if json_path is None or not hasattr(config, "workerinput"):
        return
    from .runs._run_report import profiles_path

    path = profiles_path(json_path)
    rows = {item.nodeid: report_profile(item) for item in items}
    partial = path.with_name(f"{path.name}.{config.workerinput.get('workerid', 'w')}")
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_text(json.dumps(rows), encoding="utf-8")
    partial.replace(path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _hand_over_profiles(config, items)
    plan = current_plan()
    if plan.spec_version is not None:
        _leave_out_newer(items, plan.spec_version)
    if not plan.smoke:
        return
    keep = [item for item in items if item.get_closest_marker("smoke")]
    config.hook.pytest_deselected(items=[item for item in items if item not in keep])
    items[:] = keep


@pytest.fixture(scope="session")
def implementation() -> Iterator[Implementation]:
    """The implementation under test, one per session (per xdist worker)."""
    from .harness._implementation import make_implementation

    plan = current_plan()
    impl = make_implementation(plan.impl, timeout=plan.timeout, scale=plan.timeout_scale or 1.0)
    yield impl
    impl.close()


@pytest.fixture
def impl(
    request: pytest.FixtureRequest, implementation: Implementation
) -> Iterator[Implementation]:
    """The implementation, reset for this test; skips what it does not claim (ADP-006)."""
    _not_after_hung()
    implementation.reset()
    implementation.exchanges.clear()  # this test's exchange only (ADP-020.7)
    implementation.declared = None
    declared = declared_profiles(request.node)
    if declared:
        _skip_unclaimed(declared, implementation)
        # A ``protocol`` test runs for every implementation, so it may send only what
        # every adapter answers (hello, shutdown, unknown commands); anything else needs
        # the profile declared.
        implementation.declared = frozenset(declared)
    _skip_unclaimed_features(request.node, implementation)
    from .runs._run_report import known_failure_matches

    global _hello
    _hello = implementation.info()
    for known in _hello.get("known_failures", ()):
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


def _skip_unclaimed_features(item: pytest.Item, implementation: Implementation) -> None:
    """Skip as *not claimed* a test needing a feature not claimed in ``hello`` (ADP-005.7)."""
    needed = {name for marker in item.iter_markers("feature") for name in marker.args}
    unclaimed = sorted(needed - implementation.features)
    if unclaimed:
        pytest.skip(f"{NOT_CLAIMED}: feature {', '.join(unclaimed)} (ADP-005.7)")


def _not_after_hung() -> None:
    """Once the adapter was declared hung, no further test runs: *not run* (ADP-012.5)."""
    if run_state.hung is not None:
        pytest.skip(run_state.hung)


@pytest.fixture(autouse=True)
def _unclaimed_without_impl(request: pytest.FixtureRequest) -> None:
    """A suite test that does not use ``impl`` is still *not claimed* for an unclaimed profile.

    (A test of the vectors themselves, say: it would otherwise pass in a profile the
    implementation never claimed, ADP-006.)
    """
    if not request.node.path.is_relative_to(_SUITE):
        return
    _not_after_hung()
    if "impl" in request.fixturenames:
        return
    declared = declared_profiles(request.node)
    if declared - {ALWAYS_CLAIMED}:
        _skip_unclaimed(declared, request.getfixturevalue("implementation"))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed and call.excinfo is not None and _bounded(item, call.excinfo.value):
        _bound_reason(item, call, report)
    if report.failed and item.path.is_relative_to(_SUITE):
        _mark_since(item, report, call.excinfo.value if call.excinfo is not None else None)
    elif report.failed:
        # Text no report can carry as it is (a lone surrogate cannot even cross from an
        # xdist worker to the controller): made visible, as the suite's own reasons are.
        from .harness._messages import visible_text

        text = report.longreprtext or ""
        if visible_text(text) != text:
            report.longrepr = visible_text(text)
    if report.failed:
        _attach_exchange(item, report)
    _count_time_outs(call)
    if call.when == "setup":
        requirements = [rid for m in item.iter_markers("req") for rid in m.args]
        profile = item.get_closest_marker("profile")
        report.user_properties.append(("requirements", " ".join(dict.fromkeys(requirements))))
        report.user_properties.append(("test", item.nodeid))
        if profile is not None:
            report.user_properties.append(("profile", report_profile(item)))
    if call.excinfo is not None:
        from .harness._implementation import MissingCommand, UndeclaredProfile
        from .harness._transport import AdapterBroken

        broken = _find(call.excinfo.value, AdapterBroken)
        if broken is not None:
            # The adapter broke the protocol: that is what failed (ADP-012), whatever
            # the interrupted test was checking.
            report.user_properties.append(("broken", "1"))
            # Blame the rule it broke as well (ADP-001, ADP-003, ADP-013 …).
            rule = getattr(broken, "requirement", "ADP-012")
            report.user_properties.append(("blame", " ".join(dict.fromkeys((rule, "ADP-012")))))
            if getattr(broken, "timed_out", False):
                # No answer within the limit: *timed-out*, not an assertion (ADP-020.1).
                report.user_properties.append(("timedOut", "1"))
        elif (missing := _find(call.excinfo.value, MissingCommand)) is not None:
            rules = getattr(missing, "requirements", ("ADP-006",))
            report.user_properties.append(("blame", " ".join(rules)))
        elif _find(call.excinfo.value, UndeclaredProfile) is not None:
            # The suite's own bug, not the implementation's: errored, never failed.
            report.user_properties.append(("broken", "1"))
            report.user_properties.append(("blame", "ADP-006"))
        elif (answer_rule := _answer_mismatch(call.excinfo.value)) is not None:
            # An answer that breaks the OpenAPI document failed the request before the test
            # checked it: blame the document's rule beside what the test was checking.
            cited = [rid for m in item.iter_markers("req") for rid in m.args]
            report.user_properties.append(("blame", " ".join(dict.fromkeys((answer_rule, *cited)))))
    return report


def _count_time_outs(call: pytest.CallInfo[Any]) -> None:
    """A time-out at any phase counts one more in a row; a call that ended otherwise resets
    the count; a skip before the call counts nothing (ADP-012.5)."""
    from .harness._transport import AdapterBroken

    broken = None if call.excinfo is None else _find(call.excinfo.value, AdapterBroken)
    if broken is not None and getattr(broken, "timed_out", False):
        run_state.note_test(timed_out=True)
    elif call.when == "call":
        run_state.note_test(timed_out=False)


def _attach_exchange(item: pytest.Item, report: pytest.TestReport) -> None:
    """A failing test's requests and answers, in order, and what the adapter wrote to its
    standard error meanwhile, for its report entry (ADP-020.7)."""
    funcargs = getattr(item, "funcargs", {})
    impl = funcargs.get("impl") or funcargs.get("implementation")
    log = getattr(impl, "exchanges", None)
    record = log.record() if log is not None else None
    if record is not None:
        report.user_properties.append(("exchange", json.dumps(record, ensure_ascii=True)))
    stderr = getattr(impl, "stderr_of_test", None)
    text = stderr() if callable(stderr) else ""
    if text.strip():  # what the adapter said meanwhile: a path it could not open … (ADP-020.7)
        from .harness._messages import visible_text

        report.user_properties.append(("stderr", visible_text(text)))


def _bounded(item: pytest.Item, exc: BaseException) -> bool:
    """A failure whose text every report shows bounded: a conformance test's, and a time-out
    anywhere (its reason is the transport's ``no response to … within N s``, ADP-020.1)."""
    from .harness._transport import AdapterBroken

    if item.path.is_relative_to(_SUITE):
        return True
    broken = _find(exc, AdapterBroken)
    return broken is not None and bool(getattr(broken, "timed_out", False))


def _bound_reason(item: pytest.Item, call: pytest.CallInfo[Any], report: pytest.TestReport) -> None:
    """Replace the failure text by its bounded form, the one every report shows.

    The same text then reaches the terminal, JUnit (``report.longrepr``) and the
    JSON and HTML reports: the failure's message (the adapter's break and its
    stderr, or the assertion and hypothesis's minimal example), then the last
    request and answer in protocol form, long byte strings cut to their length.
    """
    from .harness._implementation import MissingCommand
    from .harness._messages import bound_message, protocol_form
    from .harness._transport import AdapterBroken
    from .runs._verdict import short_reason

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
    elif broken is not None and _sent_elsewhere(broken, request):
        # A raw line to a separate process got the broken answer, not the last request.
        text += f"\nrequest: {bound_message(str(getattr(broken, 'request', '')), 1200)}"
    elif request is not None:
        text += f"\nrequest: {bound_message(protocol_form(request), 1200)}"
    if broken is not None or _find(call.excinfo.value, MissingCommand) is not None:
        checking = ", ".join(dict.fromkeys(r for m in item.iter_markers("req") for r in m.args))
        text += f"\n(while checking {checking})"
    report.longrepr = bound_message(text.strip())


def _sent_elsewhere(broken: BaseException, request: dict[str, Any] | None) -> bool:
    """The broken answer came to lines other than the implementation's last request."""
    sent = getattr(broken, "request", None)
    if not sent:
        return False
    try:
        return bool(json.loads(sent) != request)
    except ValueError:
        return True


def _answer_mismatch(exc: BaseException) -> str | None:
    """HTTP-012.3 when ``exc`` is the suite's client refusing an answer the OpenAPI
    document does not allow (``suite/http/_answers.py``, loaded only by the http tests)."""
    import sys

    answers = sys.modules.get("gritwit_conformance.suite.http._answers")
    if answers is None or _find(exc, answers.AnswerMismatch) is None:
        return None
    return str(answers.ANSWER_RULE)


def _find(exc: BaseException, cls: type[BaseException]) -> BaseException | None:
    if isinstance(exc, cls):
        return exc
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found = _find(inner, cls)
            if found is not None:
                return found
    return None
