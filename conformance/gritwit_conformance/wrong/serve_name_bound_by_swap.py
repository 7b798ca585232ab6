"""Wrong adapter: a creation binds its name by a swap from what the ref holds (HTTP-004.5).

The service checks the name when the request is read, as the reference does, and
binds it once the genesis is durable; but the bind swaps the name's ref from whatever
it holds then instead of from absent (RUN-026.2). A name taken before the request is
still refused; one taken by a concurrent creation between the check and the bind is
taken over, and every creation answers 201 with the name.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, patch, run

ROW = WrongAdapter(
    ("http",),
    frozenset({"HTTP-004.5"}),
    "failed",
    "a creation's name is bound by a swap from whatever its ref holds, not from absent: "
    "concurrent creations under one name all answer 201 with it",
)


def install() -> None:
    from gritwit.runtime import name_ref
    from gritwit.serve import _life

    def bind_name(store: Any, name: str, actor: Any) -> None:
        ref = name_ref(name)
        current = store.get_ref(ref)
        if current != actor:
            store.cas_ref(ref, current, actor)  # the bug: from what it holds, not from None

    patch(_life, "bind_name", bind_name)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
