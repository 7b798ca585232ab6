"""Wrong adapter (open-loop, written from spec/ alone):
wit-send repairs lone surrogates to U+FFFD instead of refusing them (ADP-004.8).

ADP-004.8's second pass refuses a lone surrogate anywhere in a name, header or `mt` of
`wit-send` → `invalid-utf8`. Go's `encoding/json` (and JavaScript's `TextEncoder`) never
hand the program a lone surrogate: `"\\ud800"` is silently decoded to U+FFFD. An adapter
built on it sends the message with `mt`, header values and tree names "repaired" to
U+FFFD and answers ok; the codec path (`encode`, OBJ-018.3) still refuses them, since it
reads the description with its own strict reader.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter, _wit
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"ADP-004.8"}),
    "failed",
    "wit-send replaces lone surrogates in mt, header values and tree names by U+FFFD "
    "and sends, instead of refusing with invalid-utf8",
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {
        "cmd": "wit-send",
        "runtime": "w1",
        "to": "11" * 32,
        "content": {"blob": "00", "headers": {"note": "\udc00x"}},
    },
    {
        "cmd": "wit-send",
        "runtime": "w1",
        "to": "11" * 32,
        "content": {"tree": {"a\ud83d": {"blob": ""}}},
    },
    {
        "cmd": "wit-send",
        "runtime": "w1",
        "to": "11" * 32,
        "mt": "inc\ud800",
        "content": {"blob": ""},
    },
]

_original = _wit.send_args


def _repair(node: Any) -> Any:
    """What a JSON reader that replaces lone surrogates by U+FFFD hands the program."""
    if isinstance(node, str):
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in node)
    if isinstance(node, dict):
        return {_repair(k): _repair(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_repair(v) for v in node]
    return node


def _send_args(args: dict[str, Any]) -> Any:
    return _original(_repair(args))


def install() -> None:
    patch(_wit, "send_args", _send_args)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
