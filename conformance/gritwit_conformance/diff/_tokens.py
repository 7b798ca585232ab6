"""A lenient reading of CBOR bytes, item by item, for saying where two encodings part.

The reference's strict decoder (``gritwit._cbor``) stops at the first broken rule, which
is what names the rule (ENC-016).  To say *where* an implementation's bytes first differ
from the expected ones, both are read here as a flat list of :class:`Token`\\ s — each
data item's head, with its offset, its place in the value (``$["headers"]``, a
map's second key) and its decoded argument or string — whatever their order, head widths or
lengths: keys out of order (ENC-010), non-shortest heads (ENC-007), indefinite lengths
(ENC-006), tags and floats (ENC-003, ENC-004) are read as they come.  Reading stops, with
no error, at bytes it cannot read (truncated input, reserved values) and after
:data:`LIMIT` tokens: the list is for words, never for a verdict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

__all__ = ["LIMIT", "Token", "describe", "map_keys", "read_tokens"]

#: Tokens read at most from one encoding (a diagnosis needs the first difference only).
LIMIT: Final = 100_000
_KINDS: Final = ("unsigned", "negative", "bytes", "text", "array", "map", "tag", "simple")
_WIDTH: Final = {24: 1, 25: 2, 26: 4, 27: 8}


@dataclass(frozen=True, slots=True)
class Token:
    """One data item's head: where it starts, where it sits, what it holds."""

    offset: int
    #: Its place in the value: ``$``, ``$["headers"]``, ``$["entries"][2]`` …
    path: str
    #: ``unsigned``, ``negative``, ``bytes``, ``text``, ``array``, ``map``, ``tag``,
    #: ``simple`` (and floats), ``break`` (the end of an indefinite length).
    kind: str
    #: The integer, the string, the length of an array or map (None: indefinite), the
    #: simple value or the tag number.
    value: object
    #: The head's bytes: the initial byte and its argument (a string's bytes excluded).
    head: bytes
    #: A map key: the key's position in its map (0, 1, …), else None.
    key_index: int | None = None

    def same(self, other: Token) -> bool:
        """The same item written the same way (offsets aside)."""
        return (self.kind, self.value, self.head, self.path) == (
            other.kind,
            other.value,
            other.head,
            other.path,
        )


def describe(token: Token) -> str:
    """The item in a few words: ``text "type"``, ``map of 3 pairs``, ``unsigned 5``."""
    if token.kind in ("text", "bytes") and token.value is None:  # its chunks follow
        return f"{token.kind} of indefinite length"
    if token.kind == "text":
        text = json.dumps(token.value, ensure_ascii=False)
        return f"text {text[:60] + '…' if len(text) > 60 else text}"
    if token.kind == "bytes":
        assert isinstance(token.value, bytes)
        shown = token.value[:16].hex() + ("…" if len(token.value) > 16 else "")
        return f"{len(token.value)} bytes h'{shown}'"
    if token.kind in ("array", "map"):
        if token.value is None:
            return f"{token.kind} of indefinite length"
        unit = "pair" if token.kind == "map" else "item"
        return f"{token.kind} of {token.value} {unit}{'' if token.value == 1 else 's'}"
    if token.kind == "simple":
        names = {20: "false", 21: "true", 22: "null"}
        return (
            names.get(token.value, f"simple {token.value}")
            if isinstance(token.value, int)
            else str(token.value)
        )
    return f"{token.kind} {token.value}"


class _Reader:
    __slots__ = ("data", "pos", "tokens")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.tokens: list[Token] = []

    def head(self) -> tuple[int, int, int | None, bytes] | None:
        """Major type, additional information, argument (None: indefinite) and head bytes."""
        if self.pos >= len(self.data):
            return None
        start = self.pos
        initial = self.data[start]
        major, ai = initial >> 5, initial & 0x1F
        if ai < 24:
            self.pos += 1
            return major, ai, ai, self.data[start : self.pos]
        if ai == 31:
            self.pos += 1
            return major, ai, None, self.data[start : self.pos]
        width = _WIDTH.get(ai)
        if width is None or start + 1 + width > len(self.data):
            return None
        self.pos = start + 1 + width
        argument = int.from_bytes(self.data[start + 1 : self.pos], "big")
        return major, ai, argument, self.data[start : self.pos]

    def item(self, path: str, key_index: int | None = None) -> object:
        """Read one item (recording its tokens); return its value when it is a string
        (for a map key's path), else None.  Raises :class:`_Stop` where reading ends."""
        if len(self.tokens) >= LIMIT:
            raise _Stop
        start = self.pos
        read = self.head()
        if read is None:
            raise _Stop
        major, _ai, argument, head = read
        kind = _KINDS[major]
        if major in (2, 3):
            return self._string(start, path, key_index, kind, argument, head)
        if major == 7 and argument is None:
            self.tokens.append(Token(start, path, "break", None, head, key_index))
            return None
        if major == 7 and _ai > 24:  # floats: their bits as an integer
            self.tokens.append(Token(start, path, "simple", f"float {head[1:].hex()}", head))
            return None
        value: object = argument if major != 1 else (None if argument is None else -1 - argument)
        self.tokens.append(Token(start, path, kind, value, head, key_index))
        if major == 4:
            self._items(path, argument, pairs=False)
        elif major == 5:
            self._items(path, argument, pairs=True)
        elif major == 6:
            self.item(f"{path} (tagged)")
        return None

    def _string(
        self,
        start: int,
        path: str,
        key_index: int | None,
        kind: str,
        argument: int | None,
        head: bytes,
    ) -> object:
        if argument is None:  # indefinite: its chunks, as they come
            self.tokens.append(Token(start, path, kind, None, head, key_index))
            while self.pos < len(self.data) and self.data[self.pos] != 0xFF:
                self.item(f"{path} (chunk)")
            self.pos += 1
            return None
        if self.pos + argument > len(self.data):
            raise _Stop
        raw = self.data[self.pos : self.pos + argument]
        self.pos += argument
        value: object = raw
        if kind == "text":
            value = raw.decode("utf-8", "backslashreplace")
        self.tokens.append(Token(start, path, kind, value, head, key_index))
        return value

    def _items(self, path: str, count: int | None, *, pairs: bool) -> None:
        index = 0
        while count is None or index < count:
            if count is None and (self.pos >= len(self.data) or self.data[self.pos] == 0xFF):
                self.pos += 1
                return
            if pairs:
                key = self.item(path, key_index=index)
                shown = json.dumps(key, ensure_ascii=False) if isinstance(key, str) else "?"
                self.item(f"{path}[{shown}]")
            else:
                self.item(f"{path}[{index}]")
            index += 1


class _Stop(Exception):
    """The bytes end, or hold what cannot be read: the tokens so far are the reading."""


def read_tokens(data: bytes) -> list[Token]:
    """The items of ``data`` in order, as far as they can be read; trailing items too."""
    reader = _Reader(data)
    try:
        while reader.pos < len(data):
            reader.item("$" if not reader.tokens else f"(after the item, byte {reader.pos})")
    except _Stop:
        pass
    return reader.tokens


def map_keys(tokens: list[Token], key: Token) -> list[str]:
    """The text keys of the map that ``key`` (a key token) belongs to, in their order.

    A map's keys carry the map's own path, and no two maps share a path, so the keys
    with ``key``'s path are that map's.
    """
    return [
        str(t.value)
        for t in tokens
        if t.key_index is not None and t.path == key.path and t.kind == "text"
    ]
