"""Object stores and refs (spec chapter *store and refs*: STO-*, REF-*, DUR-*).

:class:`Store` enforces the chapter's rules over a byte-level :class:`Backend`;
:meth:`Store.memory` keeps everything in process memory, :meth:`Store.open`
keeps it durably in one SQLite file in a directory, or in a PostgreSQL database
named by a ``postgresql://`` URL (DUR-005, the extra ``gritwit[postgres]``).
"""

from __future__ import annotations

from ._backend import (
    Backend,
    BackendBatch,
    BatchAborted,
    CasResult,
    CasStatus,
    ErasedSince,
    Version,
)
from ._batch import StoreBatch
from ._command_open import (
    EXIT_OUTCOME_UNKNOWN,
    EXIT_STORE_UNAVAILABLE,
    EXIT_USAGE,
    StoreRefused,
    open_store_for_command,
    reporting_store_faults,
    store_location,
)
from ._memory import MemoryBackend
from ._parts import PARTS as JOURNAL_PARTS
from ._refs import MAX_REF_NAME_BYTES, check_ref_name, head_ref
from ._sqlite import SqliteBackend
from ._store import Store, VerifyReport
from ._store_options import UnsettledWarning
from ._times import format_step_time, step_times
from ._url import (
    STORE_URL_SCHEMES,
    MissingExtra,
    StoreUnreachable,
    create_schema,
    is_store_url,
    probe_server,
)

__all__ = [
    "UnsettledWarning",
    "EXIT_OUTCOME_UNKNOWN",
    "EXIT_STORE_UNAVAILABLE",
    "EXIT_USAGE",
    "MAX_REF_NAME_BYTES",
    "JOURNAL_PARTS",
    "Backend",
    "BackendBatch",
    "CasResult",
    "CasStatus",
    "BatchAborted",
    "ErasedSince",
    "MemoryBackend",
    "MissingExtra",
    "STORE_URL_SCHEMES",
    "SqliteBackend",
    "Store",
    "StoreBatch",
    "StoreRefused",
    "StoreUnreachable",
    "VerifyReport",
    "Version",
    "check_ref_name",
    "create_schema",
    "format_step_time",
    "head_ref",
    "is_store_url",
    "open_store_for_command",
    "reporting_store_faults",
    "probe_server",
    "step_times",
    "store_location",
]
