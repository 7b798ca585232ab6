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
