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
from gritwit_conformance.wrong import patch, run

_real_init = _runtime.Runtime.__init__


def init(self: _runtime.Runtime, store: Any, *args: Any, **kwargs: Any) -> None:
    kwargs.pop("share", None)  # the bug: the share is dropped
    _real_init(self, store, *args, **kwargs)


def install() -> None:
    patch(_runtime.Runtime, "__init__", init)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
