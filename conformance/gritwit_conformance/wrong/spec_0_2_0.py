"""Wrong adapter: an implementation of spec 0.2.0, run against a newer suite (ADP-005.5/.6).

It claims ``spec: "0.2.0"`` in ``hello`` and behaves as that version allowed where a
later one added or newly tested a rule:

* ``encode`` judges a description's depth by ENC-012 (``too-deep``), as the text of
  0.2.0 let it — ADP-009.4, added in 0.3.0, says the field's rule decides;
* a ref name's lone surrogates are dropped before REF-001 judges it (a JSON reader
  that discards what it cannot decode), so ``names/a\\ud800`` reads as ``names/a`` —
  REF-001.1–.3 never changed, but 0.3.0 newly tests lone surrogates there.

Every failure it causes concerns a clause added or newly tested after 0.2.0, so the
suite marks each one (``since``); with ``--spec-version 0.2.0`` the tests citing only
ADP-009.4 are *not applicable* and the rest still fail, marked.
"""

from __future__ import annotations

from typing import Any

from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong.codec_encode_deep_is_too_deep import Adapter as DeepAdapter

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec", "store"),
    frozenset({"ADP-009.4", "REF-001.1", "REF-001.3"}),
    "failed",
    "an implementation of spec 0.2.0 (claims it in hello): encode's deep descriptions are "
    "too-deep (ADP-009.4, added in 0.3.0) and a ref name's lone surrogates are dropped "
    "(REF-001, newly tested in 0.3.0); every failure is marked since 0.2.0 (ADP-005.5)",
)

#: the version this implementation was written against
CLAIMED = "0.2.0"


def _drop_surrogates(name: object) -> object:
    if not isinstance(name, str):
        return name
    return "".join(c for c in name if not 0xD800 <= ord(c) <= 0xDFFF)


class Adapter(DeepAdapter):
    def cmd_hello(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_hello(args)
        answer["implementation"]["spec"] = CLAIMED
        return answer

    def cmd_ref_get(self, args: dict[str, Any]) -> dict[str, Any]:
        return super().cmd_ref_get({**args, "name": _drop_surrogates(args.get("name"))})

    def cmd_ref_cas(self, args: dict[str, Any]) -> dict[str, Any]:
        return super().cmd_ref_cas({**args, "name": _drop_surrogates(args.get("name"))})


if __name__ == "__main__":
    run(Adapter)
