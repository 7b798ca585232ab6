"""Wasm Wits: a ``wit`` blob holding a module becomes a Python Wit (WASM-001).

:meth:`WasmWits.wit_for` returns a :class:`WasmWit`, a callable with the exact
signature of every Wit (``TransitionInput -> TransitionOutput``, failing by
raising, WIT-006) that also answers queries (WIT-017), so an executor runs
Wasm actors and built-in test actors through the same call.  When the core
declares an image (WASM-023), the call restores it and a step's new core holds
the next one (WASM-025 … WASM-027).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .._errors import FuelExhausted, UnknownQuery, UnknownWit
from .._ids import ObjectId
from .._objects import Blob, Tree
from ..wit._actors import QueryInput
from ..wit._cores import code_blob
from ..wit._model import ObjectReader, TransitionInput, TransitionOutput, get_blob
from ._abi import (
    ABI_HEADER,
    ABI_LIMITS,
    ABI_VERSION,
    EXPORT_QUERY,
    EXPORT_STEP,
    IMAGE_ENTRY,
    WASM_RUNTIME,
    WasmLimits,
)
from ._core import raw_dict
from ._engine import CallResult, LoadedModule, WasmEngine
from ._host import QueryHost, StepHost
from ._image import ImageSession, read_image

__all__ = ["WasmRun", "WasmWit", "WasmWits", "is_wasm_wit", "wasm_wit_blob"]


def wasm_wit_blob(module: bytes) -> Blob:
    """A ``wit`` blob naming the Wasm module ``module`` under ABI 1 (WASM-001)."""
    return Blob(data=module, headers={"runtime": WASM_RUNTIME, ABI_HEADER: ABI_VERSION})


def is_wasm_wit(reader: ObjectReader, blob_id: ObjectId) -> bool:
    """Whether ``blob_id`` is a present blob with ``runtime: "wasm"`` (WASM-001)."""
    blob = get_blob(reader, blob_id)
    return blob is not None and blob.headers.get("runtime") == WASM_RUNTIME


@dataclass(frozen=True, slots=True)
class WasmRun:
    """A successful step and the fuel it consumed (WASM-019)."""

    output: TransitionOutput
    fuel: int


@dataclass(frozen=True, slots=True)
class WasmWit:
    """One loaded module as a Wit: call it like any Wit; it also answers queries."""

    blob_id: ObjectId
    engine: WasmEngine
    loaded: LoadedModule

    def __call__(self, inp: TransitionInput) -> TransitionOutput:
        """One transition (WIT-006): ``step`` in a fresh instance; raises on failure."""
        if IMAGE_ENTRY in raw_dict(inp.core.entries):  # an image actor's, if its module's
            return self._step(inp)[0].output()
        host = StepHost(inp, self.engine.limits)  # as _step, without an image (WASM-023.2)
        self._count(host, None)
        return host.output()

    def run(self, inp: TransitionInput) -> WasmRun:
        """As calling it, with the fuel the step consumed (WASM-019)."""
        host, result = self._step(inp)
        return WasmRun(host.output(), result.fuel)

    def _step(self, inp: TransitionInput) -> tuple[StepHost, CallResult]:
        """The finished host of a step, and the call's result.

        An image actor's new core holds the host's image, whatever the guest wrote
        there (WASM-026.1).
        """
        host = StepHost(inp, self.engine.limits)
        image = self._image(inp.core, inp.objects, save=True)
        result = self._count(host, image)
        if image is not None:
            image_id, objects = image.saved()
            host.core.set((IMAGE_ENTRY,), image_id)
            host.created.extend(objects)
        return host, result

    def _count(self, host: StepHost, image: ImageSession | None) -> CallResult:
        """The ``step`` call, its fuel added to the engine's :attr:`~WasmEngine.step_fuel`
        whether it succeeds or runs out of fuel (WASM-019, HTTP-014.1)."""
        engine = self.engine
        try:
            result = engine.call(self.loaded, EXPORT_STEP, host, image)
        except FuelExhausted as exc:
            engine.step_fuel += exc.fuel_consumed or 0
            raise
        engine.step_fuel += result.fuel
        return result

    def _image(self, core: Tree, reader: ObjectReader, *, save: bool) -> ImageSession | None:
        """The call's image, when ``core`` declares one for this module (WASM-023.2).

        Read from the entries' dict: a core without an image costs no exception.
        """
        entries = raw_dict(core.entries)
        entry = entries.get(IMAGE_ENTRY)
        if entry is None or entries.get("wit") != self.blob_id.digest:
            return None
        limits = self.engine.limits
        return ImageSession(read_image(reader, ObjectId._trusted(entry), limits), save=save)

    def query(self, name: str, inp: QueryInput) -> Blob:
        """Answer query ``name`` against the head (WASM-014); ``unknown-query`` if unanswered."""
        if not self.loaded.has_query:
            raise UnknownQuery("WASM-014.7", "the module exports no 'query' function")
        host = QueryHost(name, inp, self.engine.limits)
        image = self._image(inp.core, inp.objects, save=False)  # read-only (WASM-027)
        self.engine.call(self.loaded, EXPORT_QUERY, host, image)
        if host.answer is None:
            raise UnknownQuery("WASM-014.7", f"the module does not answer the query {name!r:.60}")
        return host.answer


class WasmWits:
    """Turns ``wit`` blobs holding Wasm modules into Wits (WASM-001, WASM-002).

    Compiled modules are cached by the blob's id: an id names its bytes and its
    headers, so a cache hit needs neither.
    """

    __slots__ = ("engine",)

    def __init__(self, limits: WasmLimits = ABI_LIMITS, cache_dir: Path | None = None) -> None:
        self.engine = WasmEngine(limits, cache_dir)

    @property
    def fuel_spent(self) -> int:
        """Fuel units its Wits' transitions consumed so far (WASM-019, HTTP-014.1)."""
        return self.engine.step_fuel

    def wit_for(self, reader: ObjectReader, blob_id: ObjectId) -> WasmWit:
        """The Wit of the ``wit`` (or ``wit_update``) blob ``blob_id``.

        ``unknown-wit`` unless it is a present blob with ``runtime: "wasm"`` and
        ``abi: "1"``; then the load checks of WASM-002 (their error classes).
        """
        loaded = self.engine.cached(blob_id)
        if loaded is None:
            blob = code_blob(reader, blob_id, WASM_RUNTIME, "WASM-001")
            abi = blob.headers.get(ABI_HEADER)
            if abi != ABI_VERSION:
                raise UnknownWit("WASM-001.3", f"Wasm ABI {abi!r:.40} is not known (only '1')")
            loaded = self.engine.load(blob_id, blob.data)
        return WasmWit(blob_id, self.engine, loaded)

    def wit_of_core(self, reader: ObjectReader, core: Tree) -> WasmWit:
        """The Wit of ``core``'s ``wit`` entry (WIT-001)."""
        entry = core.entries.get("wit")
        if entry is None:
            raise UnknownWit("WIT-001", "the core has no 'wit' entry")
        return self.wit_for(reader, entry)
