"""A store opened through the adapter with objects put into it: the fixtures of the store
profile's tests (ADP-010), written once."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import gritwit as g
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import call_ok

__all__ = ["KINDS", "hexid", "opened_store"]

#: The kinds of store a test meets: one kept in memory, one kept in a directory.
KINDS = ["memory", "durable"]


def hexid(obj: g.GritObject) -> str:
    """The id of ``obj``, as the adapter spells ids (hex)."""
    return g.object_id(obj).hex()


def opened_store(
    impl: Implementation, kind: str, tmp_path: Path, objects: Iterable[g.GritObject]
) -> Iterator[str]:
    """Open a store of ``kind`` (a durable one in a fresh directory under ``tmp_path``),
    put ``objects`` into it and yield its handle; close it afterwards unless the test
    broke or restarted the adapter (ADP-010)."""
    args = {"kind": kind}
    if kind == "durable":
        args["path"] = str(tmp_path / "store")
        (tmp_path / "store").mkdir()
    handle = str(call_ok(impl, "ADP-010", "store-open", **args)["store"])
    for obj in objects:
        call_ok(impl, "ADP-010", "put", store=handle, bytes=g.encode_object(obj).hex())
    yield handle
    if impl.hello is not None:
        with contextlib.suppress(Exception):  # the test may have broken or restarted it
            impl.call("store-close", store=handle)
