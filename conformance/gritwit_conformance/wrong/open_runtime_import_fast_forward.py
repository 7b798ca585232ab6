"""Wrong adapter (open-loop, written from spec/ alone):
import fast-forwards an older head (RUN-009.4).

RUN-009.4 sets `heads/<actor>` "by compare-and-swap from unset": only a head that is
already the bundle's head is accepted unchanged, any other head is `ref-conflict`. An
implementer thinking like `git fetch` treats a target whose head is an ancestor of the
bundle's head (found in the bundle) as safe to fast-forward and moves it, so importing a
newer bundle of an actor the target runs succeeds instead of failing `ref-conflict`.
"""

from __future__ import annotations

from collections.abc import Callable

from gritwit._errors import RefConflict, TooLarge
from gritwit._ids import ObjectId
from gritwit._objects import Step, Tree
from gritwit.adapter import ReferenceAdapter
from gritwit.adapter import _runtime as adapter_runtime
from gritwit.runtime import _bundle
from gritwit.runtime._bundle import CoreBound, read_bundle
from gritwit.store import Store, head_ref
from gritwit_conformance.wrong import WrongAdapter, patch, run

#: What the suite must report for this adapter: its row of WRONG.
ROW = WrongAdapter(
    ("runtime",),
    frozenset({"RUN-009.4"}),
    "failed",
    "rt-import moves a head that the bundle's history contains (fast-forward) instead of "
    "failing ref-conflict",
    copied_from=(("gritwit.runtime._bundle:import_bundle", "f165df5231a3fae9"),),
)

COUNTER = "72c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"
#: ``rt-export`` of a counter after its genesis step and a second step reading ``inc 5``.
BUNDLE = (
    "8470677269747769742d62756e646c652f3178403732633865666431663130666462616238333362"
    "33383034653135306466346564333063376431646161643661663337386535666139386630316434"
    "36623864784064346162386563343963303831633433346139633436366463616235393163396634"
    "3836616266623737333830633038646566343839646230623330656134658c5834a3646461746147"
    "636f756e746572647479706564626c6f626768656164657273a16772756e74696d656a746573742d"
    "6163746f72584ca36474797065676d65737361676567636f6e74656e74582072c8efd1f10fdbab83"
    "3b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d6768656164657273a1626d746767656e65"
    "7369735862a26474797065647472656567656e7472696573a26377697458200975531ed68b887f3f"
    "60eb3f82ae9e754defd81f7b0e2b19cfa6c34d7c86846165636f756e74582068855c59aa816d1ba9"
    "ae65b4a3d3793df0940e893a07b844aa81dd1b0c2c934d5873a46474797065676d65737361676567"
    "636f6e74656e74582068855c59aa816d1ba9ae65b4a3d3793df0940e893a07b844aa81dd1b0c2c93"
    "4d6768656164657273a1626d7463696e636870726576696f7573582017bd8f2980ad614410327468"
    "bbb8d05bae33833bbf171b34fbdcfefd5ae20a9452a264646174614135647479706564626c6f6252"
    "a264646174614130647479706564626c6f62583aa26474797065647472656567656e7472696573a1"
    "6377697458200975531ed68b887f3f60eb3f82ae9e754defd81f7b0e2b19cfa6c34d7c868461587b"
    "a26474797065676d61696c626f7867656e7472696573a17840303030303030303030303030303030"
    "30303030303030303030303030303030303030303030303030303030303030303030303030303030"
    "303030303030303030582017bd8f2980ad614410327468bbb8d05bae33833bbf171b34fbdcfefd5a"
    "e20a94587ba26474797065676d61696c626f7867656e7472696573a1784030303030303030303030"
    "30303030303030303030303030303030303030303030303030303030303030303030303030303030"
    "303030303030303030303030303058203e99cddaaf0b512854eaef70a0432311b961b508a35299d4"
    "08459e0fd7b0f2825862a26474797065647472656567656e7472696573a26377697458200975531e"
    "d68b887f3f60eb3f82ae9e754defd81f7b0e2b19cfa6c34d7c86846165636f756e74582069b5bbbc"
    "5df879516b34039c16afd7c6732a08f0109acc615622a8824fabe8b758ada564636f7265582021c1"
    "9db01e77d3b545d37011fe48d6c30ef59783727ec18beb82dd74b584b4cd64747970656473746570"
    "656163746f72582072c8efd1f10fdbab833b3804e150df4ed30c7d1daad6af378e5fa98f01d46b8d"
    "65696e626f785820a40e9f96b5a0c2706555c845e9ef13f86746b51a99b3f9152eea70429aa5ae64"
    "6870726576696f75735820ddb2a1990c67891f13102a0041cd5fde4887db8ff0b671e8a00ef39f2d"
    "0e23345882a464636f72655820a54a31182db548a08a3853dfb0d2ad6143b1e1efce2303f76de208"
    "8d236272a664747970656473746570656163746f72582072c8efd1f10fdbab833b3804e150df4ed3"
    "0c7d1daad6af378e5fa98f01d46b8d65696e626f7858208316a6e19058d94c6412ae03e5a9e64cbe"
    "1c8d5fabd43fa558c062314211d0c6"
)

#: Requests (no "seq"; "hello" is sent first for you) whose answers differ from the reference.
PROBE = [
    {"cmd": "rt-open", "path": "{tmp}"},
    {"cmd": "rt-genesis", "runtime": "r1", "actor": "counter"},
    {"cmd": "rt-run", "runtime": "r1", "max_steps": 10},  # the head: the bundle's first step
    {"cmd": "rt-import", "runtime": "r1", "bundle": BUNDLE},  # ref-conflict in the reference
    {"cmd": "rt-head", "runtime": "r1", "actor": COUNTER},
]


def wrong_import_bundle(
    store: Store,
    data: bytes,
    *,
    bound: CoreBound | None = None,
    before_head: Callable[[ObjectId, Step], None] | None = None,
) -> tuple[ObjectId, ObjectId]:
    actor, head, raw = read_bundle(data)
    if bound is not None:
        reader = _bundle._Bundled(raw)
        step = reader.get_object(head)
        core = reader.get_object(step.core) if isinstance(step, Step) else None
        if isinstance(core, Tree):  # else no core a run could mount (WIT-007.2)
            try:
                bound(reader, core)
            except TooLarge as exc:  # nothing stored yet (RUN-009.3)
                raise TooLarge("SBX-006.18", f"the head's core: {exc.detail}") from None
    name = head_ref(actor)
    current = store.get_ref(name)
    if current == head:
        return actor, head
    if current is not None and current not in raw:  # the bug: an ancestor is fast-forwarded
        raise RefConflict("RUN-009.4", f"{name} is {current}, not unset", current=current)
    store.put_encoded((item, oid) for oid, item in raw.items())  # decoded above: one write
    if before_head is not None:
        step = store.get_object(head)
        if isinstance(step, Step):
            before_head(actor, step)
    store.cas_ref(name, current, head)
    return actor, head


def install() -> None:
    patch(adapter_runtime, "import_bundle", wrong_import_bundle)


if __name__ == "__main__":
    run(ReferenceAdapter, install)
