"""Wrong adapter: ``null`` and ``{}`` in a description mean "absent" on any key (OBJ-018.7).

``{"type": "blob", "data": "", "previous": null}`` and a tree with ``"headers": {}``
are read as if the key were not there, where a key the type lacks is an unknown
field (OBJ-003.3) whatever its value. (The reference did this before OBJ-018.7.)
"""

from __future__ import annotations

from gritwit import _json
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import patch, run

_EVERY = frozenset({"previous", "inbox", "outbox", "headers"})

if __name__ == "__main__":
    run(
        ReferenceAdapter,
        lambda: patch(
            _json, "_OPTIONAL", {t: _EVERY for t in ("blob", "tree", "message", "mailbox", "step")}
        ),
    )
