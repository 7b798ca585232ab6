"""``--data`` and ``--data-json``: an actor's first state from the command line, and the
events ``gritwit actor events`` reads from a service (HTTP-008.1)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit.console._data import BadData, parse_data
from gritwit.console._follow import parse_events

names = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=8).filter(
    lambda name: "=" not in name
)
values = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)


@pytest.mark.req("HTTP-004.1")
@given(st.dictionaries(names, values, max_size=5))
def test_data_pairs_name_each_entry_with_its_bytes(state: dict[str, str]) -> None:
    pairs = [f"{name}={value}" for name, value in state.items()]
    assert parse_data(pairs, []) == {n: v.encode() for n, v in state.items()}


@pytest.mark.req("HTTP-004.1")
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=8),
        st.none() | st.integers() | values | st.lists(st.integers(), max_size=3),
    )
)
def test_data_json_members_are_text_or_compact_json(members: dict[str, object]) -> None:
    try:
        for name in members:
            name.encode("utf-8")
    except UnicodeEncodeError:
        with pytest.raises(BadData):
            parse_data([], [json.dumps(members)])
        return
    got = parse_data([], [json.dumps(members)])
    assert set(got) == set(members)
    for name, value in members.items():
        if isinstance(value, str):
            assert got[name] == value.encode()
        else:
            assert json.loads(got[name]) == value and b" " not in got[name]


@pytest.mark.req("HTTP-004.1")
@given(names, values, values)
def test_a_name_given_twice_is_refused_whichever_option_gives_it(
    name: str, one: str, two: str
) -> None:
    with pytest.raises(BadData, match="twice"):
        parse_data([f"{name}={one}", f"{name}={two}"], [])
    with pytest.raises(BadData, match="twice"):
        parse_data([f"{name}={one}"], [json.dumps({name: two})])
    with pytest.raises(BadData, match="twice"):
        key = json.dumps(name)
        parse_data([], [f"{{{key}: 1, {key}: 2}}"])
    assert parse_data([f"{name}={one}"], []) == {name: one.encode()}  # once is fine


@pytest.mark.req("HTTP-004.1")
def test_data_that_names_no_entry_is_refused() -> None:
    for pairs, documents in (
        (["novalue"], []),
        (["=value"], []),
        ([], ["[1, 2]"]),
        ([], ["{"]),
        ([], ['{"": "x"}']),
        ([], ['{"a": "\\ud800"}']),
    ):
        with pytest.raises(BadData):
            parse_data(pairs, documents)
    assert parse_data(["a=b=c", "e="], []) == {"a": b"b=c", "e": b""}  # the first = splits


@pytest.mark.req("HTTP-008.1")
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["archived", "restored", "restore-requested"]),
            st.text("0123456789abcdef", min_size=64, max_size=64),
            st.none() | st.sampled_from(["idle", "capacity", "message", "query"]),
        ),
        max_size=5,
    )
)
def test_events_are_read_back_from_the_stream_a_service_writes(
    events: list[tuple[str, str, str | None]],
) -> None:
    from gritwit import ObjectId
    from gritwit.runtime import LifecycleEvent

    pytest.importorskip("starlette")
    from gritwit.serve._events import event_text

    text = ": a comment\n\n" + "".join(
        event_text(LifecycleEvent(kind, ObjectId.from_hex(actor), reason))
        for kind, actor, reason in events
    )
    got = list(parse_events(text.splitlines(keepends=True)))
    assert got == [{"event": k, "actor": a, "reason": r} for k, a, r in events]


@pytest.mark.slow
@pytest.mark.req("RUN-014.1", "HTTP-008.1")
def test_events_follows_a_running_service(tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    from serve_helpers import created, send, serving, settle

    from gritwit.serve import EngineSettings

    with serving(tmp_path / "store", settings=EngineSettings(idle_after=0.3)) as one:
        follower = subprocess.Popen(
            [sys.executable, "-m", "gritwit", "actor", "events", "--service", one.url,
             "--count", "1", "--json", "--timeout", "60"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        actor = created(one.client, test="counter")
        send(one.client, actor)
        settle(one.client)
        deadline = time.monotonic() + 60
        while follower.poll() is None and time.monotonic() < deadline:
            one.client.get(f"/v1/actors/{actor}/queries/count")  # restored, archived again
            time.sleep(0.4)
        out, err = follower.communicate(timeout=30)
    assert follower.returncode == 0, err
    (event,) = [json.loads(line) for line in out.splitlines()]
    assert event["actor"] == actor and event["event"] in ("archived", "restore-requested")
