"""Ref names (chapter *store and refs*, REF-001.1) and the rule for ``heads/`` targets (REF-002.1).

Two namespaces exist:

* ``heads/<actor>`` — ``<actor>`` is the text form of an actor id (ID-003); the
  ref points at that actor's latest step;
* ``names/<seg>(/<seg>)*`` — free names, each segment
  ``[A-Za-z0-9][A-Za-z0-9._-]{0,63}``.

A name is at most :data:`MAX_REF_NAME_BYTES` bytes (REF-001.2).  Pure: no I/O.
"""

from __future__ import annotations

import re
from typing import Final

from .._errors import InvalidRefName, InvalidRefTarget
from .._ids import ObjectId
from .._objects import GritObject, Step

__all__ = [
    "HEADS_PREFIX",
    "MAX_REF_NAME_BYTES",
    "NAMES_PREFIX",
    "check_head_target",
    "check_ref_name",
    "head_actor",
    "head_ref",
]

#: Longest ref name, in bytes (REF-001.2).
MAX_REF_NAME_BYTES: Final = 255
HEADS_PREFIX: Final = "heads/"
NAMES_PREFIX: Final = "names/"

_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_GRAMMAR: Final = re.compile(rf"heads/[0-9a-f]{{64}}|names/{_SEGMENT}(?:/{_SEGMENT})*", re.ASCII)

#: Most names :func:`check_ref_name` and :func:`head_actor` each remember (then forget all).
VALID_KEPT: Final = 4096
#: Ref names found valid: a name is text, so its validity never changes (REF-001.1).
_VALID: set[str] = set()
#: The actor of each ``heads/`` name :func:`head_actor` parsed (as many as ``_VALID``).
_ACTORS: dict[str, ObjectId] = {}


def check_ref_name(name: object) -> str:
    """Return ``name`` if it is a valid ref name, else raise ``invalid-ref-name`` (REF-001.3).

    A runtime checks the same few names for every transition (its heads, the
    outside's outbox): a name found valid once is not matched again.
    """
    if type(name) is str and name in _VALID:
        return name
    if type(name) is not str:
        raise InvalidRefName("REF-001.1", f"a ref name is text, got {type(name).__name__}")
    # The grammar is ASCII-only, so characters and bytes count the same once it matches.
    if len(name) > MAX_REF_NAME_BYTES:
        raise InvalidRefName("REF-001.2", f"ref name longer than {MAX_REF_NAME_BYTES} bytes")
    if _GRAMMAR.fullmatch(name) is None:
        raise InvalidRefName("REF-001.1", f"{name!r:.80} is not heads/<actor id> or names/<seg>…")
    if len(_VALID) >= VALID_KEPT:
        _VALID.clear()
    _VALID.add(name)
    return name


#: The head ref names :func:`head_ref` made, by actor (as many as ``_VALID``): a runtime
#: names the same few heads every transition, and a name is text made from the id alone.
_HEAD_NAMES: dict[ObjectId, str] = {}


def head_ref(actor: ObjectId) -> str:
    """The name of ``actor``'s head ref: ``heads/<text-form id>``."""
    if type(actor) is not ObjectId:
        return HEADS_PREFIX + actor.hex()
    name = _HEAD_NAMES.get(actor)
    if name is None:
        # the text form (ID-003): an id's digest in hex, without ObjectId.hex's frame
        name = HEADS_PREFIX + actor[0].hex()
        if len(_HEAD_NAMES) >= VALID_KEPT:
            _HEAD_NAMES.clear()
        _HEAD_NAMES[actor] = name
    return name


def head_actor(name: str) -> ObjectId | None:
    """The actor a valid ref name ``name`` is the head of, or ``None`` for ``names/`` refs.

    A ``heads/`` name that is not a text-form id raises ``InvalidId`` (ID-003).
    The actors of names parsed before are remembered (a runtime sees the same few
    heads swap run after run).
    """
    if not name.startswith(HEADS_PREFIX):
        return None
    actor = _ACTORS.get(name)
    if actor is None:
        actor = ObjectId.from_hex(name[len(HEADS_PREFIX) :])
        if len(_ACTORS) >= VALID_KEPT:
            _ACTORS.clear()
        _ACTORS[name] = actor
    return actor


def check_head_target(name: str, actor: ObjectId, target: GritObject) -> None:
    """``heads/<actor>`` points at a step whose actor is ``<actor>`` (REF-002.1), else REF-002.2."""
    if type(target) is not Step:
        raise InvalidRefTarget(
            "REF-002.2", f"{name} must point at a step, not a {type(target).__name__}"
        )
    if target.actor != actor:
        raise InvalidRefTarget(
            "REF-002.2", f"{name} must point at a step of that actor, not of {target.actor}"
        )
