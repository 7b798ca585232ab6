"""Files as a program meets them (SBX-004.6, SBX-005.7 … SBX-005.13, SBX-007.3 … SBX-007.5,
SBX-008.2): what it reads comes from the path alone, paths out of a preopen and
links end the run, input is read-only, writes are counted when made, POSIX behaviour.
Helpers: :mod:`._clauses`.
"""

from __future__ import annotations

import hashlib

import pytest

from gritwit_conformance.harness._implementation import Implementation

from .._check import check_equal
from ._clauses import _class, _stdout
from ._runs import check_class

pytestmark = pytest.mark.profile("sandbox")

FIXED_TIME = 946_684_800


def _number(path: str) -> int:
    """N(p) of SBX-005.11, computed here from the formula."""
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "little") & ((1 << 63) - 1)


@pytest.mark.req("SBX-005.7", "SBX-005.11", "SBX-005.12", "SBX-005.13")
def test_what_a_program_reads_about_files_comes_from_the_path_alone(
    impl: Implementation,
) -> None:
    program = (
        "import os\n"
        "for name in ('b', 'a', 'C', '\\u00e9', '_', 'a0'):\n"
        "    open(name, 'w').write(name)\n"
        "os.mkdir('d')\n"
        "open('d/x', 'w').write('xx')\n"
        "os.utime('a', (5, 6))\n"
        "print(os.listdir('.'))\n"
        "print([(e.name, e.inode()) for e in os.scandir('.')])\n"
        "for p in ('a', 'd', 'd/x', '/input/main.py'):\n"
        "    s = os.stat(p)\n"
        "    print(p, s.st_dev, s.st_ino, s.st_nlink, s.st_size if p != 'd' else 0,\n"
        "          s.st_atime_ns, s.st_mtime_ns, s.st_ctime_ns)\n"
        "print(os.stat('d').st_size)\n"
    )
    names = sorted(["b", "a", "C", "é", "_", "a0", "d"], key=lambda n: n.encode())
    fixed = FIXED_TIME * 10**9
    lines = [
        repr(names),
        repr([(n, _number(f"/core/{n}")) for n in names]),
        f"a {_number('/core')} {_number('/core/a')} 1 1 {fixed} {fixed} {fixed}",
        f"d {_number('/core')} {_number('/core/d')} 1 0 {fixed} {fixed} {fixed}",
        f"d/x {_number('/core')} {_number('/core/d/x')} 1 2 {fixed} {fixed} {fixed}",
        f"/input/main.py {_number('/input')} {_number('/input/main.py')} 1 {len(program)} "
        f"{fixed} {fixed} {fixed}",
        "0",
    ]
    got = _stdout(impl, program).splitlines()
    check_equal(
        ("SBX-005.7", "SBX-005.11", "SBX-005.12", "SBX-005.13"),
        lines,
        got,
        "the program's lines: listings in UTF-8 byte order, device and inode from the path, "
        "link count 1, the fixed time, set_times a no-op",
    )


@pytest.mark.req("SBX-005.8", "SBX-008.2")
@pytest.mark.parametrize(
    "attempt",
    ["open('../input/main.py').read()", "os.listdir('..')", "os.stat('d/../../out')"],
)
@pytest.mark.req("CONV-004")
def test_a_path_out_of_its_preopen_ends_the_run(impl: Implementation, attempt: str) -> None:
    program = (
        f"import os\nos.mkdir('d')\ntry:\n    {attempt}\nexcept OSError:\n    pass\nprint(1)\n"
    )
    check_class(
        ("SBX-005.8", "SBX-008.2"),
        "forbidden-operation",
        _class(impl, program),
        f"{attempt}, caught: a path above its preopen ends the run",
    )


@pytest.mark.req("SBX-005.9")
def test_input_is_read_only_and_the_run_goes_on(impl: Implementation) -> None:
    program = (
        "import errno, os\n"
        "def code(f, *a):\n"
        "    try:\n"
        "        f(*a)\n"
        "        return 'done'\n"
        "    except OSError as e:\n"
        "        return errno.errorcode.get(e.errno, e.errno)\n"
        "print(code(open, '/input/new', 'w'), code(open, '/input/main.py', 'w'),\n"
        "      code(open, '/input/main.py', 'a'), code(os.remove, '/input/main.py'),\n"
        "      code(os.mkdir, '/input/d'), code(os.rename, '/input/main.py', '/input/m'),\n"
        "      code(os.rename, '/input/main.py', '/core/m'))\n"
        "print(open('/input/main.py').read() == open('/input/main.py').read())\n"
    )
    check_equal(
        "SBX-005.9",
        "EROFS EROFS EROFS EROFS EROFS EROFS EXDEV\nTrue\n",
        _stdout(impl, program),
        "the stdout of changes to /input: each refused with EROFS, a rename across preopens "
        "with EXDEV, and the run goes on",
    )


@pytest.mark.req("SBX-004.6", "SBX-004.4", "SBX-008.2")
@pytest.mark.parametrize(
    "attempt", ["os.symlink('a', 'b')", "os.link('a', 'b')", "os.symlink('a', '/out/b')"]
)
@pytest.mark.req("CONV-004")
def test_making_a_link_ends_the_run(impl: Implementation, attempt: str) -> None:
    program = f"import os\nopen('a', 'w').write('1')\ntry:\n    {attempt}\nexcept OSError:\n"
    program += "    pass\nprint(1)\n"
    check_class(
        ("SBX-004.6", "SBX-008.2"),
        "forbidden-operation",
        _class(impl, program),
        f"{attempt}, caught: making a link ends the run",
    )


@pytest.mark.req("SBX-004.6")
def test_readlink_fails_with_einval_and_the_run_goes_on(impl: Implementation) -> None:
    program = (
        "import errno, os\nopen('a', 'w').write('1')\n"
        "for p in ('a', '/input/main.py', '.'):\n"
        "    try:\n        os.readlink(p)\n    except OSError as e:\n"
        "        print(errno.errorcode.get(e.errno))\n"
    )
    check_equal(
        "SBX-004.6",
        "EINVAL\nEINVAL\nEINVAL\n",
        _stdout(impl, program),
        "the errors of os.readlink of a file, /input/main.py and '.', and the run goes on",
    )


# --- limits (SBX-006, SBX-007) ------------------------------------------------------------


@pytest.mark.req("SBX-007.4", "SBX-007.5", "SBX-007.3")
@pytest.mark.inputs("largest", "past-largest")
@pytest.mark.parametrize(
    ("writes", "error"),
    [
        # exactly the budget (core 1000 + sends 24), then shrunk: passes
        ("os.write(fd, bytes(1024))\nos.ftruncate(fd, 10)", None),
        ("os.write(fd, bytes(1000))\nos.write(fd, bytes(24))\nos.ftruncate(fd, 10)", None),
        # one byte more, removed afterwards: the write itself fails the run
        ("os.write(fd, bytes(1025))", "output-too-large"),
        ("os.write(fd, bytes(1000))\nos.write(fd, bytes(25))", "output-too-large"),
        # rewriting counts again; shrinking gives nothing back
        ("os.write(fd, bytes(600))\nos.lseek(fd, 0, 0)\nos.write(fd, bytes(600))",
         "output-too-large"),
        ("os.write(fd, bytes(600))\nos.ftruncate(fd, 0)\nos.write(fd, bytes(600))",
         "output-too-large"),
        # a gap counts, and so does growing a file
        ("os.lseek(fd, 1024, 0)\nos.write(fd, b'x')", "output-too-large"),
        ("os.lseek(fd, 1023, 0)\nos.write(fd, b'x')\nos.ftruncate(fd, 10)", None),
        ("os.ftruncate(fd, 1025)", "output-too-large"),
        ("os.ftruncate(fd, 1024)\nos.ftruncate(fd, 10)", None),
    ],
    ids=lambda value: str(value).replace("\n", "; ")[:60],
)  # fmt: skip
@pytest.mark.req("CONV-004")
def test_writes_are_counted_when_made(impl: Implementation, writes: str, error: str | None) -> None:
    body = "\n".join("    " + line for line in writes.splitlines())
    program = (
        "import os\nfd = os.open('big', os.O_CREAT | os.O_RDWR)\ntry:\n"
        f"{body}\nexcept OSError as e:\n    print(e)\nos.close(fd)\nos.remove('big')\n"
    )
    got = _class(impl, program, limits={"core": 1000, "sends": 24})
    check_class(
        ("SBX-007.4", "SBX-007.5"),
        error,
        got,
        f"writes {writes!r} with a write budget of 1024 bytes (counted at each write, also of "
        "files later removed; gaps and growth count, shrinking gives nothing back, exactly "
        "the budget passes)",
    )


#: File operations through descriptors, with what POSIX (and WASI preview 1) answers.
FILE_OPERATIONS = """\
import errno, os, sys
def code(f, *a):
    try:
        r = f(*a)
        return 'ok' if r is None else r
    except OSError as e:
        return errno.errorcode.get(e.errno, e.errno)
fd = os.open('f', os.O_CREAT | os.O_RDWR)
print(os.write(fd, b'ab'), os.write(fd, b'cd'), os.lseek(fd, 0, os.SEEK_CUR))
print(os.lseek(fd, 1, os.SEEK_SET), os.read(fd, 10), os.lseek(fd, -1, os.SEEK_END))
print(os.pwrite(fd, b'XY', 1), os.pread(fd, 3, 2), os.lseek(fd, 0, os.SEEK_CUR))
print(code(os.lseek, fd, -10, os.SEEK_SET), os.fstat(fd).st_size)
os.ftruncate(fd, 2); print(os.pread(fd, 10, 0), os.fstat(fd).st_size)
os.close(fd)
print(code(os.close, fd), code(os.read, fd, 1), code(os.fstat, fd))
a = os.open('f', os.O_WRONLY | os.O_APPEND)
print(os.write(a, b'zz'), code(os.read, a, 1)); os.close(a)
r = os.open('f', os.O_RDONLY)
print(code(os.write, r, b'q'), os.read(r, 10)); os.close(r)
print(code(os.write, 0, b'x'), code(os.read, 1, 1), repr(os.read(0, 5)))
print(code(os.open, 'nope', os.O_RDONLY), code(os.open, 'f', os.O_CREAT | os.O_EXCL | os.O_WRONLY))
print(code(os.open, 'f/', os.O_RDONLY), code(os.mkdir, 'f'), code(os.rmdir, 'f'),
      code(os.remove, '.'))
os.mkdir('d'); open('d/x', 'w').write('1')
print(code(os.rmdir, 'd'), code(os.open, 'd', os.O_WRONLY), code(os.rename, 'd', 'd/sub'))
print(code(os.rename, 'f', 'd'), code(os.rename, 'd', 'f'), code(os.rename, 'f', 'g'),
      sorted(os.listdir('.')))
print(open('g').read(), os.path.isdir('d'), os.path.isfile('d'), os.stat('d').st_size)
print(sorted(os.listdir('/out')))
os.mkdir('many')
for i in range(300):
    open('many/%03d-%s' % (299 - i, 'x' * 40), 'w').close()
names = os.listdir('many')
print(len(names), names == sorted(names), len(set(names)))
print(code(os.rename, '.', 'x'), code(open, bytes([255]), 'w'), code(os.mkdir, 'a' * 256))
"""
FILE_ANSWERS = """\
2 2 4
1 b'bcd' 3
2 b'Yd' 3
EINVAL 4
b'aX' 2
EBADF EBADF EBADF
2 EBADF
EBADF b'aXzz'
EBADF EBADF b''
ENOENT EEXIST
ENOTDIR EEXIST ENOTDIR EISDIR
ENOTEMPTY EISDIR EINVAL
EISDIR ENOTDIR ok ['d', 'g']
aXzz True False 0
[]
300 True 300
EBUSY EILSEQ ENAMETOOLONG
"""


@pytest.mark.req("SBX-004.1", "SBX-005.10", "SBX-005.13")
@pytest.mark.inputs("ascii")
def test_files_behave_as_posix_says(impl: Implementation) -> None:
    """Writes, reads, seeks, positional I/O, truncation, append, closed and wrong-mode
    descriptors, standard streams, the errors of open, mkdir, rmdir, rename, and a listing
    longer than one fd_readdir buffer (its cookies, SBX-005.13)."""
    got = _stdout(impl, FILE_OPERATIONS).splitlines()
    check_equal(
        ("SBX-004.1", "SBX-005.10"),
        FILE_ANSWERS.splitlines(),
        got,
        "the lines of the file operations: the mount is a file system, descriptors as WASI says",
    )
