"""A runtime's settings are one frozen value, and its parts meet at named seams.

:class:`~gritwit.runtime.RuntimeConfig` holds every setting a
:class:`~gritwit.runtime.Runtime` takes besides its store and what is injected, checked
as it is made with the errors and clause IDs the runtime raised before it existed; the
keyword arguments still work and build one.  The runs are wired to the parts they ask
once (:meth:`Scheduler.wire <gritwit.runtime._schedule.Scheduler.wire>`).
"""

from __future__ import annotations

import dataclasses
import typing

import pytest
from aio import run

from gritwit import Blob
from gritwit.runtime import (
    ATTEMPTS,
    COMMIT,
    FIRST_BACKOFF,
    GATHER,
    GROUP_BYTES,
    GROUP_SIZE,
    IDLE_AFTER,
    MAX_CORE_BYTES,
    MAX_RESIDENT,
    MAX_RUN_BYTES,
    MAX_STEP_BYTES,
    MAX_STEPS,
    TIME_LIMIT,
    Runtime,
    RuntimeConfig,
    Share,
)
from gritwit.runtime._config import RuntimeSettings
from gritwit.runtime._schedule import SchedulerParts
from gritwit.store import Store
from gritwit.wit import test_actor_core

#: A setting a runtime refuses, the error it raises, and the clause the message names.
REFUSED: list[tuple[dict[str, object], type[Exception], str]] = [
    ({"commit": "later"}, ValueError, r"RUN-017\.1"),
    ({"send_commit": "later"}, ValueError, r"RUN-019\.1"),
    ({"commit": "step", "send_commit": "group"}, ValueError, r"RUN-019\.2"),
    ({"group_size": 0}, ValueError, r"RUN-017\.8, RUN-017\.2"),
    ({"group_bytes": 0}, ValueError, r"RUN-017\.10"),
    ({"max_steps": 0}, ValueError, r"RUN-018\.1"),
    ({"max_step_bytes": 0}, ValueError, r"RUN-022\.2"),
    ({"max_step_bytes": 2**53}, ValueError, r"RUN-022\.2"),
    ({"max_step_bytes": True}, TypeError, r"RUN-022\.2"),
    ({"max_run_bytes": 1.5}, TypeError, r"RUN-023\.2"),
    ({"max_run_bytes": -1}, ValueError, r"RUN-023\.2"),
    ({"max_core_bytes": 0}, ValueError, r"SBX-007\.7"),
    ({"max_core_bytes": 2**53}, ValueError, r"SBX-007\.7"),
    ({"max_core_bytes": False}, TypeError, r"SBX-007\.7"),
    ({"max_core_bytes": 0.5}, TypeError, r"SBX-007\.7"),
    ({"gather": -0.001}, ValueError, r"RUN-020\.8"),
    ({"gather": 60.001}, ValueError, r"RUN-020\.8"),
    ({"gather": float("nan")}, ValueError, r"RUN-020\.8"),
    ({"gather": float("inf")}, ValueError, r"RUN-020\.8"),
    ({"gather": True}, TypeError, r"RUN-020\.8"),
    ({"gather": "0.002"}, TypeError, r"RUN-020\.8"),
]


@pytest.mark.req("RUN-004.8", "RUN-005.1", "RUN-012.2", "RUN-017.1", "RUN-018.1", "RUN-022.2")
@pytest.mark.req("SBX-007.7", "RUN-020.8")
def test_the_defaults_are_the_runtimes() -> None:
    config = RuntimeConfig()
    assert (config.time_limit, config.attempts, config.first_backoff) == (
        TIME_LIMIT,
        ATTEMPTS,
        FIRST_BACKOFF,
    )
    assert (config.max_resident, config.idle_after) == (MAX_RESIDENT, IDLE_AFTER)
    assert (config.commit, config.group_size, config.group_bytes) == (
        COMMIT,
        GROUP_SIZE,
        GROUP_BYTES,
    )
    assert (config.max_steps, config.share, config.send_commit) == (MAX_STEPS, None, None)
    assert (config.max_step_bytes, config.max_run_bytes) == (MAX_STEP_BYTES, MAX_RUN_BYTES)
    assert config.max_core_bytes == MAX_CORE_BYTES == 64 * 2**20, (
        "a runtime's core limit is 64 MiB when it names none (SBX-007.7)"
    )
    assert config.gather == GATHER == 0.002, (
        "a runtime's gathering window is the stated 2 ms when it names none (RUN-020.8)"
    )
    assert Runtime(Store.memory()).config == config


@pytest.mark.req("RUN-020.8")
@pytest.mark.parametrize("seconds", [0, 0.0, 1e-9, 59.999, 60, 60.0])
def test_a_gathering_window_from_0_to_60_seconds_is_taken(seconds: float) -> None:
    """Both ends of the window's range, and just inside them (the refusals are in REFUSED)."""
    assert RuntimeConfig(gather=seconds).gather == seconds, (
        "RUN-020.8: a window from 0 (none) to 60 s is a setting the runtime takes"
    )
    assert Runtime(Store.memory(), gather=seconds).config.gather == seconds, (
        "RUN-020.8: a runtime takes the window as a keyword too"
    )


def test_the_config_is_frozen_and_a_value() -> None:
    config = RuntimeConfig(max_steps=7, share=Share(k=1, n=3))
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.max_steps = 8  # type: ignore[misc]
    assert config == RuntimeConfig(max_steps=7, share=Share(k=1, n=3))
    assert hash(config) == hash(RuntimeConfig(max_steps=7, share=Share(k=1, n=3)))


@pytest.mark.req("RUN-021")
def test_a_share_is_read_from_k_slash_n_written_in_ascii_digits_alone() -> None:
    """``--share K/N``: two runs of ASCII digits around a slash, then the share's own
    checks; text Python's int() would read too (a sign, spaces, other digits) is refused."""
    assert Share.parse("1/2") == Share(k=1, n=2)
    assert Share.parse("0/1") == Share(k=0, n=1)
    for text in ("+1/2", " 1/2", "1/ 2", "1/+2", "1_0/20", "١/٢", "1", "1/", "/2", "a/b", ""):
        with pytest.raises(ValueError, match="written K/N"):
            Share.parse(text)
    with pytest.raises(ValueError, match="n - 1"):
        Share.parse("3/2")  # written right, refused by the share's own check


@pytest.mark.req("RUN-017.1", "RUN-017.2", "RUN-018.1", "RUN-019.1", "RUN-022.2", "RUN-023.2")
@pytest.mark.req("SBX-007.7", "RUN-020.8")
@pytest.mark.parametrize(("settings", "error", "clause"), REFUSED)
def test_a_setting_the_runtime_refuses_cannot_be_held(
    settings: dict[str, typing.Any], error: type[Exception], clause: str
) -> None:
    """The same error and clause as a config, as keyword arguments, and on top of a config."""
    with pytest.raises(error, match=clause):
        RuntimeConfig(**settings)
    with pytest.raises(error, match=clause):
        Runtime(Store.memory(), **settings)
    with pytest.raises(error, match=clause):
        Runtime(Store.memory(), config=RuntimeConfig(), **settings)


@pytest.mark.req("RUN-019.1")
def test_the_send_commit_default_follows_the_commit_mode_and_the_share() -> None:
    assert RuntimeConfig().send_commit_mode == "group"
    assert RuntimeConfig(commit="step").send_commit_mode == "own"
    assert RuntimeConfig(share=Share(k=0, n=2)).send_commit_mode == "own"
    # the default is not written into the value: a config made from another stays valid
    assert dataclasses.replace(RuntimeConfig(), commit="step").send_commit_mode == "own"


@pytest.mark.req("RUN-018.1", "RUN-005.1", "RUN-004.3", "RUN-012.2", "RUN-021.1")
@pytest.mark.req("SBX-007.7")
def test_a_runtime_runs_on_the_config_it_is_given() -> None:
    share = Share(k=0, n=1)
    config = RuntimeConfig(
        time_limit=2.5,
        attempts=3,
        first_backoff=0.5,
        max_resident=9,
        idle_after=60.0,
        commit="step",
        max_steps=40,
        share=share,
        max_step_bytes=1000,
        max_run_bytes=5000,
        max_core_bytes=4097,
    )
    store = Store.memory()
    rt = Runtime(store, config=config)
    assert rt.config is config
    assert (rt.time_limit, rt.attempts, rt.first_backoff) == (2.5, 3, 0.5)
    assert (rt.max_resident, rt.idle_after, rt.max_steps, rt.share) == (9, 60.0, 40, share)
    assert (rt.commit, rt.send_commit) == ("step", "own")
    assert (rt.max_step_bytes, rt.max_run_bytes, rt.max_core_bytes) == (1000, 5000, 4097)
    # the keyword arguments build the same config, or change the one given
    settings = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)}
    assert Runtime(Store.memory(), **settings).config == config
    changed = Runtime(Store.memory(), config=config, max_steps=41).config
    assert changed == dataclasses.replace(config, max_steps=41)

    one = store.put_object(Blob(data=b"1"))  # the runtime runs what its config says

    async def go() -> None:
        actor = await rt.genesis(*test_actor_core("counter"))
        await rt.send(actor, one, {"mt": "inc"})
        report = await rt.run_until_quiescent()
        assert report.quiescent and len(report.steps) == 1  # one step reads both (WIT-008)
        assert rt.query(actor, "count").data == b"1"

    run(go())


@pytest.mark.req("RUN-018.1", "RUN-022.2", "RUN-023.2")
def test_a_setter_changes_the_config_and_refuses_what_it_refuses() -> None:
    rt = Runtime(Store.memory())
    rt.max_steps = 12
    rt.time_limit = 1.5
    rt.max_run_bytes = 4096
    assert rt.config == RuntimeConfig(max_steps=12, time_limit=1.5, max_run_bytes=4096)
    with pytest.raises(ValueError, match=r"RUN-018\.1"):
        rt.max_steps = 0
    with pytest.raises(TypeError, match=r"RUN-022\.2"):
        rt.max_step_bytes = 1.5  # type: ignore[assignment]
    assert (rt.max_steps, rt.max_step_bytes) == (12, MAX_STEP_BYTES)  # nothing changed
    assert rt.config.max_steps == 12


def test_the_keyword_arguments_are_the_configs_fields() -> None:
    """``RuntimeSettings`` types the keyword door; it names the config's fields, no more."""
    fields = {f.name for f in dataclasses.fields(RuntimeConfig)}
    assert set(typing.get_type_hints(RuntimeSettings)) == fields
    assert set(SchedulerParts.__dataclass_fields__) == {
        "store",
        "bounds",
        "residents",
        "hints",
        "time_bound",
        "routing",
        "commits",
        "transitions",
    }


@pytest.mark.req("RUN-006")
def test_the_runs_are_wired_once() -> None:
    rt = Runtime(Store.memory())
    runs = rt._scheduler
    parts = SchedulerParts(
        store=rt._store,
        bounds=rt._bounds,
        residents=rt._residents,
        hints=rt._hints,
        time_bound=rt._time_bound,
        routing=rt._routing,
        commits=rt._commits,
        transitions=rt._transitions,
    )
    with pytest.raises(RuntimeError, match="wired once"):
        runs.wire(parts)
