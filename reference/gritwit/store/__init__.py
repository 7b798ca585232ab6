"""Object stores and refs (spec chapter *store and refs*: STO-*, REF-*, DUR-*).

:class:`Store` enforces the chapter's rules over a byte-level :class:`Backend`;
:meth:`Store.memory` keeps everything in process memory, :meth:`Store.open`
keeps it durably in one SQLite file in a directory.
"""

from __future__ import annotations

from ._backend import Backend, BackendBatch, CasResult, CasStatus
from ._memory import MemoryBackend
from ._refs import MAX_REF_NAME_BYTES, check_ref_name, head_ref
from ._sqlite import SqliteBackend
from ._store import Store, StoreBatch, VerifyReport

__all__ = [
    "MAX_REF_NAME_BYTES",
    "Backend",
    "BackendBatch",
    "CasResult",
    "CasStatus",
    "MemoryBackend",
    "SqliteBackend",
    "Store",
    "StoreBatch",
    "VerifyReport",
    "check_ref_name",
    "head_ref",
]
