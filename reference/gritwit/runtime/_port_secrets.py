"""The port's secrets: named values substituted only on the wire (PORT-009).

The operator gives them from a file (PORT-009.1); a request header's value names one by a
reference ``${secret:NAME}`` (PORT-009.2), which :func:`substitute` replaces only in the
headers about to be sent.  :func:`redact` replaces every value by its reference in what
comes back before it becomes a message (PORT-009.4).  :class:`Secrets` never shows a
value: its ``repr`` names the secrets only, so no log line or error can carry one
(PORT-009.3).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final

__all__ = [
    "REFERENCE",
    "SecretError",
    "Secrets",
    "environment_secrets",
    "load_secrets",
    "merge_secrets",
    "parse_secrets",
]

#: A reference in a header's value (PORT-009.2).
REFERENCE: Final = re.compile(r"\$\{secret:([a-z0-9_-]{1,64})\}")
_NAME: Final = re.compile(r"[a-z0-9_-]{1,64}\Z")
#: ``NAME=VARIABLE`` of ``--secret-env`` (PORT-009.1): a POSIX variable name.
_ENV_PAIR: Final = re.compile(r"(?P<name>[^=]*)=(?P<variable>[A-Za-z_][A-Za-z0-9_]*)\Z")


class SecretError(ValueError):
    """Secrets that break PORT-009.1 or a reference that breaks PORT-009.2; its message
    names the clause and at most a secret's name, never a value."""


class Secrets(Mapping[str, str]):
    """The operator's secrets by name (PORT-009.1); shown by their names only."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self._values = dict(values or {})

    def __getitem__(self, name: str) -> str:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Secrets({sorted(self._values)})"  # names only (PORT-009.3)

    def unknown(self, value: str) -> list[str]:
        """The names ``value`` refers to that no secret has (PORT-009.2)."""
        return [m.group(1) for m in REFERENCE.finditer(value) if m.group(1) not in self._values]

    def substitute(self, value: str) -> str:
        """``value`` with each reference replaced by its secret's value (PORT-009.2)."""

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self._values:
                raise SecretError(f"PORT-009.2: no secret is named {name!r}")
            return self._values[name]

        return REFERENCE.sub(one, value)

    def redact(self, data: bytes) -> bytes:
        """``data`` with every occurrence of every value replaced by its reference
        (PORT-009.4), longest value first so that one value within another is not left
        half replaced."""
        for name, value in sorted(self._values.items(), key=lambda kv: -len(kv[1])):
            data = data.replace(value.encode("utf-8"), f"${{secret:{name}}}".encode())
        return data

    def redact_text(self, text: str) -> str:
        """:meth:`redact` of text (a kept header's value)."""
        return self.redact(text.encode("utf-8")).decode("utf-8", "replace")


def parse_secrets(raw: object) -> Secrets:
    """Secrets from their JSON form: an object of names and text values (PORT-009.1)."""
    if not isinstance(raw, dict):
        raise SecretError("PORT-009.1: secrets must be an object of names and values")
    values: dict[str, str] = {}
    for name, value in raw.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise SecretError("PORT-009.1: a secret's name is 1 to 64 of a-z, 0-9, _ and -")
        if (
            not isinstance(value, str)
            or not value
            or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)
        ):
            raise SecretError(
                f"PORT-009.1: the secret {name!r} must be non-empty text without control characters"
            )
        values[name] = value
    return Secrets(values)


def load_secrets(path: Path) -> Secrets:
    """The secrets of a JSON file the operator gives (PORT-009.1)."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        # the exception's text may quote the file, a secret with it: name the class only
        raise SecretError(
            f"PORT-009.1: cannot read the secrets file {path} ({type(exc).__name__})"
        ) from None
    return parse_secrets(raw)


def environment_secrets(pairs: Iterable[str], environ: Mapping[str, str]) -> Secrets:
    """The secrets ``NAME=VARIABLE`` names, each the value of the variable ``VARIABLE`` of
    ``environ`` (PORT-009.1); a pair given twice, a variable not set or a value that breaks
    PORT-009.1 raises :class:`SecretError`, naming the secret and the variable only."""
    values: dict[str, str] = {}
    for pair in pairs:
        match = _ENV_PAIR.match(pair)
        if match is None:
            raise SecretError(
                f"PORT-009.1: give NAME=VARIABLE (an environment variable's name), not {pair!r}"
            )
        name, variable = match["name"], match["variable"]
        if name in values:
            raise SecretError(f"PORT-009.1: the secret {name!r} is given twice")
        if variable not in environ:
            raise SecretError(
                f"PORT-009.1: the environment variable {variable} of the secret {name!r} is not set"
            )
        values[name] = environ[variable]
    return parse_secrets(values)


def merge_secrets(*parts: Secrets) -> Secrets:
    """The secrets of every part (a file's, the environment's); a name in two parts raises
    :class:`SecretError` (PORT-009.1), since either value would be a guess."""
    values: dict[str, str] = {}
    for part in parts:
        for name in part:
            if name in values:
                raise SecretError(f"PORT-009.1: the secret {name!r} is given twice")
            values[name] = part[name]
    return Secrets(values)
