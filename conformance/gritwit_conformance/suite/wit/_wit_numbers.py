"""Decimals and text-form ids read by the Wits (WIT-028.6), checked on the reference and
the implementation side by side (:class:`._wit_texts.Twin`): the near misses of each
text class of :mod:`gritwit_conformance.data._classes` are no decimal and no id.
"""

from __future__ import annotations

from collections.abc import Callable

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.suite._check import (
    check_equal,
    describe,
)

from ._wit_texts import (
    Twin,
    _shown,
    blob,
    raw,
)

# --- WIT-028.6: decimals and text-form ids


def is_decimal(data: bytes) -> bool:
    """WIT-028.6: 1 to 18 ASCII digits, nothing else."""
    return 1 <= len(data) <= 18 and all(0x30 <= b <= 0x39 for b in data)


#: Data of each class, near misses of a decimal (and decimals, for the ASCII class).
DECIMAL_DATA: dict[str, list[bytes]] = {
    "ascii": [b"12", b"007", b"1a", b"+1", b"-1", b" 1", b"1\n", b"1.0", b"0x1"],
    "mixed-case": [b"1e3", b"1E3", b"0X1f", b"Ff"],
    "bmp": [
        raw("\u0661\u0662"),
        raw("\uff11\uff12"),
        raw("1\u00a0"),
        raw("\ufeff1"),
        raw("1\uffff"),
    ],
    "astral": [raw("\U0001d7cf"), raw("1\U0001f600"), raw("\U000104a1")],
    "lone-surrogate": [raw("1\ud800"), raw("\udfff1")],
    "nul": [b"1\x00", b"\x001", b"\x00"],
    "empty": [b""],
}
#: Both sides of the length limit: 18 digits are a decimal, 19 (leading zeros too) none.
LIMIT_DATA = [b"9" * 18, b"0" * 17 + b"1", b"0" * 18 + b"1", b"1" * 19]


def decimals(make: Callable[[], Twin], datas: list[bytes]) -> None:
    """``counter`` adds, ``budget`` grants, only decimals; empty ``inc`` adds 1."""
    t = make()
    t.clause = "WIT-028.6"
    try:
        c = t.started("counter")
        b = t.started("budget", budget=b"999999999999999999")
        count, budget = 0, 999_999_999_999_999_999
        expected: list[tuple[dict[str, str], g.ObjectId]] = []
        for data in datas:
            amount = 1 if data == b"" else int(data) if is_decimal(data) else None
            t.send(c, "inc", blob(data))
            if amount is not None and count + amount <= 999_999_999_999_999_999:
                count += amount
            t.send(b, "spend", blob(data))
            value = int(data) if is_decimal(data) else None
            if value is None:
                expected.append(({"mt": "refused"}, g.object_id(g.Blob(data=b""))))
            else:
                granted = value <= budget
                budget -= value if granted else 0
                mt = "granted" if granted else "refused"
                expected.append(({"mt": mt}, g.object_id(g.Blob(data=str(value).encode()))))
        t.send(c, "get", blob(b""))
        run = t.run()
        check_equal(t.clause, [], run["failures"], "the failures of the run")
        reply = _shown(t.replies(c)[-1:])
        want = _shown([({"mt": "count"}, g.object_id(g.Blob(data=str(count).encode())))])
        what = f"the count reply after {describe(datas)}"
        check_equal(("WIT-028.6", "WIT-020.2"), want, reply, what)
        what = "the budget's replies (granted or refused by the decimal)"
        check_equal(("WIT-028.6", "WIT-025.2"), _shown(expected), _shown(t.replies(b)), what)
    finally:
        t.close()


#: Near misses of a text-form id (ID-003) per class; ``{id}`` is a real id.
def id_data(actor: str, cls: str) -> list[bytes]:
    upper_one = actor[:-1] + actor[-1].upper() if actor[-1] in "abcdef" else actor.upper()
    return {
        "ascii": [actor.encode() + b"\n", b" " + actor.encode(), actor[:-1].encode(), b"x"],
        "mixed-case": [actor.upper().encode(), upper_one.encode()],
        "bmp": [raw(actor[:-1] + "\uff10"), raw(actor + "\u00a0"), raw("\ufeff" + actor)],
        "astral": [raw(actor[:-1] + "\U0001d7ce"), raw(actor + "\U0001f600")],
        "lone-surrogate": [raw(actor[:-1] + "\ud800"), raw(actor + "\udc00")],
        "nul": [actor.encode() + b"\x00", b"\x00" + actor[1:].encode()],
        "empty": [b""],
    }[cls]


def text_form_ids(make: Callable[[], Twin], cls: str | None) -> None:
    """``requester`` asks, ``fanout`` forwards, only to data that is exactly a text-form
    id (64 lowercase hex digits: 64 is the one length, 63 and 65 name no actor)."""
    t = make()
    t.clause = "WIT-028.6"
    try:
        e = t.started("echo")
        r = t.started("requester")
        f = t.started("fanout")
        datas = id_data(e, cls) if cls else [e.encode(), e.encode() + b"0", e[:-1].encode()]
        for data in datas:
            question = {"to": blob(data), "question": blob(b"?")}
            t.send(r, "ask", {"tree": question})
        t.send(f, "fanout", {"tree": {f"n{i}": blob(d) for i, d in enumerate(datas)}})
        run = t.run()
        check_equal(t.clause, [], run["failures"], "the failures of the run")
        good = [d for d in datas if tc.is_text_id(d.decode("utf-8", "replace"))]
        asked = t.replies(r, e)
        what = f"the questions to {e[:12]}…: one per ask whose `to` is exactly its text-form id"
        check_equal(t.clause, [{"mt": "question"}] * len(good), [h for h, _ in asked], what)
        fanned = t.replies(f, e)
        what = f"the messages fanned to {e[:12]}…: one per exact text-form id"
        check_equal(t.clause, [{"mt": "fanned"}] * len(good), [h for h, _ in fanned], what)
    finally:
        t.close()


# --------------------------------------------------------------------------- tests
