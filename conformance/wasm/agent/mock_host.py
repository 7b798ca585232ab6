"""A host driving the Wasm agent (``agent.wasm``) with a mock model.

The host does the I/O — here a mock model and one tool, ``clock`` — and the Wasm
agent owns the conversation: its history, its step count and what to ask the model
next (README.md beside this file).  Run it with ``python mock_host.py``; it needs
only ``pip install -e .`` (wasmtime runs the agent through the reference executor).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeAlias

import gritwit as g
from gritwit.wasm import wasm_wit_blob
from gritwit.wit import Executor

AGENT: Final = Path(__file__).resolve().with_name("agent.wasm")
#: The message header marking a structured (JSON) assistant turn.
JSON_TURN: Final = {"content-type": "application/json"}

#: What a model returns: plain text, or a structured turn (``content``, ``tool_calls``).
Turn: TypeAlias = str | dict[str, Any]
Model: TypeAlias = Callable[[list[dict[str, Any]]], Turn]


def mock_model(messages: list[dict[str, Any]]) -> Turn:
    """A stand-in for an LLM: calls the clock when asked the time, else answers in text."""
    last = messages[-1]
    if last["role"] == "tool":
        return f"It is {last['content']}."
    if "time" in last["content"]:
        call = {"id": f"call-{len(messages)}", "type": "function",
                "function": {"name": "clock", "arguments": "{}"}}  # fmt: skip
        return {"content": None, "tool_calls": [call]}
    return f"You said: {last['content']}"


#: The host's tools, by name: arguments (JSON text) -> result (text).
TOOLS: Final[Mapping[str, Callable[[str], str]]] = {"clock": lambda arguments: "12:00"}


@dataclass(frozen=True, slots=True)
class Reply:
    """A message the agent sent to the host: its ``mt``, ``step`` header and content."""

    mt: str
    step: int
    data: bytes


class AgentHost:
    """One session: an actor running ``agent.wasm`` over ``store``, and the host loop."""

    def __init__(
        self, store: g.Store, model: Model = mock_model, actor: g.ObjectId | None = None
    ) -> None:
        self.store, self.model = store, model
        self.executor = Executor(store)
        if actor is None:  # a new session: the genesis of a core naming the module
            wit = wasm_wit_blob(AGENT.read_bytes())
            actor = self.executor.genesis(g.Tree(entries={"wit": g.object_id(wit)}), (wit,))
        self.actor = actor
        self.executor.run_until_quiescent()
        self.seen = len(self.executor.replies(actor))  # what an earlier host already handled

    def send(self, mt: str, data: bytes, headers: Mapping[str, str] | None = None) -> None:
        blob = g.Blob(data=data)
        self.executor.inject(self.actor, g.object_id(blob), {"mt": mt, **(headers or {})},
                             objects=(blob,))  # fmt: skip

    def run(self) -> list[Reply]:
        """Run the agent until it waits; what it sent to the host since the last call."""
        report = self.executor.run_until_quiescent()
        if report.failures:
            raise RuntimeError(f"the agent failed: {report.failures[0].error}")
        replies = self.executor.replies(self.actor)[self.seen :]
        self.seen += len(replies)
        return [
            Reply(r.mt or "", int(r.message.headers.get("step", "0")), self._data(r.message))
            for r in replies
        ]

    def _data(self, message: g.Message) -> bytes:
        blob = self.store.get_object(message.content)
        assert isinstance(blob, g.Blob)
        return blob.data

    def ask(self, text: str, max_rounds: int = 8) -> str:
        """One user turn, then model and tool rounds until the model answers without tools."""
        self.send("user", text.encode())
        replies = self.run()
        for _ in range(max_rounds):
            prompt = [r for r in replies if r.mt == "prompt"][-1]
            messages = [json.loads(line) for line in prompt.data.splitlines()]
            turn = self.model(messages)
            if isinstance(turn, str):
                self.send("assistant", turn.encode())
                self.run()
                return turn
            self.send("assistant", json.dumps(turn).encode(), JSON_TURN)
            calls = [json.loads(r.data) for r in self.run() if r.mt == "tool"]
            if not calls:
                return str(turn.get("content") or "")
            for call in calls:
                function = call["function"]
                result = TOOLS[function["name"]](function["arguments"])
                self.send("tool_result", result.encode(), {"tool-call-id": call["id"]})
            replies = self.run()
        raise RuntimeError(f"no answer after {max_rounds} model rounds")

    def query(self, name: str) -> bytes:
        """The agent's answer to query ``name`` (``history``, ``step``, ``wut``)."""
        return self.executor.query(self.actor, name).data


def main() -> None:
    host = AgentHost(g.Store.memory())
    for question in ("Hello!", "What time is it?"):
        print(f"user:  {question}")
        print(f"agent: {host.ask(question)}")
    print(f"steps: {host.query('step').decode()}")
    print(host.query("history").decode(), end="")


if __name__ == "__main__":
    main()
