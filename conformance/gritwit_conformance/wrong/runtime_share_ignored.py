"""Wrong adapter: ``rt-open`` takes a share, reports it, and runs every actor (RUN-021.1).

The adapter checks ``share`` and answers it in ``settings`` (ADP-015), but the runtime
is made without it, as if shares were a hint: it runs every actor with messages
pending, those of the other shares too. Alone on a store it is right; beside the
runtimes of the other shares it runs their actors, reports their steps and keeps them
busy (not idle for eviction) while messages wait for them.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.runtime import _runtime
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-021.1", "RUN-021.4", "RUN-021.5"}),
    "failed",
    "rt-open checks the share and reports it in settings, but the runtime runs every "
    "actor: it adopts and reports steps of the other shares' actors, and keeps them "
    "busy, never evicted, while messages wait for them",
)

_real_init = _runtime.Runtime.__init__


def init(self: _runtime.Runtime, store: Any, *args: Any, **kwargs: Any) -> None:
    kwargs.pop("share", None)  # the bug: the share is dropped
    _real_init(self, store, *args, **kwargs)


def install() -> None:
    patch(_runtime.Runtime, "__init__", init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
