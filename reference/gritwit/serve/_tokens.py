"""Bearer tokens an operator issues, kept in the store as hashes (HTTP-018).

A token is ``gwt_<id>_<secret>``: ``id`` 16 hexadecimal digits that find its record,
``secret`` 32 random bytes in base64url (256 bits).  Only the SHA-256 of the whole
token is kept, so the store, a backup of it or a reader of its refs holds nothing
that opens the door (HTTP-018.4).

Where they live (HTTP-018.5): one ref per token, ``names/gritwit/tokens/<NAME>``, on a
blob that holds the record as JSON.  Refs are what every store already makes durable
and shares between writers, over SQLite and PostgreSQL alike, with a compare-and-swap
that makes adding a name twice fail: several services on one PostgreSQL store see the
same tokens with no table of their own and no schema change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from .._codec import decode_object
from .._errors import GritError, RefConflict
from .._objects import Blob
from ..store import Store
from ..store._refs import SERVICE_TOKENS_PREFIX

__all__ = [
    "SCOPES",
    "TokenRefused",
    "TOKENS_PREFIX",
    "TokenRecord",
    "add_token",
    "check_token_name",
    "hash_of",
    "list_tokens",
    "load_tokens",
    "parse_scopes",
    "remove_token",
    "split_token",
    "token_matches",
]

#: The scopes a token may hold (HTTP-018.2); ``admin`` holds every other.
SCOPES: Final = ("read", "send", "create", "operate", "admin")
#: The refs of the tokens' records (HTTP-018.5).
TOKENS_PREFIX: Final = SERVICE_TOKENS_PREFIX
#: Requests per second and request-body bytes per minute a token may use by default
#: (HTTP-021.1): far above one client's need, low enough that one token cannot take
#: the service.
DEFAULT_RATE: Final = 200
DEFAULT_BYTES_PER_MINUTE: Final = 1 << 30
_NAME: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", re.ASCII)
_TOKEN: Final = re.compile(r"gwt_([0-9a-f]{16})_([A-Za-z0-9_-]{43})", re.ASCII)
#: A digest compared against when a token's id finds no record, so that an unknown id
#: costs the same work as a known one (HTTP-018.4).
_NOWHERE: Final = hashlib.sha256(b"no such token").hexdigest()


class TokenRefused(ValueError):
    """A token command's input breaks HTTP-018 (a bad name, scope or prefix); the
    message names the clause."""

    def __init__(self, requirement: str, detail: str) -> None:
        super().__init__(f"[{requirement}] {detail}")


@dataclass(frozen=True, slots=True)
class TokenRecord:
    """One token as the store keeps it: never the token itself (HTTP-018.4)."""

    name: str
    id: str
    hash: str
    scopes: frozenset[str]
    prefix: str | None = None
    rate: int = DEFAULT_RATE
    bytes_per_minute: int = DEFAULT_BYTES_PER_MINUTE
    created: str = ""

    def holds(self, scope: str) -> bool:
        """Whether it may use an endpoint of ``scope`` (``admin`` holds all, HTTP-018.2)."""
        return scope in self.scopes or "admin" in self.scopes

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "id": self.id,
            "hash": self.hash,
            "scopes": sorted(self.scopes, key=SCOPES.index),
            "prefix": self.prefix,
            "rate": self.rate,
            "bytes_per_minute": self.bytes_per_minute,
            "created": self.created,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenRecord:
        return cls(
            name=str(data["name"]),
            id=str(data["id"]),
            hash=str(data["hash"]),
            scopes=frozenset(str(s) for s in data["scopes"]),
            prefix=None if data.get("prefix") is None else str(data["prefix"]),
            rate=int(data.get("rate", DEFAULT_RATE)),
            bytes_per_minute=int(data.get("bytes_per_minute", DEFAULT_BYTES_PER_MINUTE)),
            created=str(data.get("created", "")),
        )


def hash_of(token: str) -> str:
    """The SHA-256 of a token, in hexadecimal: all the store keeps of it."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def split_token(token: str) -> str | None:
    """The id of a well-formed token, else ``None``."""
    found = _TOKEN.fullmatch(token)
    return None if found is None else found.group(1)


def token_matches(token: str, record: TokenRecord | None) -> bool:
    """Whether ``token`` is ``record``'s, compared in constant time (HTTP-018.4); an
    absent record is compared against a digest no token has, for the same cost."""
    expected = _NOWHERE if record is None else record.hash
    same = hmac.compare_digest(hash_of(token), expected)
    return same and record is not None


def check_token_name(name: str) -> str:
    if _NAME.fullmatch(name) is None:
        raise TokenRefused(
            "HTTP-018.5", f"a token's name is 1 to 64 of A-Z a-z 0-9 . _ -, not {name!r:.80}"
        )
    return name


def parse_scopes(text: str | Iterable[str]) -> frozenset[str]:
    """Scopes from ``read,send`` or a list; an unknown one is refused (HTTP-018.2)."""
    items = text.split(",") if isinstance(text, str) else list(text)
    scopes = frozenset(item.strip() for item in items if item.strip())
    unknown = sorted(scopes - set(SCOPES))
    if unknown or not scopes:
        raise TokenRefused(
            "HTTP-018.2", f"scopes are some of {', '.join(SCOPES)}; not {unknown or 'none'}"
        )
    return scopes


def add_token(
    store: Store,
    name: str,
    scopes: frozenset[str],
    *,
    prefix: str | None = None,
    rate: int = DEFAULT_RATE,
    bytes_per_minute: int = DEFAULT_BYTES_PER_MINUTE,
) -> str:
    """Issue a token named ``name``: keep its record, return the token (shown once)."""
    check_token_name(name)
    if prefix is not None and (not prefix or not prefix.isascii() or "\x00" in prefix):
        raise TokenRefused("HTTP-018.3", "a prefix is non-empty ASCII text")
    for value, what in ((rate, "rate"), (bytes_per_minute, "bytes_per_minute")):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise TokenRefused("HTTP-021.1", f"{what} is a positive integer")
    ident = secrets.token_hex(8)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")
    token = f"gwt_{ident}_{secret}"
    record = TokenRecord(
        name=name,
        id=ident,
        hash=hash_of(token),
        scopes=scopes,
        prefix=prefix,
        rate=rate,
        bytes_per_minute=bytes_per_minute,
        created=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    blob = Blob(data=json.dumps(record.to_json(), sort_keys=True).encode("utf-8"))
    oid = store.put_object(blob)
    try:
        store.cas_ref(TOKENS_PREFIX + name, None, oid)
    except RefConflict:
        raise TokenRefused(
            "HTTP-018.5", f"a token named {name!r} exists; remove it first"
        ) from None
    return token


def list_tokens(store: Store) -> list[TokenRecord]:
    """Every token's record, by name."""
    targets = store.list_ref_targets(TOKENS_PREFIX)
    found = store.get_many([oid for _, oid in targets]) if targets else {}
    records = []
    for _, oid in targets:
        data = found.get(oid)
        if data is None:
            continue
        try:
            blob = decode_object(data)
        except GritError:
            continue
        if isinstance(blob, Blob):
            try:
                records.append(TokenRecord.from_json(json.loads(blob.data)))
            except (ValueError, KeyError, TypeError):
                continue  # a record another tool wrote badly opens nothing
    return sorted(records, key=lambda record: record.name)


def load_tokens(store: Store) -> dict[str, TokenRecord]:
    """The records by token id."""
    return {record.id: record for record in list_tokens(store)}


def remove_token(store: Store, name: str) -> bool:
    """Remove the token ``name``; ``False`` when there is none."""
    check_token_name(name)
    ref = TOKENS_PREFIX + name
    current = store.get_ref(ref)
    if current is None:
        return False
    store.cas_ref(ref, current, None)
    return True
