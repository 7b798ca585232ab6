"""Wrong adapter: ``ref-cas`` checks the ref name before its id arguments (ADP-004.6).

``ref-cas`` with ``name: "bad name"`` and ``expected: "zz"`` answers
``invalid-ref-name``, where the arguments come first and the answer is ``invalid-id``.
"""

from __future__ import annotations

from typing import Any

from gritwit.adapter import ReferenceAdapter
from gritwit.adapter._handler import _str
from gritwit.store._refs import check_ref_name
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"ADP-004.6"}),
    "failed",
    "ref-cas checks the ref name before its id arguments (invalid-ref-name, not invalid-id)",
)


class Adapter(ReferenceAdapter):
    def cmd_ref_cas(self, args: dict[str, Any]) -> dict[str, Any]:
        self._store(args)
        check_ref_name(_str(args, "name"))  # the bug: the store's rule before the arguments
        return super().cmd_ref_cas(args)


if __name__ == "__main__":
    run(Adapter)
