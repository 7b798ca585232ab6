"""``gritwit actor create --placement ACTOR``: a placed genesis from the command line.

ACTOR is read as every command's ACTOR is (RUN-026.4): an id as given, a name resolved
in the store. The genesis carries the header ``placement`` naming that actor's id
(RUN-021.7), which a run records as ``names/placement/<actor>`` (RUN-021.8). Expected
ids are built by hand from the clauses: the outside's first message to the new actor,
with no ``previous`` (WIT-012.1, WIT-004).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gritwit import Message, ObjectId, Store, object_id
from gritwit._commands import main
from gritwit.runtime import Runtime, placement_ref
from gritwit.wit import actor_known, test_actor_core


def gritwit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out = capsys.readouterr()
    return status, out.out, out.err


def _counter() -> ObjectId:
    core, _ = test_actor_core("counter")
    return object_id(core)


def _genesis(actor: ObjectId, placement: ObjectId | None) -> ObjectId:
    headers = {"mt": "genesis"}
    if placement is not None:
        headers["placement"] = placement.hex()
    return object_id(Message(content=actor, headers=headers, previous=None))


def _record(store_dir: Path, actor: ObjectId) -> ObjectId | None:
    """Run the store to quiescence; then the target of the actor's placement record."""
    with Store.open(store_dir) as store:
        assert asyncio.run(Runtime(store).run_until_quiescent()).quiescent
        return store.get_ref(placement_ref(actor))


@pytest.mark.req("RUN-021.7", "RUN-021.8", "RUN-026.4")
def test_placement_by_name_and_by_id_and_none(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = str(tmp_path / "store")
    status, home, err = gritwit(
        capsys, "actor", "create", "--store", store, "--create", "--test", "echo"
    )
    assert status == 0, err
    home_id = ObjectId.from_hex(home.strip())
    assert gritwit(capsys, "actor", "name", "--store", store, "home", home_id.hex())[0] == 0
    status, out, err = gritwit(
        capsys, "actor", "create", "--store", store, "--test", "counter", "--placement", "home"
    )
    assert status == 0, err
    actor = _counter()
    assert out.strip() == actor.hex()
    assert _record(tmp_path / "store", actor) == _genesis(actor, home_id)
    elsewhere = ObjectId.from_hex("cd" * 32)  # an id is taken as given (RUN-026.4)
    status, out, err = gritwit(
        capsys,
        "actor",
        "create",
        "--store",
        store,
        "--test",
        "counter",
        "--data",
        "n=1",
        "--placement",
        elsewhere.hex(),
    )
    assert status == 0, err
    other = ObjectId.from_hex(out.strip())
    assert _record(tmp_path / "store", other) == _genesis(other, elsewhere)
    status, out, err = gritwit(
        capsys, "actor", "create", "--store", store, "--test", "counter", "--data", "n=2"
    )
    assert status == 0, err
    assert _record(tmp_path / "store", ObjectId.from_hex(out.strip())) is None


@pytest.mark.req("RUN-021.9", "RUN-021.7")
def test_an_existing_actor_keeps_its_placement(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store, first = str(tmp_path / "store"), ObjectId.from_hex("cd" * 32)
    argv = ("actor", "create", "--store", store, "--create", "--test", "counter", "--placement")
    assert gritwit(capsys, *argv, first.hex())[0] == 0
    actor = _counter()
    assert _record(tmp_path / "store", actor) == _genesis(actor, first)
    status, out, err = gritwit(capsys, *argv, "ef" * 32)
    assert status == 0 and out.strip() == actor.hex(), err
    assert "already exists" in err and "placement is unchanged" in err
    assert _record(tmp_path / "store", actor) == _genesis(actor, first)


@pytest.mark.parametrize("text", ["nobody", "Home", "CD" * 32, "cd" * 32 + "c", ""])
@pytest.mark.req("RUN-026.4", "RUN-026.1")
def test_a_placement_that_names_no_actor_is_refused_sending_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str
) -> None:
    store = str(tmp_path / "store")
    argv = ("actor", "create", "--store", store, "--create", "--test", "counter")
    status, out, err = gritwit(capsys, *argv, "--placement", text)
    assert status == 2, err  # bad input: an unknown actor (the epilog's status 2)
    assert out == "" and len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert "RUN-026" in err, err
    with Store.open(tmp_path / "store") as opened:
        assert not actor_known(opened, _counter())  # nothing was sent
