"""Inode numbers through a descriptor opened more than one level down (SBX-005.11, SBX-005.33).

A directory's or file's inode is N of its normalised absolute path, the one by which it was
reached: for a descriptor, the path it was opened at, whatever the descriptor that path
started from.  A host that carries an inode number on from the descriptor a path starts
from (SBX-006.14) must carry the whole way: a descriptor opened at ``a/b`` from ``/core``
is ``/core/a/b``, not ``a/b`` nor ``/core/b``.  The tests of ``test_wasi_boundaries.py``
and ``test_file_access.py`` open descriptors one level down only, where a host that drops
the levels between two descriptors still answers right.
"""

from __future__ import annotations

import hashlib

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from ._clauses import _stdout

pytestmark = pytest.mark.profile("sandbox")


def _number(path: str) -> int:
    """N(p) of SBX-005.11, computed here from the formula."""
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "little") & ((1 << 63) - 1)


#: ``fd`` a descriptor of ``/core/a/b`` opened from ``/core`` through a path of two
#: components, ``deep`` one of ``/core/a/b/c/d`` opened from ``fd``; what each reads.
PROGRAM = (
    "import os\n"
    "os.makedirs('/core/a/b/c/d')\n"
    "open('/core/a/b/f', 'w').write('f')\n"
    "fd = os.open('a/b', os.O_RDONLY, dir_fd=3)\n"
    "deep = os.open('c/d', os.O_RDONLY, dir_fd=fd)\n"
    "f = os.open('f', os.O_RDONLY, dir_fd=fd)\n"
    "print('fd', os.fstat(fd).st_ino)\n"
    "print('deep', os.fstat(deep).st_ino)\n"
    "print('file', os.fstat(f).st_ino)\n"
    "print('stat', os.stat('c', dir_fd=fd).st_ino)\n"
    "print('up', os.stat('c/d/..', dir_fd=fd).st_ino)\n"
)


@pytest.mark.req("SBX-005.7", "SBX-005.11", "SBX-005.33")
def test_a_descriptor_two_levels_down_reads_the_inode_of_its_whole_path(
    impl: Implementation,
) -> None:
    """Each inode is N of the whole path from ``/core``, through both descriptors."""
    expected = [
        f"fd {_number('/core/a/b')}",
        f"deep {_number('/core/a/b/c/d')}",
        f"file {_number('/core/a/b/f')}",
        f"stat {_number('/core/a/b/c')}",
        f"up {_number('/core/a/b/c')}",
    ]
    got = _stdout(impl, PROGRAM).splitlines()
    check_equal(
        ("SBX-005.11", "SBX-005.33"),
        expected,
        got,
        "the inodes a program reads through a descriptor of /core/a/b opened from /core and "
        "one of /core/a/b/c/d opened from it: N of each whole normalised path (fstat of each "
        "descriptor, of a file opened through the first, and stats relative to it)",
    )
