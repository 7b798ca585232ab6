"""The Wit transition protocol (spec chapter *Wit*, WIT-001 … WIT-027).

* :mod:`._model` — what a transition receives and returns (WIT-006);
* :func:`pending` — pending messages by walking chains (WIT-004, WIT-005, WIT-010);
* :func:`assemble` — a transition's output to its step, checked (WIT-007 … WIT-009,
  WIT-015, WIT-016);
* :func:`build_outbox`, :func:`read_chain` — an outbox as a chain of mailboxes, read
  (OBJ-019) and built (WIT-009.5, WIT-009.6; :data:`SMALL_BASE`, :data:`MERGE_CAP`);
* :func:`merge` — the default update (WIT-013);
* :data:`TEST_ACTORS` — the suite's test actors (WIT-018 … WIT-027);
* :class:`Executor` — a small deterministic in-memory executor (WIT-010 … WIT-017).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._actors import ACTOR_CLAUSES, TEST_ACTORS, TEST_UPDATERS, BuiltinActor, Query, QueryInput
    from ._assemble import Assembled, assemble
    from ._cores import (
        TEST_RUNTIME,
        actor_known,
        code_core,
        code_name,
        core_problem,
        test_actor_core,
        wit_blob,
    )
    from ._executor import Executor, Failure, RunReport, failure_class
    from ._model import (
        OUTSIDE,
        ObjectReader,
        Overlay,
        PendingMessage,
        Send,
        TransitionInput,
        TransitionOutput,
        TransitionTimeout,
        Wit,
    )
    from ._outbox import (
        MERGE_CAP,
        NO_CHAIN,
        SMALL_BASE,
        OutboxChain,
        build_outbox,
        read_chain,
        top_changes,
    )
    from ._outside import (
        OUTSIDE_REF,
        OutsideBuild,
        OutsideSend,
        SentOutbox,
        build_outside_send,
        built_objects,
        is_outside_ref,
        outside_entries,
        outside_ref,
        outside_refs,
        read_outside,
        send_from_outside,
    )
    from ._pending import mailbox_entries, mailbox_map, mailbox_raw, pending, routed
    from ._runners import CORE_BYTES, RunnerLimits
    from ._update import merge

#: Where each public name lives.  The package imports a module when one of its names is
#: first asked for (PEP 562), not when the package is imported: the engines' registry
#: (:mod:`._runners`) is imported by ``import gritwit``, and every command of the
#: command line paid for the whole executor before it parsed its arguments
#: (``gritwit --version``: 0.8 s of CPU).  A test keeps this table and the imports above
#: alike.
_HOMES: dict[str, str] = {
    "ACTOR_CLAUSES": "_actors",
    "TEST_ACTORS": "_actors",
    "TEST_UPDATERS": "_actors",
    "BuiltinActor": "_actors",
    "Query": "_actors",
    "QueryInput": "_actors",
    "Assembled": "_assemble",
    "assemble": "_assemble",
    "TEST_RUNTIME": "_cores",
    "actor_known": "_cores",
    "code_core": "_cores",
    "code_name": "_cores",
    "core_problem": "_cores",
    "test_actor_core": "_cores",
    "wit_blob": "_cores",
    "Executor": "_executor",
    "Failure": "_executor",
    "RunReport": "_executor",
    "failure_class": "_executor",
    "OUTSIDE": "_model",
    "ObjectReader": "_model",
    "Overlay": "_model",
    "PendingMessage": "_model",
    "Send": "_model",
    "TransitionInput": "_model",
    "TransitionOutput": "_model",
    "TransitionTimeout": "_model",
    "Wit": "_model",
    "MERGE_CAP": "_outbox",
    "NO_CHAIN": "_outbox",
    "SMALL_BASE": "_outbox",
    "OutboxChain": "_outbox",
    "build_outbox": "_outbox",
    "read_chain": "_outbox",
    "top_changes": "_outbox",
    "OUTSIDE_REF": "_outside",
    "OutsideBuild": "_outside",
    "OutsideSend": "_outside",
    "SentOutbox": "_outside",
    "build_outside_send": "_outside",
    "built_objects": "_outside",
    "is_outside_ref": "_outside",
    "outside_entries": "_outside",
    "outside_ref": "_outside",
    "outside_refs": "_outside",
    "read_outside": "_outside",
    "send_from_outside": "_outside",
    "mailbox_entries": "_pending",
    "mailbox_map": "_pending",
    "mailbox_raw": "_pending",
    "pending": "_pending",
    "routed": "_pending",
    "CORE_BYTES": "_runners",
    "RunnerLimits": "_runners",
    "merge": "_update",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "CORE_BYTES",
    "RunnerLimits",
    "MERGE_CAP",
    "NO_CHAIN",
    "SMALL_BASE",
    "OutboxChain",
    "build_outbox",
    "read_chain",
    "top_changes",
    "mailbox_map",
    "mailbox_raw",
    "OUTSIDE",
    "OUTSIDE_REF",
    "OutsideBuild",
    "OutsideSend",
    "SentOutbox",
    "build_outside_send",
    "built_objects",
    "is_outside_ref",
    "outside_entries",
    "outside_ref",
    "outside_refs",
    "read_outside",
    "send_from_outside",
    "ACTOR_CLAUSES",
    "TEST_ACTORS",
    "TEST_RUNTIME",
    "TEST_UPDATERS",
    "Assembled",
    "BuiltinActor",
    "Executor",
    "Failure",
    "ObjectReader",
    "Overlay",
    "PendingMessage",
    "Query",
    "QueryInput",
    "RunReport",
    "Send",
    "TransitionInput",
    "TransitionOutput",
    "TransitionTimeout",
    "Wit",
    "actor_known",
    "assemble",
    "code_core",
    "code_name",
    "core_problem",
    "failure_class",
    "mailbox_entries",
    "merge",
    "pending",
    "routed",
    "test_actor_core",
    "wit_blob",
]
