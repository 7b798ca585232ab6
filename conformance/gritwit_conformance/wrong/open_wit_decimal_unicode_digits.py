"""Wrong adapter (open-loop, written from spec/ alone):
a decimal may hold non-ASCII digits (WIT-028.6).

WIT-028.6: a decimal is 1 to 18 bytes, each an ASCII digit `0`-`9`; nothing else is taken as
a decimal, "not a non-ASCII digit". An implementer who decodes the data as UTF-8 and tests
it with the language's digit class (.NET `char.IsDigit`, Go `unicode.IsDigit`, Python
`str.isdecimal`) before parsing accepts `٣` (ARABIC-INDIC DIGIT THREE) as 3: a `counter`
adds it instead of reading the `inc` without effect (and `budget`, `sleepy` likewise).
"""

from __future__ import annotations

from gritwit.adapter import ReferenceAdapter
from gritwit.wit import _actors
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("wit",),
    frozenset({"WIT-028.6"}),
    "failed",
    "a decimal is tested with the Unicode digit class: non-ASCII digits such as U+0663 "
    "count (counter, budget, sleepy)",
)

_COUNTER = "72c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"  # a plain counter

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "wit-open"},
    {"cmd": "wit-genesis", "runtime": "w1", "actor": "counter"},
    {"cmd": "wit-send", "runtime": "w1", "to": _COUNTER, "mt": "inc", "content": {"blob": "d9a3"}},
    {"cmd": "wit-run", "runtime": "w1", "max_steps": 100},
    {"cmd": "wit-query", "runtime": "w1", "actor": _COUNTER, "name": "count"},
]


def _decimal(data: bytes | None) -> int | None:
    """1 to 18 bytes of digits, by the Unicode digit class."""
    if data is None or not 1 <= len(data) <= _actors.DECIMAL_DIGITS:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return int(text) if text.isdecimal() else None


def install() -> None:
    patch(_actors, "_decimal", _decimal)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
