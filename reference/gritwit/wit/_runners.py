"""Which runner turns a ``wit`` blob into a Wit, by the blob's ``runtime`` header.

A ``wit`` blob with a ``runtime`` header holds code for an engine the Wit layer does not
know: a Wasm module (``wasm``, WASM-001) or sandboxed Python (``python-wasi``, SBX-001).
Those engines sit in higher layers (:mod:`gritwit.wasm`, :mod:`gritwit.sandbox`), and a
lower layer never imports a higher one, so they are not imported here: the layer above
registers a factory per header (:func:`register_runner`), and the
:class:`~gritwit.wit.Executor` asks this registry (:func:`runner_factory`) the first time
it meets the header, handing the factory the limits it runs under
(:class:`RunnerLimits`: a runtime's core limit, SBX-007.7).  ``import gritwit`` fills it
with factories that import their engine only when called, so wasmtime stays unloaded
until a Wasm or sandboxed Wit runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

from .._ids import ObjectId
from ._model import ObjectReader, Wit

__all__ = [
    "CORE_BYTES",
    "SANDBOX_RUNTIME",
    "WASM_RUNTIME",
    "RunnerFactory",
    "RunnerLimits",
    "WitRunner",
    "register_runner",
    "runner_factory",
]

#: The ``runtime`` header of a ``wit`` blob holding a Wasm module (WASM-001).
WASM_RUNTIME: Final = "wasm"
#: The ``runtime`` header of a ``wit`` blob holding sandboxed Python (SBX-001).
SANDBOX_RUNTIME: Final = "python-wasi"
#: The core limit of a ``python-wasi`` actor's runs when its runtime names none: 64 MiB
#: (SBX-007.3, SBX-007.7).
CORE_BYTES: Final = 64 << 20


@dataclass(frozen=True, slots=True)
class RunnerLimits:
    """The limits a runtime runs its engines' Wits under, handed to each runner it makes.

    ``core_bytes`` is the runtime's core limit (SBX-007.7): the bytes a ``python-wasi``
    core's files may hold where a run mounts it (SBX-006.16), where a run leaves it
    (SBX-007.3), where it enters (SBX-006.17) and at import (SBX-006.18).  A runner with
    no such bound (Wasm) ignores it.
    """

    core_bytes: int = CORE_BYTES


class WitRunner(Protocol):
    """Turns the ``wit`` blob ``blob_id`` into a Wit (``unknown-wit`` when it cannot)."""

    def wit_for(self, reader: ObjectReader, blob_id: ObjectId) -> Wit: ...


#: Makes a runner under the executor's limits; called once per executor, when it first
#: meets the header.
RunnerFactory = Callable[[RunnerLimits], WitRunner]

_FACTORIES: dict[str, RunnerFactory] = {}


def register_runner(runtime: str, factory: RunnerFactory) -> None:
    """Run ``wit`` blobs whose ``runtime`` header is ``runtime`` with ``factory()``'s runner."""
    _FACTORIES[runtime] = factory


def runner_factory(runtime: str) -> RunnerFactory | None:
    """The factory registered for ``runtime``, or ``None``."""
    return _FACTORIES.get(runtime)
