"""Wrong adapter: a bad ref name is reported ``invalid-name`` (the tree-name class) (REF-001.3)."""

from __future__ import annotations

from typing import Any

from gritwit._errors import InvalidName, InvalidRefName
from gritwit.adapter import ReferenceAdapter
from gritwit_conformance.wrong import WrongAdapter, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("store",),
    frozenset({"REF-001.3"}),
    "failed",
    "a bad ref name is reported invalid-name (the tree-name class), not invalid-ref-name",
)


def _renamed(method: Any) -> Any:
    def wrapper(self: ReferenceAdapter, args: dict[str, Any]) -> dict[str, Any]:
        try:
            return method(self, args)  # type: ignore[no-any-return]
        except InvalidRefName as exc:  # the bug: the wrong error class
            raise InvalidName("REF-001", str(exc)) from None

    return wrapper


class Adapter(ReferenceAdapter):
    cmd_ref_get = _renamed(ReferenceAdapter.cmd_ref_get)
    cmd_ref_cas = _renamed(ReferenceAdapter.cmd_ref_cas)


if __name__ == "__main__":
    run(Adapter)
