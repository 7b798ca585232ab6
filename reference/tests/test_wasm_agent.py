"""The Wasm agent in C (``conformance/wasm/agent``): a realistic guest of ABI 1.

A host (``mock_host.py`` there) drives the agent through the reference executor with
a mock model.  What the history must hold comes from the behaviour its README
specifies, modelled here with Python's ``json`` module — never from the guest's code;
the committed ``agent.wasm`` must equal a fresh build when ``ziglang`` is installed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scripts import load_script
from wasm_support import WASM_DIR

import gritwit as g
from gritwit._schemas import load_schema
from gritwit.wasm import WasmWits, wasm_wit_blob

AGENT_DIR = WASM_DIR / "agent"
DOCS = WASM_DIR.parents[1] / "docs"
AGENT_WASM = (AGENT_DIR / "agent.wasm").read_bytes()
#: README, "Limits".
HISTORY_MAX = 262144
MAX_TOOL_CALLS = 64
MAX_MESSAGES = 128
MAX_DEPTH = 32
JSON_TURN = {"content-type": "application/json"}


def _script(name: str) -> ModuleType:
    """``conformance/wasm/agent/<name>.py``, imported as ``agent_<name>``."""
    return load_script(AGENT_DIR / f"{name}.py", f"agent_{name}")


mock_host = _script("mock_host")


# --- the README's behaviour, modelled ------------------------------------------------------


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its members in order (duplicates kept)."""


def _reject(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def _depth(value: Any) -> int:
    if isinstance(value, _Pairs):
        return 1 + max((_depth(v) for _, v in value), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _utf8(value: Any) -> bool:
    """No string (name or value) holds a lone surrogate (RFC 8259 text is UTF-8)."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace") == value
    if isinstance(value, _Pairs):
        return all(_utf8(k) and _utf8(v) for k, v in value)
    if isinstance(value, list):
        return all(_utf8(v) for v in value)
    return True


def _strict(data: bytes) -> Any:
    """The JSON value of ``data`` under RFC 8259, strictly; :class:`ValueError` if not one."""
    value = json.loads(
        data.decode("utf-8"),
        object_pairs_hook=_Pairs,
        parse_constant=_reject,
        parse_int=Decimal,
        parse_float=Decimal,
    )
    if not _utf8(value):
        raise ValueError("a lone surrogate")
    return value


def _turn(data: bytes) -> tuple[str | None, list[Any]] | None:
    """A structured assistant turn's content and tool calls (README), or ``None``."""
    try:
        value = _strict(data)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, _Pairs) or _depth(value) > MAX_DEPTH:
        return None
    members = [(k, v) for k, v in value if k in ("content", "tool_calls")]
    if len({k for k, _ in members}) != len(members):
        return None
    found = dict(members)
    content, calls = found.get("content"), found.get("tool_calls", [])
    if content is not None and not isinstance(content, str):
        return None
    if type(calls) is not list or len(calls) > MAX_TOOL_CALLS:  # _Pairs is a list too
        return None
    if not all(isinstance(call, _Pairs) for call in calls):
        return None
    return content, calls


def _line(obj: dict[str, Any]) -> bytes:
    """A history line: ``json.dumps``' form with no spaces (README, "The history")."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


_BLANKS = re.compile(rb'("(?:[^"\\]|\\.)*")|[ \t\n\r]+')


def _minified(data: bytes) -> bytes:
    """``data`` without whitespace outside strings."""
    return _BLANKS.sub(lambda m: m.group(1) or b"", data)


@dataclass
class AgentModel:
    """What the agent holds and sends, per the README: lines (bytes, or parsed JSON)."""

    lines: list[bytes | _Pairs] = field(default_factory=list)
    steps: int = 0

    def transition(self, batch: list[tuple[str, bytes, dict[str, str]]]) -> tuple[list[Any], bool]:
        """Apply one transition's messages; the tool calls it sends and whether it prompts."""
        calls: list[Any] = []
        due = False
        for mt, data, headers in batch:
            text = _text(data)
            if mt == "reset":
                self.lines, self.steps, due = [], 0, False
            elif mt == "user" and text is not None:
                self.lines.append(_line({"role": "user", "content": text}))
                due = True
            elif mt == "tool_result" and text is not None:
                call_id = headers.get("tool-call-id")
                if call_id is not None and len(call_id.encode()) > 256:
                    continue
                id_member = {} if call_id is None else {"tool_call_id": call_id}
                self.lines.append(_line({"role": "tool", **id_member, "content": text}))
                due = True
            elif mt == "assistant" and headers.get("content-type") != "application/json":
                if text is not None:
                    self.lines.append(_line({"role": "assistant", "content": text}))
                    self.steps, due = self.steps + 1, False
            elif mt == "assistant" and (turn := _turn(data)) is not None:
                content, tool_calls = turn
                members = [("role", "assistant"), ("content", content)]
                if tool_calls:
                    members.append(("tool_calls", tool_calls))
                self.lines.append(_Pairs(members))
                self.steps, due = self.steps + 1, False
                calls.extend((self.steps, call) for call in tool_calls)
        return calls, due

    def check(self, history: bytes) -> None:
        assert history.endswith(b"\n") or not history
        lines = history.splitlines(keepends=True)
        assert len(lines) == len(self.lines)
        for got, expected in zip(lines, self.lines, strict=True):
            if isinstance(expected, bytes):
                assert got == expected
            else:
                assert got[:-1] == _minified(got[:-1])
                assert _strict(got) == expected


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _session(store: g.Store | None = None) -> Any:
    return mock_host.AgentHost(store or g.Store.memory())


def _history(host: Any) -> bytes:
    return bytes(host.query("history"))


def _steps(host: Any) -> int:
    return int(host.query("step"))


# --- loading and building --------------------------------------------------------------


def _memories(wasm: bytes) -> list[tuple[int, int | None]]:
    """The (min, max) pages of every memory the module defines (its memory section)."""

    def leb(i: int) -> tuple[int, int]:
        value = shift = 0
        while True:
            byte = wasm[i]
            value, shift, i = value | (byte & 0x7F) << shift, shift + 7, i + 1
            if byte < 0x80:
                return value, i

    found: list[tuple[int, int | None]] = []
    i = 8
    while i < len(wasm):
        section, (size, body) = wasm[i], leb(i + 1)
        if section == 5:
            count, j = leb(body)
            for _ in range(count):
                flags, (low, j) = wasm[j], leb(j + 1)
                high, j = leb(j) if flags & 1 else (None, j)
                found.append((low, high))
        i = body + size
    return found


@pytest.mark.req("WASM-001", "WASM-002", "WASM-003", "WASM-004", "WASM-006", "WASM-017")
def test_the_module_passes_the_load_checks() -> None:
    store = g.Store.memory()
    blob = wasm_wit_blob(AGENT_WASM)
    wit = WasmWits().wit_for(store, store.put_object(blob))  # the reference's load checks
    assert wit.loaded.has_query
    assert b"wasi" not in AGENT_WASM  # no libc crept in
    [(low, high)] = _memories(AGENT_WASM)  # one memory, within ABI 1's limit and capped at it
    assert low <= 256 and high == 256


@pytest.mark.req("WASM-003", "WASM-006")
def test_the_committed_module_equals_a_fresh_build() -> None:
    build = _script("build")
    if build.zig_version() is None:
        pytest.skip("ziglang is not installed: pip install -e '.[wasm-build]' to check the build")
    if build.zig_version() != build.ZIG_VERSION:
        pytest.skip(
            f"ziglang {build.zig_version()} is not the pinned {build.ZIG_VERSION}: "
            "pip install -e '.[wasm-build]' to check the build"
        )
    done = subprocess.run(
        [sys.executable, str(AGENT_DIR / "build.py"), "--check"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- the agent loop --------------------------------------------------------------------


@pytest.mark.req("WASM-009", "WASM-011", "WASM-012", "WASM-014", "WIT-017")
def test_a_conversation_with_the_mock_model() -> None:
    seen: list[list[dict[str, Any]]] = []

    def model(messages: list[dict[str, Any]]) -> Any:
        seen.append(messages)
        return mock_host.mock_model(messages)

    host = mock_host.AgentHost(g.Store.memory(), model)
    assert host.ask("Hello!") == "You said: Hello!"
    assert host.ask("What time is it?") == "It is 12:00."
    call = {"id": "call-3", "type": "function", "function": {"name": "clock", "arguments": "{}"}}
    conversation = [
        {"role": "user", "content": "Hello!"},
        {"role": "assistant", "content": "You said: Hello!"},
        {"role": "user", "content": "What time is it?"},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "call-3", "content": "12:00"},
        {"role": "assistant", "content": "It is 12:00."},
    ]
    assert seen == [conversation[:1], conversation[:3], conversation[:5]]
    assert _history(host) == b"".join(_line(turn) for turn in conversation)
    assert _steps(host) == 3
    replies = [(r.mt, r.step, r.data) for r in host.run()]
    assert replies == []  # the agent waits: nothing pending, nothing new
    everything = host.executor.replies(host.actor)
    assert [(r.mt, r.message.headers.get("step")) for r in everything] == [
        ("prompt", "0"), ("prompt", "1"), ("tool", "2"), ("prompt", "2"),
    ]  # fmt: skip
    assert json.loads(host.store.get_object(everything[2].message.content).data) == call
    # A prompt's content is the history of its time, the blob the core then held.
    core = host.executor.core(host.actor)
    history_then = b"".join(_line(turn) for turn in conversation[:5])
    assert everything[3].message.content == g.object_id(g.Blob(data=history_then))
    assert core.entries["history"] == g.object_id(g.Blob(data=_history(host)))


def test_the_example_script_prints_the_conversation(capsys: pytest.CaptureFixture[str]) -> None:
    mock_host.main()
    out = capsys.readouterr().out.splitlines()
    assert out[:5] == [
        "user:  Hello!",
        "agent: You said: Hello!",
        "user:  What time is it?",
        "agent: It is 12:00.",
        "steps: 3",
    ]
    assert [json.loads(line)["role"] for line in out[5:]] == [
        "user", "assistant", "user", "assistant", "tool", "assistant",
    ]  # fmt: skip
    # The guide shows this output verbatim.
    page = (DOCS / "guide" / "wasm-agent.md").read_text(encoding="utf-8")
    shown = page.split("$ python conformance/wasm/agent/mock_host.py\n", 1)[1].split("```")[0]
    assert shown.splitlines() == out


@pytest.mark.req("WASM-005", "WASM-011")
def test_a_session_survives_a_restart(tmp_path: Path) -> None:
    store = g.Store.open(tmp_path)
    host = mock_host.AgentHost(store)
    host.ask("What time is it?")
    actor, before = host.actor, _history(host)
    store.close()
    store = g.Store.open(tmp_path)
    try:
        again = mock_host.AgentHost(store, actor=actor)  # a new executor, the same session
        assert again.run() == []  # nothing is redone
        assert _steps(again) == 2
        assert again.ask("Hello!") == "You said: Hello!"
        assert _history(again) == before + _line({"role": "user", "content": "Hello!"}) + _line(
            {"role": "assistant", "content": "You said: Hello!"}
        )
        assert _steps(again) == 3
    finally:
        store.close()


@pytest.mark.req("WASM-011", "WASM-014")
def test_reset_clears_the_session() -> None:
    host = _session()
    host.ask("Hello!")
    host.send("reset", b"")
    assert host.run() == []
    assert (_history(host), _steps(host)) == (b"", 0)
    host.ask("again")
    assert _history(host) == _line({"role": "user", "content": "again"}) + _line(
        {"role": "assistant", "content": "You said: again"}
    )


@pytest.mark.req("WASM-012")
def test_structured_turns_keep_their_tokens_and_lose_their_whitespace() -> None:
    host = _session()
    raw = b' {"role": "assistant", "extra": [1, 2],\n "content": "\\u0041 b",\n'
    raw += b' "tool_calls": [ {"id": "x", "n": 1.50e+2} , {} ] } '
    host.send("assistant", raw, JSON_TURN)
    tools = host.run()
    assert [(r.mt, r.step, r.data) for r in tools] == [
        ("tool", 1, b'{"id":"x","n":1.50e+2}'), ("tool", 1, b"{}"),
    ]  # fmt: skip
    expected = (
        b'{"role":"assistant","content":"\\u0041 b","tool_calls":[{"id":"x","n":1.50e+2},{}]}\n'
    )
    assert _history(host) == expected
    # Without the content-type header the same bytes are a text reply.
    host.send("assistant", raw)
    host.run()
    assert _history(host).splitlines(keepends=True)[1] == _line(
        {"role": "assistant", "content": raw.decode()}
    )
    assert _steps(host) == 2


@pytest.mark.req("WASM-009", "WASM-010")
def test_malformed_turns_are_read_without_effect() -> None:
    host = _session()
    deep = b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1)
    too_deep = b"[" + deep + b"]"
    calls = [{"id": str(n)} for n in range(MAX_TOOL_CALLS)]
    good = [
        b'{"x":' + deep + b"}",
        json.dumps({"tool_calls": calls}).encode(),
        b'{"\\u0063ontent":"escaped name"}',
    ]
    bad = [
        b'{"x":' + too_deep + b"}",
        json.dumps({"tool_calls": [*calls, {}]}).encode(),
        b'{"content":"a","content":"b"}',
        b'{"content":"\\ud800"}',
        b'{"content":1}',
        b'{"tool_calls":[1]}',
        b'{"tool_calls":{}}',
        b'{"content":NaN}',
        b"\xef\xbb\xbf{}",
        b'{"a":1,}',
        b"[]",
        b"",
    ]
    for data in bad:
        host.send("assistant", data, JSON_TURN)
    host.send("user", b"\xff")
    host.send("tool_result", b"ok", {"tool-call-id": "x" * 257})
    host.send("other", b"hi")
    assert host.run() == []
    assert (_history(host), _steps(host)) == (b"", 0)
    assert host.executor.pending_for(host.actor) == {}
    for data in good:
        host.send("assistant", data, JSON_TURN)
    assert len([r for r in host.run() if r.mt == "tool"]) == MAX_TOOL_CALLS
    assert _steps(host) == len(good)
    assert json.loads(_history(host).splitlines()[2]) == {
        "role": "assistant", "content": "escaped name",
    }  # fmt: skip


@pytest.mark.req("WASM-010", "WASM-016", "WASM-018")
def test_the_limits_drop_or_defer_but_never_fail() -> None:
    host = _session()
    empty_user_line = len(_line({"role": "user", "content": ""}))
    fits = b"a" * (HISTORY_MAX - empty_user_line)
    host.send("user", fits + b"a")  # one byte over: no effect
    assert host.run() == []
    host.send("user", fits)
    assert [r.mt for r in host.run()] == ["prompt"]
    assert len(_history(host)) == HISTORY_MAX
    host.send("user", b"")  # the history is full
    assert host.run() == []
    # Big messages in one go: each transition reads what fits its output, the rest waits.
    big = b"b" * 200_000
    for _ in range(4):
        host.send("reset", b"")
        host.send("user", big)
    report = host.executor.run_until_quiescent()
    assert report.failures == ()
    # [reset, user, reset], [user, reset], [user, reset], [user]: the next user would pass
    # the read budget; only the last transition ends awaiting the model.
    assert len(report.steps) == 4
    assert host.executor.pending_for(host.actor) == {}
    assert _history(host) == _line({"role": "user", "content": big.decode()})
    assert [(r.mt, r.data) for r in host.run()] == [("prompt", _history(host))]


@pytest.mark.req("WASM-010", "WASM-020")
def test_a_flood_of_messages_is_read_over_several_transitions() -> None:
    host = _session()
    for n in range(MAX_MESSAGES + 2):
        host.send("user", str(n).encode())
    report = host.executor.run_until_quiescent()
    assert report.failures == () and len(report.steps) == 2  # 128 messages, then 2
    assert host.executor.pending_for(host.actor) == {}
    lines = [_line({"role": "user", "content": str(n)}) for n in range(MAX_MESSAGES + 2)]
    assert _history(host) == b"".join(lines)
    prompts = [r.data for r in host.run()]
    assert prompts == [b"".join(lines[:MAX_MESSAGES]), b"".join(lines)]


@pytest.mark.req("WASM-014", "WIT-017")
def test_queries() -> None:
    host = _session()
    schema = load_schema("wut.schema.json")
    wut = json.loads(host.query("wut"))
    jsonschema.validate(wut, schema)
    assert [m["mt"] for m in wut["messages"]] == ["user", "assistant", "tool_result", "reset"]
    assert (host.query("history"), host.query("step")) == (b"", b"0")
    with pytest.raises(g.UnknownQuery):
        host.query("nope")


# --- any input -------------------------------------------------------------------------

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
_CALL = st.dictionaries(st.sampled_from(["id", "type", "function"]) | st.text(max_size=3), _JSON)
_TURN = st.fixed_dictionaries(
    {},
    optional={
        "content": st.none() | st.text(max_size=12) | _JSON,
        "tool_calls": st.lists(_CALL, min_size=1, max_size=3) | st.lists(_CALL) | _JSON,
        "role": st.just("assistant"),
    },
)


def _encoded(value: Any, ascii_only: bool, indent: int | None) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode()


def _mutate(data: bytes, at: int, byte: int, how: str) -> bytes:
    at = at % (len(data) + 1)
    if how == "insert":
        return data[:at] + bytes([byte]) + data[at:]
    if how == "delete":
        return data[:at] + data[at + 1 :]
    return data[:at] + bytes([byte]) + data[at + 1 :]


_TURN_BYTES = st.builds(_encoded, _TURN, st.booleans(), st.sampled_from([None, 0, 2]))
_JSON_BYTES = st.builds(_encoded, _JSON, st.booleans(), st.sampled_from([None, 0, 2]))
_MUTATED = st.builds(
    _mutate, _TURN_BYTES, st.integers(0, 99), st.integers(0, 255),
    st.sampled_from(["insert", "delete", "replace"]),
)  # fmt: skip
_DATA = st.one_of(
    st.binary(max_size=24),
    st.text(max_size=24).map(str.encode),
    _TURN_BYTES,
    _JSON_BYTES,
    _MUTATED,
    _TURN_BYTES.map(lambda b: b.replace(b'"content"', b'"\\u0063ontent"')),
)
_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "content-type": st.sampled_from(["application/json", "text/plain", "application/JSON"]),
        "tool-call-id": st.text(max_size=8),
    },
)
_MT = st.sampled_from(["user", "assistant", "tool_result", "reset", "", "prompt"])
_OP = st.one_of(
    st.tuples(_MT, _DATA, _HEADERS),
    st.tuples(st.just("assistant"), _TURN_BYTES | _MUTATED, st.just(JSON_TURN)),
)
_BATCHES = st.lists(st.lists(_OP, min_size=1, max_size=4), max_size=4)


@pytest.mark.req("WASM-009", "WASM-010", "WASM-011", "WASM-012", "WASM-015")
@pytest.mark.slow
@given(batches=_BATCHES)
def test_any_messages_keep_the_history_well_formed(
    batches: list[list[tuple[str, bytes, dict[str, str]]]],
) -> None:
    host, model = _session(), AgentModel()
    for batch in batches:
        for mt, data, headers in batch:
            host.send(mt, data, headers)
        calls, due = model.transition(batch)
        replies = host.run()  # raises if the agent failed (a trap would)
        assert host.executor.pending_for(host.actor) == {}  # every message read
        history = _history(host)
        assume(len(history) < HISTORY_MAX // 2)
        model.check(history)
        assert _steps(host) == model.steps
        tools = [r for r in replies if r.mt == "tool"]
        assert [(r.step, _strict(r.data)) for r in tools] == calls
        assert all(r.data == _minified(r.data) for r in tools)
        prompts = [r.data for r in replies if r.mt == "prompt"]
        assert prompts == ([history] if due else [])
        assert replies == [*tools, *[r for r in replies if r.mt == "prompt"]]
