"""Load-independent work counters for the ``track_`` benchmarks in :mod:`bench_counts`.

Wall time on a shared 2-core machine moves by tens of percent with the load; the
number of encodes, hashes, decodes, store writes and commits a transition does
does not.  :class:`Counting` counts them by wrapping, for the duration of a
``with`` block, the calls every gritwit version makes, without editing the
reference package:

* **encodes** — ``cbor2.dumps`` calls made outside a decoder (the strict decoder
  re-encodes its input to check canonicality, ENC-014.3; that is part of the decode);
* **hashes** — ``blake3.blake3`` constructions (every id is one, ID-001);
* **decodes** — entries into a gritwit decoder from outside it: any function named
  ``decode_object``, ``decode_object_plain`` or ``decode_value`` in a ``gritwit``
  module (also where imported by name), and ``cbor2.loads`` called outside them;
* **objects written**, **commits**, **reads** — seen by :class:`CountingBackend`, a
  proxy between the ``Store`` and its backend: a commit is one call that changes
  the backend (``insert``, ``insert_many``, ``cas_ref``, ``insert_many_then_cas``,
  ``erase``, or any later method named like a write), i.e. one transaction; a
  ``batch()`` block (the runtime's group commit, RUN-017) is one commit however
  many inserts and swaps it holds;
* **calls** — every Python and builtin function call (``sys.setprofile`` events
  ``call`` and ``c_call``; a coroutine's resumption is a call) made outside this
  module and the library calls it wraps: the interpreter's work around the library
  calls, which is what a transition's cost over its floor (``bench_floor``) is made
  of, counted where wall time on a loaded machine cannot show it.

The wrappers sit at the library boundary, so a faster gritwit that calls cbor2 or
blake3 from a new place is still counted, and one that encodes less counts less.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

import blake3
import cbor2

#: Function names of gritwit's decoders (the strict, the plain and the CBOR one).
DECODERS = ("decode_object", "decode_object_plain", "decode_value")
#: Backend methods that change the store; each call is one commit (transaction).
#: Calls made from this module's frames (its wrappers and proxies) are not counted.
_HERE = __file__
_CALLS = frozenset({"call", "c_call"})
_WRITE = re.compile(r"^(insert|cas|erase|commit|write|put|swap|delete|apply)")


@dataclass
class Counts:
    """What happened inside one :meth:`Counting.active` block."""

    encodes: int = 0
    hashes: int = 0
    decodes: int = 0
    objects_written: int = 0
    commits: int = 0
    reads: int = 0
    calls: int = 0

    def as_dict(self) -> dict[str, int]:
        """The counts by name."""
        return dict(vars(self))


class CountingBackend:
    """A proxy for a store backend that counts its writes, commits and reads."""

    def __init__(self, inner: Any, counts: Counts) -> None:
        self._inner = inner
        self._counts = counts

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr
        if name == "read":
            return self._counted_read(attr)
        if name == "batch":
            return self._counted_batch(attr)
        if name == "commit_all":
            return self._counted_whole(attr)
        if _WRITE.match(name):
            return self._counted_write(attr)
        return attr

    def _counted_read(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def read(*args: Any, **kwargs: Any) -> Any:
            self._counts.reads += 1
            return method(*args, **kwargs)

        return read

    def _counted_batch(self, method: Callable[..., Any]) -> Callable[..., Any]:
        """``batch()``: one commit for a block that ends (one that raises keeps nothing,
        and the server counts no commit: the outside's send to several mailboxes gives
        one up when a swap loses, RUN-002.4); its inserts count as objects written."""

        @contextmanager
        def batch(*args: Any, **kwargs: Any) -> Iterator[Any]:
            with method(*args, **kwargs) as inner:
                yield _CountingBatch(inner, self._counts)
            self._counts.commits += 1

        return batch

    def _counted_whole(self, method: Callable[..., Any]) -> Callable[..., Any]:
        """``commit_all``: a commit when it made its writes; one that would lose a swap
        keeps nothing (the server counts no commit) and the caller commits otherwise."""

        def whole(items: Any, *args: Any, **kwargs: Any) -> Any:
            items = list(items)
            made = method(items, *args, **kwargs)
            if made:
                self._counts.commits += 1
                self._counts.objects_written += len(items)
            return made

        return whole

    def _counted_write(self, method: Callable[..., Any]) -> Callable[..., Any]:
        def write(*args: Any, **kwargs: Any) -> Any:
            self._counts.commits += 1
            if args and _is_object_id(args[0]):  # insert(oid, data)
                self._counts.objects_written += 1
            elif args and not isinstance(args[0], (str, bytes)):  # insert_many(items, ...)
                items = list(args[0])
                self._counts.objects_written += len(items)
                args = (items, *args[1:])
            return method(*args, **kwargs)

        return write


class _CountingBatch:
    """The writes of one counted ``batch()`` block (already counted as one commit)."""

    def __init__(self, inner: Any, counts: Counts) -> None:
        self._inner = inner
        self._counts = counts

    def insert_many(self, items: Any, **kwargs: Any) -> None:
        """The batch's insert, counted; ``fresh=`` passed on (RUN-022.1)."""
        items = list(items)
        self._counts.objects_written += len(items)
        self._inner.insert_many(items, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _is_object_id(value: object) -> bool:
    return type(value).__name__ == "ObjectId"


@dataclass
class Counting:
    """Counters switched on by :meth:`active`; the store gets a :class:`CountingBackend`."""

    counts: Counts = field(default_factory=Counts)
    _local: threading.local = field(default_factory=threading.local)

    @property
    def _depth(self) -> int:
        """How deep the current thread is inside a decoder."""
        return getattr(self._local, "depth", 0)

    @_depth.setter
    def _depth(self, value: int) -> None:
        self._local.depth = value

    def backend(self, inner: Any) -> CountingBackend:
        """``inner`` behind a proxy that counts into :attr:`counts`."""
        return CountingBackend(inner, self.counts)

    def reset(self) -> None:
        """Zero every counter (the store's proxy keeps counting into the same object)."""
        for name in vars(self.counts):
            setattr(self.counts, name, 0)

    @contextmanager
    def active(self) -> Iterator[Counts]:
        """Wrap cbor2, blake3 and gritwit's decoders; restore them on exit."""
        patches: list[tuple[object, str, object]] = []

        def patch(owner: object, name: str, new: object) -> None:
            patches.append((owner, name, getattr(owner, name)))
            setattr(owner, name, new)

        patch(cbor2, "dumps", self._wrap_encode(cbor2.dumps))
        patch(cbor2, "loads", self._wrap_decode(cbor2.loads))
        patch(blake3, "blake3", self._wrap_hash(blake3.blake3))
        wrapped: dict[int, object] = {}
        for module in [m for n, m in sys.modules.items() if n.split(".")[0] == "gritwit"]:
            for name in DECODERS:
                original = getattr(module, name, None)
                if callable(original):
                    new = wrapped.setdefault(id(original), self._wrap_decode(original))
                    patch(module, name, new)
        previous = sys.getprofile()
        sys.setprofile(self._count_call)
        try:
            yield self.counts
        finally:
            sys.setprofile(previous)
            for owner, name, original in reversed(patches):
                setattr(owner, name, original)

    def _count_call(self, frame: FrameType, event: str, arg: object) -> None:
        """Count one call (**calls**) unless made from this module's own frames."""
        if event in _CALLS and frame.f_code.co_filename != _HERE:
            self.counts.calls += 1

    def _wrap_encode(self, dumps: Callable[..., Any]) -> Callable[..., Any]:
        def counted_dumps(*args: Any, **kwargs: Any) -> Any:
            if self._depth == 0:
                self.counts.encodes += 1
            return dumps(*args, **kwargs)

        return counted_dumps

    def _wrap_decode(self, decode: Callable[..., Any]) -> Callable[..., Any]:
        def counted_decode(*args: Any, **kwargs: Any) -> Any:
            if self._depth == 0:
                self.counts.decodes += 1
            self._depth += 1
            try:
                return decode(*args, **kwargs)
            finally:
                self._depth -= 1

        return counted_decode

    def _wrap_hash(self, hasher: Callable[..., Any]) -> Callable[..., Any]:
        def counted_blake3(*args: Any, **kwargs: Any) -> Any:
            self.counts.hashes += 1
            return hasher(*args, **kwargs)

        return counted_blake3
