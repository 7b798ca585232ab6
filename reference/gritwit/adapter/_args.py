"""Argument parsing shared by the adapter's commands (ADP-004.2, ADP-004.3, ADP-007)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from .._ids import ObjectId
from ..store import Store

if TYPE_CHECKING:
    from ..runtime import Share

__all__ = [
    "BadRequest",
    "Json",
    "_durable_store",
    "_hex",
    "_id",
    "_optional_id",
    "_str",
    "_text",
    "closed",
    "share_arg",
]

Json = dict[str, Any]
Held = TypeVar("Held")
_HEX_DIGITS = re.compile(r"[0-9a-f]*")  # linear time even on 32 MiB strings


class BadRequest(Exception):
    """The request's arguments are malformed: class ``bad-request`` (ADP-007)."""


def _hex(args: Json, key: str) -> bytes:
    value = args.get(key)
    if not isinstance(value, str) or len(value) % 2 or not _HEX_DIGITS.fullmatch(value):
        raise BadRequest(f"{key} must be a lowercase hex string (ADP-004.2)")
    return bytes.fromhex(value)


def _id(args: Json, key: str) -> ObjectId:
    value = args.get(key)
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a text-form id")
    return ObjectId.from_hex(value)  # invalid-id (ID-003, ADP-004.3) for a malformed id


def _optional_id(args: Json, key: str) -> ObjectId | None:
    if key not in args:
        raise BadRequest(f"missing {key}")
    return None if args[key] is None else _id(args, key)


def _str(args: Json, key: str) -> str:
    value = args.get(key)
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    return value


def _text(args: Json, key: str) -> str:
    """A string that is Unicode text: JSON's ``\\ud800`` escapes can carry lone surrogates."""
    value = _str(args, key)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest(f"{key} must be Unicode text (it holds a lone surrogate)") from None
    return value


def closed(open_: MutableMapping[str, Held], handle: str, missing: str) -> Held:
    """What ``handle`` names in ``open_``, taken out of it to be closed; ``bad-request``
    saying ``missing`` when it names nothing open (ADP-007)."""
    held = open_.pop(handle, None)
    if held is None:
        raise BadRequest(missing)
    return held


def share_arg(args: Json, clause: str) -> Share | None:
    """``args["share"]``: ``[k, n]``, two integers (RUN-021); absent: none.

    ``rt-open`` (ADP-015) and ``http-serve`` (ADP-021.1) read it alike; ``clause`` is the
    command's, named in the ``bad-request``.  ``null`` is no omission, and a bool is no
    integer: both are ``bad-request``.
    """
    from ..runtime import Share  # the runtime's modules load only where a share is read

    if "share" not in args:
        return None
    value = args["share"]
    if not isinstance(value, list) or len(value) != 2:
        raise BadRequest(f"{clause}, RUN-021: share must be [k, n], two integers")
    try:
        return Share(k=value[0], n=value[1])
    except ValueError as exc:
        raise BadRequest(f"{clause}, {exc}") from None


def _directory(args: Json, key: str, clause: str) -> Path:
    """``args[key]`` as an existing directory, else ``bad-request`` naming ``clause``."""
    path = Path(_str(args, key))
    try:
        is_dir = path.is_dir()
    except OSError:  # e.g. a name too long for the file system
        is_dir = False
    if not is_dir:
        raise BadRequest(f"{key} {str(path)!r:.80} is not a directory ({clause})")
    return path


def _durable_store(path: Path) -> Store:
    """:meth:`Store.open` of ``path``; a path no store can be opened in is ``bad-request``."""
    try:
        return Store.open(path)
    except (OSError, ValueError, sqlite3.Error) as exc:  # too long, a file, unwritable, not a DB
        raise BadRequest(f"cannot open a store in {str(path)!r:.80}: {type(exc).__name__}") from exc
