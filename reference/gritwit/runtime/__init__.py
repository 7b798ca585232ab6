"""The reference runtime (spec chapter *runtime*, RUN-001 … RUN-014).

* :class:`Runtime` — asyncio scheduling of transitions over a memory or durable
  store: persistence order, one writer per actor, retries, time limits and
  recovery from the heads alone; :class:`RuntimeConfig` — its settings, one frozen
  value checked as it is made;
* :func:`heads`, :func:`history`, :func:`check_runtime` — reading it back;
  :func:`actor_arg` — what a command line's ``ACTOR`` argument names;
* :func:`fork`, :func:`revert`, :func:`clear_failed`, :func:`export_bundle` /
  :func:`import_bundle`, :func:`verify_actor`, :func:`erase_blob` — an actor's
  lifecycle (RUN-008 … RUN-011, RUN-024, RUN-025);
* :class:`LifecycleEvent`, :data:`MAX_RESIDENT`, :data:`IDLE_AFTER` — eviction,
  restore on demand and the events observers see (RUN-012 … RUN-014);
* :data:`COMMIT`, :data:`GROUP_SIZE`, :data:`GROUP_BYTES` — group commit of adopted
  steps, bounded in count and in bytes (RUN-017);
* :data:`MAX_STEPS` — the default bound of steps per run (RUN-018);
* :data:`MAX_STEP_BYTES`, :data:`MAX_RUN_BYTES` — the default bounds of the bytes a
  step and a run add to the store (RUN-022, RUN-023); :data:`MAX_CORE_BYTES` — the
  default core limit of its ``python-wasi`` actors (SBX-007.7); :data:`GATHER` — the
  default gathering window of a woken runtime's wake-ups (RUN-020.8);
* :class:`Share`, :data:`MAX_SHARES` — the actors one runtime of several on a store
  runs (RUN-021);
* :func:`resolve_actor`, :func:`bind_name`, :func:`actor_names`, :func:`names_of`,
  :func:`check_name` … — actor names, ``names/actors/<name>`` refs (RUN-026).
"""

from __future__ import annotations

from ._alarm import ALARM, SERVICE_TEST_ACTORS
from ._arg import BadActorArg, actor_arg
from ._bundle import BUNDLE_FORMAT, export_bundle, import_bundle, read_bundle
from ._config import (
    ATTEMPTS,
    FIRST_BACKOFF,
    GATHER,
    MAX_CORE_BYTES,
    MAX_STEPS,
    TIME_LIMIT,
    RuntimeConfig,
)
from ._courier import COURIER
from ._disk import MAX_RUN_BYTES, MAX_STEP_BYTES
from ._erase import erase_blob
from ._events import (
    ARCHIVED,
    IDLE_AFTER,
    MAX_RESIDENT,
    RESTORE_REQUESTED,
    RESTORED,
    LifecycleEvent,
)
from ._fork import FORK_ENTRY, ChildExists, fork, fork_blob
from ._group import (
    COMMIT,
    COMMIT_MODES,
    GROUP_BYTES,
    GROUP_SIZE,
    PROTOCOL_SEND_COMMIT,
    SEND_COMMIT,
    SEND_COMMIT_MODES,
)
from ._index import FAILED_PREFIX, RoutingIndex, failed_ref
from ._inspect import (
    RuntimeCheck,
    Traffic,
    check_runtime,
    heads,
    history,
    revert_sources,
    step_traffic,
    traffic_rows,
)
from ._names import (
    ACTOR_NAMES_PREFIX,
    MAX_ACTOR_NAME,
    NAME_ENTRY,
    actor_names,
    bind_name,
    bind_names,
    check_name,
    is_id_text,
    name_ref,
    names_of,
    rebind_name,
    resolve_actor,
    unbind_name,
)
from ._parties import HTTP, SERVICE_PARTIES, TIMER, party_id
from ._placement import PLACEMENT_HEADER, PLACEMENT_PREFIX, placed_in, placement_ref
from ._port import PortBounds, PortService, absorb_port_import, idempotency_key, requests_in_flight
from ._port_policy import PolicyError, Rule, parse_policy
from ._port_secrets import SecretError, Secrets, load_secrets, parse_secrets
from ._revert import clear_failed, revert
from ._runtime import Runtime
from ._share import MAX_SHARES, Share
from ._timers import (
    PendingTimer,
    TimerBounds,
    TimerService,
    absorb_import,
    pending_timers,
    wall_clock,
)
from ._verify import ActorCheck, verify_actor
from ._view import ActorFailure, ActorView, ActorViews

__all__ = [
    "ActorFailure",
    "ActorView",
    "ActorViews",
    "ALARM",
    "COURIER",
    "HTTP",
    "PolicyError",
    "PortBounds",
    "PortService",
    "Rule",
    "SecretError",
    "Secrets",
    "absorb_port_import",
    "idempotency_key",
    "load_secrets",
    "parse_policy",
    "parse_secrets",
    "requests_in_flight",
    "SERVICE_PARTIES",
    "SERVICE_TEST_ACTORS",
    "TIMER",
    "PendingTimer",
    "TimerBounds",
    "TimerService",
    "absorb_import",
    "party_id",
    "pending_timers",
    "wall_clock",
    "ARCHIVED",
    "ATTEMPTS",
    "BUNDLE_FORMAT",
    "COMMIT",
    "COMMIT_MODES",
    "PROTOCOL_SEND_COMMIT",
    "SEND_COMMIT",
    "SEND_COMMIT_MODES",
    "FORK_ENTRY",
    "ActorCheck",
    "BadActorArg",
    "FAILED_PREFIX",
    "FIRST_BACKOFF",
    "GATHER",
    "GROUP_BYTES",
    "GROUP_SIZE",
    "IDLE_AFTER",
    "LifecycleEvent",
    "MAX_CORE_BYTES",
    "MAX_RESIDENT",
    "MAX_RUN_BYTES",
    "MAX_SHARES",
    "PLACEMENT_HEADER",
    "PLACEMENT_PREFIX",
    "MAX_STEPS",
    "MAX_STEP_BYTES",
    "RESTORED",
    "RESTORE_REQUESTED",
    "TIME_LIMIT",
    "RoutingIndex",
    "Runtime",
    "RuntimeCheck",
    "RuntimeConfig",
    "MAX_ACTOR_NAME",
    "ACTOR_NAMES_PREFIX",
    "NAME_ENTRY",
    "Share",
    "Traffic",
    "actor_names",
    "bind_name",
    "bind_names",
    "check_name",
    "actor_arg",
    "check_runtime",
    "is_id_text",
    "clear_failed",
    "erase_blob",
    "export_bundle",
    "failed_ref",
    "placed_in",
    "placement_ref",
    "ChildExists",
    "fork",
    "fork_blob",
    "heads",
    "history",
    "import_bundle",
    "name_ref",
    "names_of",
    "read_bundle",
    "revert",
    "revert_sources",
    "step_traffic",
    "traffic_rows",
    "rebind_name",
    "resolve_actor",
    "unbind_name",
    "verify_actor",
]
