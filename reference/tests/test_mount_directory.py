"""``gritwit sandbox run --mount DIR``: a host directory read into a core, its budget at
the core limit exactly (SBX-007.3, SBX-004.2).

A reference test, not a suite test: :func:`~gritwit.sandbox._mount.read_directory` reads a
host directory only for the command line (``sandbox run --mount``, ``sandbox actor``); the
adapter's ``sandbox-run`` mounts a tree of objects (ADP-019, SBX-004.1), so no adapter
command reaches it and the mutation tool lists its mutants unobservable through the
protocol (``conformance/mutation/equivalent-sandbox.toml``).  Mutant m-4821063281
(``budget < 0`` → ``budget < 1``: files summing to exactly the limit refused) is killed
here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from gritwit._codec import object_id
from gritwit._errors import OutputTooLarge
from gritwit._objects import Blob, Tree
from gritwit.sandbox._mount import Mounted, read_directory, unmount_tree
from gritwit.sandbox.wasi._fs import Directory, File
from gritwit.store import Store


def _files(top: Path) -> Tree:
    """Two files in two directories, 600 + 400 bytes; the tree they are."""
    (top / "sub").mkdir()
    (top / "a").write_bytes(b"a" * 600)
    (top / "sub" / "b").write_bytes(b"b" * 400)
    sub = Tree(entries={"b": object_id(Blob(data=b"b" * 400))})
    return Tree(entries={"a": object_id(Blob(data=b"a" * 600)), "sub": object_id(sub)})


@pytest.mark.req("SBX-007.3", "SBX-004.2")
def test_files_summing_to_the_core_limit_are_read_one_byte_less_fails(tmp_path: Path) -> None:
    """Files whose sizes sum to exactly ``max_bytes`` are within the core limit and read
    into their tree; with a limit one byte less the same files fail ``output-too-large``
    (SBX-007.3), and nothing is returned."""
    want = _files(tmp_path)
    with Store.memory() as store:
        assert read_directory(store, tmp_path, {}, 1000) == object_id(want), (
            "1 000 bytes of files under a core limit of 1 000 are within it (SBX-007.3)"
        )
        assert store.get_object(object_id(want)) == want
        with pytest.raises(OutputTooLarge) as info:
            read_directory(store, tmp_path, {}, 999)
        assert info.value.requirement == "SBX-007.3"


@pytest.mark.req("SBX-007.3", "SBX-004.2")
def test_an_empty_file_fits_a_core_limit_of_zero(tmp_path: Path) -> None:
    """An empty file adds no bytes: a core limit of 0 holds it, a 1-byte file does not."""
    (tmp_path / "e").write_bytes(b"")
    with Store.memory() as store:
        want = Tree(entries={"e": object_id(Blob(data=b""))})
        assert read_directory(store, tmp_path, {}, 0) == object_id(want)
        (tmp_path / "f").write_bytes(b"f")
        with pytest.raises(OutputTooLarge):
            read_directory(store, tmp_path, {}, 0)


@pytest.mark.req("SBX-007.6", "SBX-007.3")
def test_a_file_one_object_cannot_hold_is_named_by_its_path_under_core(tmp_path: Path) -> None:
    """A file a run leaves within the core limit whose blob would be larger than one object
    holds (its encoding past 16 MiB, ENC-013) fails the read-back ``output-too-large``
    (SBX-007.6), and the message names that file by its path under ``/core``, ``sub/big``,
    not the core's root."""
    big = File(data=b"\0" * (16 << 20))  # a blob of 16 MiB: its encoding is past 16 MiB
    core = Directory(entries={"a": File(data=b"a"), "sub": Directory(entries={"big": big})})
    with Store.open(tmp_path / "store") as store, pytest.raises(OutputTooLarge) as raised:
        unmount_tree(store, core, Mounted(), 64 << 20)
    message = str(raised.value)
    assert "SBX-007.6" in message, f"the refusal names SBX-007.6: {message}"
    assert "'sub/big'" in message, f"SBX-007.6's refusal names the file by its path: {message}"


@pytest.mark.req("SBX-007.6", "SBX-007.3")
def test_a_mounted_host_file_one_object_cannot_hold_is_refused_by_its_path(tmp_path: Path) -> None:
    """The same from a host directory read into a core (``sandbox run --mount``): a file
    within the core limit whose blob would be past 16 MiB is ``output-too-large``
    (SBX-007.6) naming ``sub/big``, not the store's ``too-large`` of an object (ENC-013)."""
    top = tmp_path / "core"
    (top / "sub").mkdir(parents=True)
    (top / "a").write_bytes(b"a")
    (top / "sub" / "big").write_bytes(b"\0" * (16 << 20))
    with Store.open(tmp_path / "store") as store, pytest.raises(OutputTooLarge) as raised:
        read_directory(store, top, {}, 64 << 20)
    message = str(raised.value)
    assert "SBX-007.6" in message, f"the refusal names SBX-007.6: {message}"
    assert "'sub/big'" in message, f"SBX-007.6's refusal names the file by its path: {message}"
