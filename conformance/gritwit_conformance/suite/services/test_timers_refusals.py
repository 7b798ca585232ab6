"""Each bound of TIM-004 is refused with its class and clause, never dropped, and the rate
bound delays without refusing (TIM-004.5).

``rt-open`` sets small bounds (ADP-023.1) so that each edge is one request away; every
expected refusal is TIM-004's lead: ``mt: timer-refused``, the request's id, the class, the
clause, and the request's content.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from ._clocked import Clocked, blob_id

pytestmark = pytest.mark.profile("services")

START = 1_000_000
BOUNDS = {"max_timers": 2, "max_past": 1000, "max_delay": 5000, "max_fires": 2}


def _refusal(request: str, error: str, clause: str) -> dict[str, str]:
    return {
        "mt": "timer-refused",
        "timer-id": request,
        "error": error,
        "clause": clause,
    }


@pytest.mark.req("TIM-004.2", "TIM-004")
def test_a_request_past_max_timers_is_refused_with_timer_limit(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START, **BOUNDS)
    alarm = rt.alarm()
    kept = [rt.set(alarm, after="100"), rt.set(alarm, after="200")]
    third = rt.set(alarm, after="300", content=b"third")
    refused = rt.refused(alarm)
    check_equal("TIM-004.2", [_refusal(third, "timer-limit", "TIM-004.2")],
                [m.headers for m in refused], "answers to a third timer, max_timers 2")  # fmt: skip
    check_equal("TIM-004", blob_id(b"third"), refused[0].content, "the refusal's content")
    check_equal("TIM-004.2", kept, [t["id"] for t in rt.timers(alarm)], "the timers pending")
    rt.clock(advance=100)
    rt.run()
    again = rt.set(alarm, after="300")  # one fired: room for one more
    check_equal("TIM-004.2", 1, len(rt.refused(alarm)), "refusals once a timer fired")
    check_equal("TIM-004.2", [kept[1], again], [t["id"] for t in rt.timers(alarm)], "pending")


@pytest.mark.req("TIM-004.3", "TIM-004.4", "TIM-002.5")
def test_a_time_beyond_max_past_or_max_delay_is_refused_and_one_within_is_set(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START, **BOUNDS)
    alarm = rt.alarm()
    early = rt.set(alarm, at=str(START - 1001))
    edge_past = rt.set(alarm, at=str(START - 1000))  # within max_past: fires at once
    late = rt.set(alarm, after="5001")
    want = [
        _refusal(early, "timer-too-early", "TIM-004.3"),
        _refusal(late, "timer-too-late", "TIM-004.4"),
    ]
    refused = [m.headers for m in rt.refused(alarm)]
    # each bound's refusal judged under its own clause, then the two together
    mine = [h for h in refused if h.get("timer-id") == early]
    check_equal("TIM-004.3", want[:1], mine, "the refusal of a time before max_past")
    mine = [h for h in refused if h.get("timer-id") == late]
    check_equal("TIM-004.4", want[1:], mine, "the refusal of a time past max_delay")
    check_equal("TIM-004.3", want, refused, "refusals")
    fired = [m.headers["timer-id"] for m in rt.fired(alarm)]
    check_equal("TIM-004.3", [edge_past], fired, "a timer max_past before now fires at once")
    edge_late = rt.set(alarm, after="5000")
    check_equal("TIM-004.4", [edge_late], [t["id"] for t in rt.timers(alarm)], "set at max_delay")


@pytest.mark.req("TIM-004.1")
@pytest.mark.parametrize(
    "headers",
    [
        {"mt": "timer-set", "timer-after": "10"},
        {"mt": "timer-set", "timer-mt": "", "timer-after": "10"},
        {"mt": "timer-set", "timer-mt": "x"},
        {"mt": "timer-set", "timer-mt": "x", "timer-after": "10", "timer-at": "10"},
        {"mt": "timer-set", "timer-mt": "x", "timer-after": "010"},
        {"mt": "timer-set", "timer-mt": "x", "timer-after": "-1"},
        {"mt": "timer-set", "timer-mt": "x", "timer-after": "1e3"},
        {"mt": "timer-set", "timer-mt": "x", "timer-after": "1", "timer-to": "ab"},
        {"mt": "timer-cancel"},
        {"mt": "timer-cancel", "timer-id": "zz"},
    ],
    ids=[
        "no-mt",
        "empty-mt",
        "no-time",
        "both-times",
        "leading-zero",
        "negative",
        "exponent",
        "bad-to",
        "cancel-no-id",
        "cancel-bad-id",
    ],
)
def test_a_malformed_request_is_refused_with_timer_invalid(
    impl: Implementation, tmp_path: Path, headers: dict[str, str]
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    request = rt.ask(alarm, headers)
    check_equal("TIM-004.1", [_refusal(request, "timer-invalid", "TIM-004.1")],
                [m.headers for m in rt.refused(alarm)], f"answers to {headers}")  # fmt: skip
    check_equal("TIM-004.1", [], rt.timers(alarm), "timers pending")


@pytest.mark.req("TIM-004.1")
def test_another_message_to_the_timer_party_is_read_and_not_answered(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START)
    alarm = rt.alarm()
    request = rt.ask(alarm, {"mt": "hello"})
    check_equal("TIM-004.1", [], rt.sent_to(alarm), "what the timer party sent")
    from ._clocked import TIMER

    check_equal("TIM-004.1", request, rt.inbox_entry(TIMER, alarm), "the party's inbox entry")


@pytest.mark.req("TIM-004.5")
def test_fires_beyond_max_fires_in_a_second_wait_for_the_next_and_none_is_dropped(
    impl: Implementation, tmp_path: Path
) -> None:
    rt = Clocked(impl, tmp_path / "rt", START, max_fires=2)
    alarm = rt.alarm()
    made = sorted((START + 10, rt.set(alarm, after="10", content=bytes([i]))) for i in range(5))
    order = [r for _, r in sorted(made, key=lambda m: (m[0], bytes.fromhex(m[1])))]
    rt.clock(advance=10)
    rt.run()
    check_equal("TIM-004.5", order[:2], [m.headers["timer-id"] for m in rt.fired(alarm)],
                "fires within the second of the clock")  # fmt: skip
    rt.clock(advance=1000)
    rt.run()
    rt.clock(advance=1000)
    rt.run()
    fired = rt.fired(alarm)
    check_equal("TIM-004.5", order, [m.headers["timer-id"] for m in fired], "every fire, once")
    times = [int(m.headers["timer-fired-at"]) // 1000 for m in fired]
    check_equal("TIM-004.5", [1000, 1000, 1001, 1001, 1002], times, "the seconds they fired in")
    check_equal("TIM-004.5", [], rt.refused(alarm), "refusals")
