"""``rt-open``'s seconds are finite JSON numbers, and ``null`` is no omission (ADP-015).

``time_limit`` and ``idle_after`` are seconds, numbers > 0. A number too large for a
double (``1e400``, which JSON readers take as infinity, or an integer of 400 digits) is
none: ``bad-request``, while the largest double is one. ``idle_after`` may be omitted
(the idle timeout is off: ``settings`` then shows ``null``), but ``"idle_after": null``
is not an omission: ``bad-request``, as for any value that is not such a number.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gritwit_conformance.harness._implementation import Implementation, Subprocess
from gritwit_conformance.suite.protocol._raw import send_raw, separate_process

from .._check import check, check_equal, error_answer, ok_answer

pytestmark = pytest.mark.profile("runtime")

#: The largest finite double: seconds, however many.
LARGEST = 1.7976931348623157e308
#: A JSON number past every double, as it is written on the line.
PAST = "1e400"


def _open(impl: Implementation, path: Path, *, check: bool = True, **args: Any) -> Any:
    path.mkdir()
    reply = impl.call("rt-open", path=str(path), check=check, **args)
    if reply.ok:
        impl.call("rt-close", runtime=ok_answer(reply, "ADP-015")["runtime"])
    return reply


def _open_past(impl: Implementation, path: Path, name: str) -> str | None:
    """The class ``rt-open`` answers with ``name`` written ``1e400`` (None: success)."""
    path.mkdir()
    if not isinstance(impl, Subprocess):  # in process the request is read already: infinity
        arguments: dict[str, Any] = {"path": str(path), name: float("inf")}
        reply = impl.call("rt-open", **arguments)
        if reply.ok:
            impl.call("rt-close", runtime=ok_answer(reply, "ADP-015")["runtime"])
        return None if reply.ok else reply.error_class
    line = f'{{"seq":7,"cmd":"rt-open","path":{json.dumps(str(path))},"{name}":{PAST}}}'
    with separate_process(impl) as process:
        what = f"rt-open with {name} {PAST}"
        answer = process.answer_json(send_raw(process, line.encode(), what), what)
    check_equal("ADP-015", 7, answer.get("seq"), "answer's seq")
    return None if answer.get("ok") else answer.get("error", {}).get("class")


@pytest.mark.req("ADP-015")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize("name", ["time_limit", "idle_after"])
@pytest.mark.req("CONV-004")
def test_seconds_are_finite_numbers(impl: Implementation, tmp_path: Path, name: str) -> None:
    largest: dict[str, Any] = {name: LARGEST}
    reply = _open(impl, tmp_path / "largest", **largest)
    opened = ok_answer(reply, "ADP-015", f"rt-open with {name} {LARGEST} (the largest double)")
    check_equal("ADP-015", LARGEST, opened["settings"][name], f"the settings' {name}")
    digits: dict[str, Any] = {name: 10**400}
    huge = _open(impl, tmp_path / "digits", **digits)
    error_answer(
        huge,
        "ADP-015",
        "bad-request",
        f"rt-open with {name} an integer of 400 digits, past every double, must answer "
        f"bad-request (ADP-015: seconds are a finite number > 0)",
    )
    past = _open_past(impl, tmp_path / "past", name)
    check_equal(
        "ADP-015",
        "bad-request",
        past,
        f"rt-open with {name} {PAST}, infinity once read, must answer bad-request (ADP-015: "
        f"seconds are a finite number > 0)",
    )


@pytest.mark.req("ADP-015", "RUN-012.3")
@pytest.mark.req("CONV-004")
def test_idle_after_may_be_omitted_but_null_is_bad_request(
    impl: Implementation, tmp_path: Path
) -> None:
    omitted = _open(impl, tmp_path / "omitted")
    settings = ok_answer(omitted, "ADP-015", "rt-open without idle_after")["settings"]
    check(
        "ADP-015",
        settings["idle_after"] is None,
        expected="nothing (null)",
        came=settings["idle_after"],
        what="rt-open without idle_after turns the idle timeout off: the settings' idle_after",
    )
    null = _open(impl, tmp_path / "null", check=False, idle_after=None)  # a request the
    # harness's schema refuses: no number
    error_answer(
        null,
        "ADP-015",
        "bad-request",
        "rt-open with idle_after null: null is no omission and no number of seconds "
        "(ADP-015) → bad-request",
    )
