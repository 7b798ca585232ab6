"""A core's bound at import (SBX-006.18).

SBX-006.17 refuses, where a core enters, a ``python-wasi`` core its runs could not mount
(SBX-006.15's 2**18 entries, SBX-006.16's bytes): at a genesis and at an update.  An
imported head's core enters too, so an import refuses one → ``too-large``, importing
nothing, after RUN-009.2's checks and before RUN-009.4's head read.  Every import entry
goes through the runtime's check: the runtime's own :meth:`Runtime.import_bundle`, the
service's ``POST /v1/bundles`` (400) and ``gritwit actor import`` (exit status 1).

The bundles are made here by hand: a head step whose core is a ``wit`` blob beside 1 023
directories of 255 files and one of 254 (2**18 - 1 entries over 4 distinct objects), plus
``extra`` files; expected answers follow from the clause's count, never from the code.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit import Blob, ObjectId, Step, Store, Tree, encode_object, encode_value, object_id
from gritwit._commands import main
from gritwit._errors import GritError, TooLarge
from gritwit._objects import GritObject
from gritwit.runtime import BUNDLE_FORMAT, Runtime, import_bundle
from gritwit.store import head_ref

BOUND = 2**18
LEAF = Blob(data=b"x")
#: A python-wasi ``wit`` blob (SBX-001): only its ``runtime`` header matters to the bound.
WIT = Blob(
    data=b"print(1)\n",
    headers={"runtime": "python-wasi", "sandbox": "1", "interpreter": "ab" * 32},
)
#: The test actor ``counter`` (WIT-020): no runner bounds its cores.
COUNTER = Blob(data=b"counter")


def _bundle(extra: int, wit: Blob = WIT, *, drop: int | None = None) -> tuple[bytes, list[bytes]]:
    """A bundle whose head's core mounts 2**18 - 1 + ``extra`` entries, and its objects;
    ``drop``: leave the object at that place out (a bundle RUN-009.2 refuses)."""
    full = Tree(entries={f"f{i}": object_id(LEAF) for i in range(255)})
    short = Tree(entries={f"f{i}": object_id(LEAF) for i in range(254)})
    entries = {f"d{i:04}": object_id(full) for i in range(1023)}
    entries["d1023"] = object_id(short)
    entries.update({f"z{i}": object_id(LEAF) for i in range(extra)})
    assert BOUND - 1 == 1023 * 256 + 255  # 1 024 directories, 1023 * 255 + 254 files
    core = Tree(entries={**entries, "wit": object_id(wit)})
    step = Step(actor=object_id(core), core=object_id(core))
    objects: list[GritObject] = [LEAF, full, short, wit, core, step]
    encoded = sorted((encode_object(o) for o in objects), key=lambda b: object_id_of(b).digest)
    if drop is not None:
        encoded.pop(drop)
    value = [BUNDLE_FORMAT, object_id(core).hex(), object_id(step).hex(), encoded]
    return encode_value(value), encoded  # type: ignore[arg-type]


def object_id_of(data: bytes) -> ObjectId:
    import blake3

    return ObjectId(blake3.blake3(data).digest())


def _stored(store: Store, encoded: list[bytes]) -> list[bytes]:
    return [item for item in encoded if store.has(object_id_of(item))]


@pytest.mark.req("SBX-006.18", "SBX-006.15", "RUN-009.3")
@pytest.mark.parametrize("extra", [0, 1, 2, 3])
def test_a_head_core_at_the_bound_is_imported_and_one_past_it_is_not(extra: int) -> None:
    """2**18 - 1 and 2**18 entries are imported; 2**18 + 1 and + 2 fail ``too-large``
    naming SBX-006.18, with no object and no head stored."""
    data, encoded = _bundle(extra)
    with Store.memory() as store:
        runtime = Runtime(store)
        if BOUND - 1 + extra <= BOUND:
            actor, head = runtime.import_bundle(data)
            assert store.get_ref(head_ref(actor)) == head
            assert len(_stored(store, encoded)) == len(encoded)
        else:
            with pytest.raises(TooLarge) as caught:
                runtime.import_bundle(data)
            assert "SBX-006.18" in str(caught.value) and caught.value.error_class == "too-large"
            assert _stored(store, encoded) == [], "a refused import stores nothing (RUN-009.3)"
            assert store.get_ref(head_ref(ObjectId.from_hex(_actor_hex(data)))) is None


@pytest.mark.req("SBX-006.18", "SBX-006.16")
def test_the_bytes_bound_at_import_is_the_importing_runtimes() -> None:
    """Under a core limit of 1 000 bytes, a head core whose file holds 1 000 bytes is
    imported and one of 1 001 is refused: the check is the runtime's own (SBX-006.17's)."""
    from gritwit.sandbox import SandboxLimits, SandboxWits
    from gritwit.wit import Executor

    for size, imported in ((1000, True), (1001, False)):
        blob = Blob(data=b"s" * size)
        core = Tree(entries={"s": object_id(blob), "wit": object_id(WIT)})
        step = Step(actor=object_id(core), core=object_id(core))
        encoded = sorted(
            (encode_object(o) for o in (blob, WIT, core, step)),
            key=lambda b: object_id_of(b).digest,
        )
        data = encode_value([BUNDLE_FORMAT, object_id(core).hex(), object_id(step).hex(), encoded])
        with Store.memory() as store:
            executor = Executor(store, sandbox=SandboxWits(SandboxLimits(core_bytes=1000)))
            if imported:
                import_bundle(store, data, bound=executor.bound_core)
                assert store.get_ref(head_ref(object_id(core))) == object_id(step)
            else:
                with pytest.raises(TooLarge, match=r"SBX-006\.18"):
                    import_bundle(store, data, bound=executor.bound_core)
                assert _stored(store, encoded) == []


@pytest.mark.req("SBX-006.18", "RUN-009.4", "RUN-009.6")
def test_the_bound_comes_after_the_bundles_checks_and_before_the_head() -> None:
    """A bundle past the bound with an object missing is ``not-found`` (RUN-009.2 first);
    one whose actor has another head here is ``too-large``, not ``ref-conflict``."""
    data, encoded = _bundle(2, drop=0)
    with Store.memory() as store:
        with pytest.raises(GritError) as caught:
            Runtime(store).import_bundle(data)
        assert caught.value.error_class == "not-found", caught.value
    data, encoded = _bundle(2)
    with Store.memory() as store:
        actor = ObjectId.from_hex(_actor_hex(data))
        blob = Blob(data=b"other")
        core = Tree(entries={"o": store.put_object(blob)})
        other = store.put_object(Step(actor=actor, core=store.put_object(core)))
        store.cas_ref(head_ref(actor), None, other)
        with pytest.raises(TooLarge, match=r"SBX-006\.18"):
            Runtime(store).import_bundle(data)
        assert _stored(store, encoded) == [] and store.get_ref(head_ref(actor)) == other


def _actor_hex(data: bytes) -> str:
    from gritwit import decode_value

    value = decode_value(data)
    assert isinstance(value, list) and isinstance(value[1], str)
    return value[1]


@pytest.mark.req("SBX-006.18")
def test_a_core_no_runner_bounds_is_imported_whatever_its_size() -> None:
    """A test actor's core (WIT-020) of 2**18 + 2 entries is imported: SBX-006.18 bounds
    the cores a ``python-wasi`` run mounts, and no other; and a store-only import (no
    ``bound``) takes the python-wasi one, running nothing."""
    data, encoded = _bundle(3, COUNTER)
    with Store.memory() as store:
        Runtime(store).import_bundle(data)
        assert len(_stored(store, encoded)) == len(encoded)
    data, encoded = _bundle(3)
    with Store.memory() as store:
        import_bundle(store, data)
        assert len(_stored(store, encoded)) == len(encoded)


@pytest.mark.req("SBX-006.18", "HTTP-010.2", "HTTP-003.2")
def test_post_bundles_refuses_a_head_core_past_the_bound_400_too_large(tmp_path: Path) -> None:
    from serve_helpers import error_of, serving

    headers = {"content-type": "application/vnd.gritwit.bundle"}
    with serving(tmp_path / "s") as served:
        data, _ = _bundle(2)
        refused = served.client.post("/v1/bundles", content=data, headers=headers)
        error = error_of(refused, 400, "too-large")
        assert "SBX-006.18" in error["message"]
        actor = _actor_hex(data)
        error_of(served.client.get(f"/v1/refs/heads/{actor}"), 404, "not-found")
        data, _ = _bundle(1)
        imported = served.client.post("/v1/bundles", content=data, headers=headers)
        assert imported.status_code == 200, imported.text


@pytest.mark.req("SBX-006.18", "RUN-009.3")
def test_actor_import_refuses_a_head_core_past_the_bound_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = str(tmp_path / "store")
    past, at = tmp_path / "past.bundle", tmp_path / "at.bundle"
    past.write_bytes(_bundle(2)[0])
    at.write_bytes(_bundle(1)[0])
    status = main(["actor", "import", "--store", store, "--create", str(past)])
    out, err = capsys.readouterr()
    assert status == 1 and out == "", (status, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "SBX-006.18" in lines[0] and "too-large" in lines[0], err
    with Store.open(store) as opened:
        assert opened.get_ref(head_ref(ObjectId.from_hex(_actor_hex(_bundle(2)[0])))) is None
    status = main(["actor", "import", "--store", store, str(at)])
    out, err = capsys.readouterr()
    assert status == 0 and out.split()[0] == _actor_hex(_bundle(1)[0]), err
