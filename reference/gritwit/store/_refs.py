"""Ref names (chapter *store and refs*, REF-001.1), the rule for ``heads/`` targets
(REF-002.1), and every namespace of refs the reference writes: each one's prefix, the
builder of its names and their parser live here and nowhere else.

Two namespaces are the store's own:

* ``heads/<actor>`` — ``<actor>`` is the text form of an actor id (ID-003); the
  ref points at that actor's latest step;
* ``names/<seg>(/<seg>)*`` — free names, each segment
  ``[A-Za-z0-9][A-Za-z0-9._-]{0,63}`` (:data:`NAMES_PREFIX`, the store's meaning).

Inside ``names/`` the runtime keeps namespaces of its own.  Who writes each namespace,
and who reads it:

=========================  ==============================  ==================================
namespace                  written by                      read by
=========================  ==============================  ==================================
``heads/<actor>``          the runtime adopting a step     the routing index, the resident
                           (RUN-001), a revert (RUN-024),  actors, the actor view (every
                           a fork (RUN-008), an import     front end's list), the store
                           (RUN-009), the Wit executor     (REF-002.1, step times RUN-027.1),
                                                           PostgreSQL's notes
``names/actors/<name>``    binding a name (RUN-026.2):     resolving text (RUN-026.4),
                           ``actor name``, a creation      ``GET /v1/names``, the actor view
                           over HTTP, a push
``names/failed/<actor>``   the runtime marking an actor    the routing index (a failed actor
                           failed (RUN-004.4); a clear     does not run, RUN-004.7), the
                           deletes it (RUN-025)            actor view
``names/placement/<a>``    the runtime recording a         the placement records, a share's
                           placement (RUN-021.7)           filter, PostgreSQL's notes
``names/outside-outbox/``  a send from the outside         the routing index, PostgreSQL's
``<h>``                    (RUN-003.4): the runtime and    parts (DUR-005.5)
                           the service
``names/outside-outbox``   nothing since RUN-003.5 (a      the routing index, as a fallback
                           store written before it)
``names/gritwit/tokens/``  ``gritwit token add`` and       every service of the store, to
``<name>``                 ``remove`` (HTTP-018.5)         check a bearer token (HTTP-018)
``names/gritwit/audit``    a service after each operate    ``GET /v1/audit``, ``gritwit
                           or admin request (HTTP-020)     audit`` (HTTP-020.3)
=========================  ==============================  ==================================

``names/gritwit/`` as a whole is the service's own (:data:`SERVICE_PREFIX`,
:func:`is_service_ref`): ``GET /v1/refs`` shows none of it to a token without ``admin``
(HTTP-018.7), as token hashes and the audit log are no reader's business.

Builders and parsers, by namespace: :func:`head_ref` and :func:`head_actor`;
:func:`actor_name_ref` and :func:`actor_name_of`; :func:`failed_ref` and
:func:`failed_actor`; :func:`placement_ref` and :func:`placement_actor`;
:func:`outside_mailbox_ref` and :func:`outside_mailbox_digit`; :data:`OUTSIDE_OUTBOX_REF`.
The names the store's own backends match (PostgreSQL's parts and notes, the step times)
are these prefixes too.

``reference/tests/test_ref_namespaces.py`` refuses these prefixes spelled anywhere else
in the package.  A name is at most :data:`MAX_REF_NAME_BYTES` bytes (REF-001.2).  Pure:
no I/O.
"""

from __future__ import annotations

import re
from typing import Final

from .._errors import InvalidId, InvalidRefName, InvalidRefTarget
from .._ids import ObjectId
from .._objects import GritObject, Step

__all__ = [
    "ACTOR_NAMES_PREFIX",
    "FAILED_PREFIX",
    "HEADS_PREFIX",
    "MAX_REF_NAME_BYTES",
    "NAMES_PREFIX",
    "OUTSIDE_MAILBOX_PREFIX",
    "OUTSIDE_OUTBOX_REF",
    "PLACEMENT_PREFIX",
    "SERVICE_AUDIT_REF",
    "SERVICE_PREFIX",
    "SERVICE_TOKENS_PREFIX",
    "actor_name_of",
    "actor_name_ref",
    "check_head_target",
    "check_ref_name",
    "failed_actor",
    "failed_ref",
    "head_actor",
    "head_ref",
    "is_service_ref",
    "outside_mailbox_digit",
    "outside_mailbox_ref",
    "placement_actor",
    "placement_ref",
]

#: Longest ref name, in bytes (REF-001.2).
MAX_REF_NAME_BYTES: Final = 255
#: The store's namespace of heads (REF-001.1): ``heads/<text-form actor id>``.
HEADS_PREFIX: Final = "heads/"
#: The store's namespace of free names (REF-001.1), every runtime namespace below in it.
NAMES_PREFIX: Final = "names/"
#: The runtime's names of actors (RUN-026.2): ``names/actors/<name>``.
ACTOR_NAMES_PREFIX: Final = NAMES_PREFIX + "actors/"
#: The runtime's failed marks (RUN-004.4): ``names/failed/<text-form actor id>``.
FAILED_PREFIX: Final = NAMES_PREFIX + "failed/"
#: The runtime's placement records (RUN-021.7): ``names/placement/<text-form actor id>``.
PLACEMENT_PREFIX: Final = NAMES_PREFIX + "placement/"
#: The outside's old single outbox ref (RUN-003.5): read as a fallback, never written.
OUTSIDE_OUTBOX_REF: Final = NAMES_PREFIX + "outside-outbox"
#: The outside's 16 mailboxes (RUN-003.4): ``names/outside-outbox/<h>``, ``<h>`` a hex digit.
OUTSIDE_MAILBOX_PREFIX: Final = OUTSIDE_OUTBOX_REF + "/"
#: The service's own namespace (HTTP-018.7): its tokens and its audit log, shown by
#: ``GET /v1/refs`` to an ``admin`` token only.
SERVICE_PREFIX: Final = NAMES_PREFIX + "gritwit/"
#: The service's records of its bearer tokens (HTTP-018.5): ``names/gritwit/tokens/<name>``.
SERVICE_TOKENS_PREFIX: Final = SERVICE_PREFIX + "tokens/"
#: The service's audit log, the ref on its newest entry (HTTP-020.3).
SERVICE_AUDIT_REF: Final = SERVICE_PREFIX + "audit"

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


def _actor_after(prefix: str, name: str) -> ObjectId | None:
    """The actor whose text form ends ``name`` under ``prefix``; ``None`` for a name
    outside ``prefix`` or whose rest is no text-form id (such a ref names no actor)."""
    if not name.startswith(prefix):
        return None
    try:
        return ObjectId.from_hex(name[len(prefix) :])
    except InvalidId:
        return None


def actor_name_ref(name: str) -> str:
    """The ref binding the actor name ``name`` (RUN-026.2): ``names/actors/<name>``.
    Unchecked: the runtime's ``name_ref`` checks the name first (RUN-026.1)."""
    return ACTOR_NAMES_PREFIX + name


def actor_name_of(ref: str) -> str | None:
    """The rest of a ref under ``names/actors/`` (a name, when it is one, RUN-026.1),
    ``None`` for a ref outside it."""
    return ref[len(ACTOR_NAMES_PREFIX) :] if ref.startswith(ACTOR_NAMES_PREFIX) else None


def failed_ref(actor: ObjectId) -> str:
    """The ref that marks ``actor`` failed (RUN-004.4)."""
    return FAILED_PREFIX + actor.hex()


def failed_actor(ref: str) -> ObjectId | None:
    """The actor a ``names/failed/`` ref marks; ``None`` for another ref, or one whose
    rest is no actor id (it marks none)."""
    return _actor_after(FAILED_PREFIX, ref)


def placement_ref(actor: ObjectId) -> str:
    """The ref recording ``actor``'s placement (RUN-021.7)."""
    return PLACEMENT_PREFIX + actor.hex()


def placement_actor(ref: str) -> ObjectId | None:
    """The actor a ``names/placement/`` ref records; ``None`` for another ref, or one
    whose rest is no actor id."""
    return _actor_after(PLACEMENT_PREFIX, ref)


def outside_mailbox_ref(digit: str) -> str:
    """The ref of the outside's mailbox for recipients whose id's text form ends in
    ``digit`` (RUN-003.4)."""
    return OUTSIDE_MAILBOX_PREFIX + digit


def outside_mailbox_digit(ref: str) -> str | None:
    """The digit of an outside's mailbox ref, ``None`` for any other ref."""
    if not ref.startswith(OUTSIDE_MAILBOX_PREFIX):
        return None
    digit = ref[len(OUTSIDE_MAILBOX_PREFIX) :]
    return digit if len(digit) == 1 and digit in "0123456789abcdef" else None


def is_service_ref(name: str) -> bool:
    """Whether ``name`` is in the service's own namespace, ``names/gritwit/`` (HTTP-018.7)."""
    return name.startswith(SERVICE_PREFIX)
