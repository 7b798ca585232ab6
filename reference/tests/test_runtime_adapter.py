"""The reference adapter's ``rt-*`` and durable stores refuse bad arguments (ADP-007, ADP-015).

A malformed argument is ``bad-request`` and a runtime rule broken is that rule's
class; ``internal`` (the adapter's own bug) is never the answer to what a
harness sends.  Paths, lone surrogates (which JSON's ``\\ud800`` escapes can
carry) and hostile bundle bytes are the inputs tried here.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gritwit.adapter import ReferenceAdapter

Json = dict[str, object]
ZERO = "00" * 32


def _reply(adapter: ReferenceAdapter, request: Json) -> Json:
    """Answer ``request`` as it arrives over stdio: through a JSON round trip."""
    reply = adapter.handle(json.loads(json.dumps({"seq": 1, **request})))
    json.dumps(reply)  # every reply is JSON
    return reply


def _class(reply: Json) -> str:
    assert not reply["ok"], reply
    error = reply["error"]
    assert isinstance(error, dict)
    return str(error["class"])


@pytest.fixture
def adapter() -> Iterator[ReferenceAdapter]:
    adapter = ReferenceAdapter()
    yield adapter
    adapter.close()


def _open(adapter: ReferenceAdapter, path: Path) -> str:
    reply = _reply(adapter, {"cmd": "rt-open", "path": str(path)})
    assert reply["ok"], reply
    return str(reply["runtime"])


def _not_a_database(tmp_path: Path) -> Path:
    folder = tmp_path / "garbage"
    folder.mkdir()
    (folder / "gritwit.sqlite3").write_bytes(b"not a database " * 512)
    return folder


def _a_file(tmp_path: Path) -> Path:
    file = tmp_path / "file"
    file.write_bytes(b"")
    return file


@pytest.mark.req("ADP-015", "ADP-007")
@pytest.mark.parametrize(
    "path",
    [
        lambda tmp: "a" * 5000,  # longer than any file system allows a name
        lambda tmp: str(tmp / ("b" * 300)),
        lambda tmp: "\x00",
        lambda tmp: "\ud800",
        lambda tmp: str(_a_file(tmp)),
        lambda tmp: str(_not_a_database(tmp)),
    ],
    ids=["huge", "long-name", "nul", "surrogate", "file", "not-a-database"],
)
def test_rt_open_and_store_open_refuse_unusable_paths(
    adapter: ReferenceAdapter, tmp_path: Path, path: object
) -> None:
    assert callable(path)
    text = path(tmp_path)
    for request in (
        {"cmd": "rt-open", "path": text},
        {"cmd": "store-open", "kind": "durable", "path": text},
    ):
        reply = _reply(adapter, request)
        assert _class(reply) == "bad-request", reply
        message = reply["error"]["message"]  # type: ignore[index]
        assert len(message) < 400  # the path is not echoed whole


@pytest.mark.req("ADP-015", "ADP-014", "RUN-011.6")
def test_lone_surrogates_in_text_arguments_are_bad_requests(
    adapter: ReferenceAdapter, tmp_path: Path
) -> None:
    runtime = _open(adapter, tmp_path)
    reply = _reply(
        adapter, {"cmd": "rt-send", "runtime": runtime, "to": ZERO, "content": {"blob": "0102"}}
    )  # stores the blob 0102
    assert reply["ok"], reply
    blob = _reply(adapter, {"cmd": "encode", "object": {"type": "blob", "data": "0102"}})
    assert blob["ok"], blob
    wit = _reply(adapter, {"cmd": "wit-open"})["runtime"]
    for request in (
        {"cmd": "rt-genesis", "runtime": runtime, "actor": "echo\ud800"},
        {"cmd": "wit-genesis", "runtime": wit, "actor": "\udfff"},
        {"cmd": "rt-erase", "runtime": runtime, "blob": blob["id"], "reason": "gdpr \ud800"},
    ):
        assert _class(_reply(adapter, request)) == "bad-request", request
    # nothing was erased by the refused request
    assert _reply(adapter, {"cmd": "rt-object", "runtime": runtime, "id": blob["id"]})["ok"]


_TEXT = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["r1", "echo", "counter", ZERO, "\ud800", "", "names/failed/x"]),
)
_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(),
        _TEXT,
        st.binary(max_size=40).map(bytes.hex),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=8,
)
_KEYS = "runtime actor step id name blob reason bundle to content mt signal state max_steps module"
_COMMANDS = (
    "rt-genesis rt-send rt-run rt-head rt-object rt-query rt-ref rt-events rt-evict rt-fork"
    " rt-export rt-import rt-verify rt-erase rt-close"
)


@pytest.mark.req("ADP-015", "ADP-007")
@settings(max_examples=200, deadline=None)
@given(
    cmd=st.sampled_from(_COMMANDS.split()),
    args=st.dictionaries(st.sampled_from(_KEYS.split()), _VALUE, max_size=5),
    with_runtime=st.booleans(),
)
def test_hostile_arguments_never_get_internal(cmd: str, args: Json, with_runtime: bool) -> None:
    adapter = ReferenceAdapter()
    with tempfile.TemporaryDirectory() as folder:
        try:
            runtime = _open(adapter, Path(folder))
            if with_runtime:
                args = {**args, "runtime": runtime}
            if isinstance(args.get("max_steps"), int) and not isinstance(args["max_steps"], bool):
                args["max_steps"] = min(args["max_steps"], 20)  # bounded, whatever else it is
            reply = _reply(adapter, {"cmd": cmd, **args})
            if not reply["ok"]:
                assert _class(reply) != "internal", reply
        finally:
            adapter.close()


@pytest.mark.req("ADP-015", "RUN-009.2", "RUN-009.3")
@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200))
def test_hostile_bundle_bytes_are_typed_errors(data: bytes) -> None:
    adapter = ReferenceAdapter()
    with tempfile.TemporaryDirectory() as folder:
        try:
            runtime = _open(adapter, Path(folder))
            reply = _reply(adapter, {"cmd": "rt-import", "runtime": runtime, "bundle": data.hex()})
            assert _class(reply) not in {"internal", "bad-request"}, reply  # RUN-009 classes
        finally:
            adapter.close()


@pytest.mark.req("ADP-015", "RUN-004.8")
@pytest.mark.parametrize("value", [-0.001, 3600.001, True, "0", None, float("inf")])
def test_first_delay_outside_0_to_3600_is_a_bad_request(
    adapter: ReferenceAdapter, tmp_path: Path, value: object
) -> None:
    request = {"cmd": "rt-open", "path": str(tmp_path), "first_delay": value}
    if value == float("inf"):
        reply = adapter.handle({"seq": 1, **request})  # JSON has no infinity
    else:
        reply = _reply(adapter, request)
    assert _class(reply) == "bad-request", reply
    assert "first_delay" in reply["error"]["message"]  # type: ignore[index]


@pytest.mark.req("ADP-015", "RUN-004.3", "RUN-004.8")
@pytest.mark.parametrize("delay", [0, 0.04, 3600])
def test_first_delay_is_the_first_retry_delay_and_attempts_stay_five(
    adapter: ReferenceAdapter, tmp_path: Path, delay: float
) -> None:
    """Both ends of the range are taken; the delay doubles from it, the attempts stay 5."""
    import time

    reply = _reply(adapter, {"cmd": "rt-open", "path": str(tmp_path), "first_delay": delay})
    assert reply["ok"], reply
    if delay == 3600:
        return  # taken at its upper end; a run would wait an hour
    runtime = str(reply["runtime"])
    made = _reply(
        adapter, {"cmd": "rt-genesis", "runtime": runtime, "actor": "no-such-actor", "state": {}}
    )
    assert made["ok"], made
    started = time.monotonic()
    run = _reply(adapter, {"cmd": "rt-run", "runtime": runtime, "max_steps": 10})
    took = time.monotonic() - started
    actor = made["actor"]
    assert run["ok"] and run["failures"] == [[actor, "unknown-wit"]], run
    assert run["attempts"] == [[actor, "unknown-wit"]] * 5, "RUN-004.3: five attempts"
    # RUN-004.3: four waits before the 2nd … 5th attempts, doubling from the first
    assert took >= delay * (1 + 2 + 4 + 8), (delay, took)
