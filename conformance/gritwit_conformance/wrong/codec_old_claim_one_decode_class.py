"""Wrong adapter: one decode class for every decode error, written against spec 0.3.0.

It claims ``spec: "0.3.0"`` in ``hello``, older than the suite, and names every
decode-phase violation ``malformed`` (the bug of ``codec_one_decode_class``): its
failures break CONV-004 and the rule of each class (ENC-010 for ``unsorted-keys`` …).
A failure's version marks must come from the clauses its failing assertion
names, never from every entry of every clause its test cites (a new user's adapter of
this kind got 123 marks, 122 of them CONV-004 entries unrelated to its failures);
``conformance/tests/test_wrong_marks.py`` checks that none of its marks is unrelated.
"""

from __future__ import annotations

from typing import Any

from gritwit_conformance.wrong import WrongAdapter, run
from gritwit_conformance.wrong.codec_one_decode_class import Adapter as OneClassAdapter

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("codec",),
    frozenset({"CONV-004"}),
    "failed",
    "claims spec 0.3.0 and reports every decode error as malformed; its failures' marks "
    "name only the clauses of their failing assertions (ADP-005.5)",
)

#: the version this implementation was written against: the newest release, older
#: than the suite's development version
CLAIMED = "0.3.0"


class Adapter(OneClassAdapter):
    def cmd_hello(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = super().cmd_hello(args)
        answer["implementation"]["spec"] = CLAIMED
        return answer


if __name__ == "__main__":
    run(Adapter)
