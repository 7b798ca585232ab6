"""The engine's port (``gritwit.serve._port``): what a handler may ask the engine's thread.

Each operation is a frozen command naming one method of ``EnginePort``; the engine does
it by ``StateOps`` and answers nothing else: a function handed to it, as the handlers
once did, is refused, so nothing but the port's named operations touches the store
from a request (HTTP-001).
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest
from serve_helpers import Served, created, served, settle

from gritwit import ObjectId
from gritwit.serve import _port
from gritwit.serve._engine_commands import Command, EngineState
from gritwit.serve._engine_ops import StateOps
from gritwit.serve._port import ActorEntry, EnginePort, Operation, RefTarget

__all__ = ["served"]


def _port_methods() -> set[str]:
    return {
        name
        for name, value in vars(EnginePort).items()
        if inspect.isfunction(value) and not name.startswith("_")
    }


def _operations() -> list[type[Operation[Any]]]:
    found = [getattr(_port, name) for name in _port.__all__]
    return [
        c for c in found if isinstance(c, type) and issubclass(c, Operation) and c is not Operation
    ]


class _Recorder:
    """A port that records which of its methods an operation calls."""

    def __init__(self) -> None:
        self.called: list[str] = []

    def __getattr__(self, name: str) -> Any:
        def method(*args: Any, **kwargs: Any) -> None:
            self.called.append(name)

        return method


def _parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


@pytest.mark.req("HTTP-001.1")
def test_each_operation_asks_one_method_of_the_port_and_each_method_is_asked() -> None:
    asked: dict[str, str] = {}
    for operation in _operations():
        recorder = _Recorder()
        blank = {field.name: None for field in dataclasses.fields(operation)}
        operation(**blank).run(recorder)  # type: ignore[arg-type]
        assert len(recorder.called) == 1, f"{operation.__name__} asks {recorder.called}"
        method = recorder.called[0]
        assert method in _port_methods(), f"{operation.__name__} asks {method}, no port method"
        assert asked.setdefault(method, operation.__name__) == operation.__name__, method
    assert set(asked) == _port_methods(), sorted(_port_methods() - set(asked))


@pytest.mark.req("HTTP-001.1")
def test_the_engines_side_does_every_method_of_the_port_with_its_parameters() -> None:
    for name in sorted(_port_methods()):
        done = getattr(StateOps, name, None)
        assert done is not None, f"StateOps does not do {name}"
        assert _parameters(done) == _parameters(getattr(EnginePort, name)), name


@pytest.mark.req("HTTP-001.1")
def test_the_engine_answers_the_ports_operations_and_refuses_a_function(served: Served) -> None:
    engine = served.service.engine
    actor = created(served.client, test="counter")
    settle(served.client)
    entry = engine.submit(ActorEntry(ObjectId.from_hex(actor))).result(30)
    assert entry is not None and entry["actor"] == actor
    assert engine.submit(RefTarget("names/no-such-name")).result(30) is None

    def a_function(state: EngineState) -> None:  # what a handler once handed the engine
        raise AssertionError("the engine ran a function handed to it")

    for stranger in (a_function, Command()):
        with pytest.raises(TypeError, match="the engine has no command"):
            engine.submit(stranger).result(30)  # type: ignore[arg-type]
    # the engine goes on answering after a refusal
    assert engine.submit(RefTarget("names/no-such-name")).result(30) is None
