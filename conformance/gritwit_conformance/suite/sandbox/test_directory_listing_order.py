"""Directory listings in UTF-8 byte order, for names of every text class.

SBX-005.13 (and SBX-005.7): ``fd_readdir`` lists a directory's entries "in ascending order
of their names' UTF-8 bytes", the cookie after position i being i + 1.  A host that sorts
with its language's string comparison orders by UTF-16 code units (a name in
U+E000–U+FFFF after one above U+FFFF), one that folds case puts ``a`` before ``Z``, one
that compares C ``char`` puts every non-ASCII name before ASCII, one that lists a mounted
tree as the tree stores it gives the canonical order of ENC-010 (shorter names first), and
one that lists in creation order or directories first gives neither.  So the listings here
— ``os.listdir`` and ``os.scandir`` (with each entry's inode, SBX-005.11, and type) — hold
names of every valid text class (ASCII, mixed case, the BMP with U+E000–U+FFFF, astral),
created in an order other than the expected one, files and directories mixed, in:

* directories a program makes under ``/core``, one per wrong order, a large one that takes
  more than one ``fd_readdir`` buffer (its cookies), and an empty one;
* a ``/core`` mounted from a tree the test builds, nested trees included;
* a ``/core`` mounted from the core another run wrote (the tree a program left);
* random sets of names (hypothesis) whose order differs under some wrong rule.

The expected order is computed here: the names sorted by their UTF-8 bytes.
"""

from __future__ import annotations

import ast
import hashlib
import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._properties import properties

from .._check import check_equal, ok_answer, suite_premise
from ._runs import build, encodings, returned_objects

pytestmark = pytest.mark.profile("sandbox")

run = properties(20)

#: The text classes a file name can hold (valid text, no NUL, not empty).
CLASSES = ("ascii", "mixed-case", "bmp", "astral")
#: Every wrong order a listing of valid names can be told apart from UTF-8 byte order by.
WRONG_ORDERS = tc.wrong_rules("utf8")
suite_premise(
    set(WRONG_ORDERS)
    == {
        "canonical",
        "utf16",
        "casefold",
        "signed-bytes",
        "length-first-codepoints",
        "length-first-utf16",
        "canonical-utf16",
        "canonical-casefold",
        "canonical-signed-bytes",
    },
    "the inputs markers below name these rules: update them",
)


def utf8_order(names: Sequence[str]) -> list[str]:
    """SBX-005.13's order, computed here."""
    return sorted(names, key=lambda n: n.encode("utf-8"))


def _number(path: str) -> int:
    """N(p) of SBX-005.11."""
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "little") & ((1 << 63) - 1)


#: The listing part of every program: each directory of ``DIRS`` (a list of relative
#: paths) listed by os.listdir and by os.scandir, one ``ascii`` literal per line.
LISTER = """\
import os
for d in DIRS:
    print(ascii(os.listdir(d)))
    with os.scandir(d) as it:
        print(ascii([(e.name, e.inode(), e.is_dir()) for e in it]))
"""

#: Makes ``LAYOUT`` (a list of (path, is_dir) pairs, parents first) under /core.
MAKER = """\
import os
for path, is_dir in LAYOUT:
    if is_dir:
        os.mkdir(path)
    else:
        with open(path, 'w') as f:
            f.write('x')
"""


def _stdout(impl: Implementation, program: str, **args: Any) -> tuple[str, dict[str, Any]]:
    reply = impl.call("sandbox-run", program=program, **args)
    result = ok_answer(reply, "ADP-019.2", "sandbox-run of a listing program")
    returned_objects("sandbox-run of a listing program", reply)
    return bytes.fromhex(str(result.get("stdout", ""))).decode("utf-8", "replace"), result


def _lister(dirs: Sequence[str]) -> str:
    return f"DIRS = {list(dirs)!a}\n" + LISTER


def _maker(layout: Sequence[tuple[str, bool]]) -> str:
    return f"LAYOUT = {list(layout)!a}\n" + MAKER


def check_listings(
    out: str, expected: Mapping[str, Mapping[str, bool]], where: str, root: str = "/core"
) -> None:
    """``out`` (of LISTER over ``expected``'s directories, in that order) lists each
    directory's entries — ``{name: is_dir}`` — in UTF-8 byte order, with their inodes."""
    lines = out.splitlines()
    check_equal(
        "SBX-005.13",
        2 * len(expected),
        len(lines),
        f"{where}: the lines of output (a listing and a scan per directory) of {out[:300]!r}",
    )
    for index, (directory, entries) in enumerate(expected.items()):
        want = utf8_order(list(entries))
        listed = ast.literal_eval(lines[2 * index])
        scanned = ast.literal_eval(lines[2 * index + 1])
        rules = [r for r in WRONG_ORDERS if tc.sort_by(r, want) == listed]
        check_equal(
            ("SBX-005.13", "SBX-005.7"),
            want,
            listed,
            f"{where}: os.listdir({directory!r}), the names in UTF-8 byte order"
            + (f" (what came is the order of {rules})" if rules else ""),
        )
        base = posixpath.normpath(f"{root}/{directory}")
        want_scan = [(n, _number(f"{base}/{n}"), entries[n]) for n in want]
        check_equal(
            ("SBX-005.13", "SBX-005.11"),
            want_scan,
            scanned,
            f"{where}: os.scandir({directory!r}), [name, d_ino N(path), is_dir] with the "
            "names in UTF-8 byte order",
        )


def _layout(dirs: Mapping[str, Sequence[str]], filled: bool = False) -> list[tuple[str, bool]]:
    """Paths to make: each directory, then its names in *reverse* UTF-8 order (so creation
    order is not the expected one), every other one a directory — holding a file ``f``
    when ``filled``, so that it stays in the new core (SBX-004.2 drops empty ones)."""
    out: list[tuple[str, bool]] = []
    for directory, names in dirs.items():
        if directory != ".":
            out.append((directory, True))
        for index, name in enumerate(reversed(utf8_order(names))):
            out.append((f"{directory}/{name}", index % 2 == 1))
            if filled and index % 2 == 1:
                out.append((f"{directory}/{name}/f", False))
    return out


def _expected(
    layout: Sequence[tuple[str, bool]], dirs: Sequence[str]
) -> dict[str, dict[str, bool]]:
    out: dict[str, dict[str, bool]] = {d: {} for d in dirs}
    for path, is_dir in layout:
        parent, _, name = path.rpartition("/")
        parent = parent or "."
        if parent in out:
            out[parent][name] = is_dir
    return out


#: One set per wrong order (the names it orders otherwise), and all valid samples.
SEPARATING = tc.separating_sets("utf8", where=tc.is_valid_name)
#: A directory larger than one fd_readdir buffer, of long names of the wide classes.
MANY = [
    f"{i:03d}{ch}{'x' * 30}"
    for i, ch in enumerate(["\ue000", "\U00010000", "\uffff", "\U0001f600", "é", "Z", "a"] * 30)
]


@pytest.mark.smoke
@pytest.mark.req("SBX-005.13", "SBX-005.7", "SBX-005.11")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "bmp",
    "astral",
    "empty",
    "order:canonical",
    "order:utf16",
    "order:casefold",
    "order:signed-bytes",
    "order:length-first-codepoints",
    "order:length-first-utf16",
    "order:canonical-utf16",
    "order:canonical-casefold",
    "order:canonical-signed-bytes",
)
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_a_program_lists_its_directories_in_utf8_order(impl: Implementation) -> None:
    dirs: dict[str, list[str]] = {f"set{i}": names for i, names in enumerate(SEPARATING)}
    dirs["many"] = MANY
    dirs["empty"] = []
    dirs["."] = ["\uffff", "\U00010000", "\ue000x", "\U0001f600", "Éa", "éA", "B", "a"]
    for names in dirs.values():
        suite_premise(all(tc.is_valid_name(n) for n in names), "every name is valid")
    layout = _layout(dirs)
    order = [*(d for d in dirs if d != "."), "."]
    # the root is listed last: its entries are the directories above as well
    program = _maker(layout) + _lister(order)
    out, _ = _stdout(impl, program)
    check_listings(out, _expected(layout, order), "a program's own directories")


@pytest.mark.req("SBX-005.13", "SBX-005.7", "SBX-005.11")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "bmp",
    "astral",
    "order:canonical",
    "order:utf16",
    "order:casefold",
    "order:signed-bytes",
    "order:length-first-codepoints",
    "order:length-first-utf16",
    "order:canonical-utf16",
    "order:canonical-casefold",
    "order:canonical-signed-bytes",
)
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_a_mounted_tree_is_listed_in_utf8_order_not_tree_order(impl: Implementation) -> None:
    """A tree stores its entries in canonical order (shorter names first, ENC-010); the
    mount lists them by UTF-8 bytes, at every depth."""
    pool = tc.samples("ascii", "mixed-case", "bmp", "astral")
    names = [n for n in pool if tc.is_valid_name(n)]
    suite_premise(
        all(tc.orders_differ(names, "utf8", rule) for rule in WRONG_ORDERS),
        "the names tell UTF-8 byte order apart from every wrong order",
    )
    inner = {n: n.encode("utf-8") for n in names[::3]}
    files: dict[str, Any] = {n: n.encode("utf-8") for n in names}
    files["\U0001f600dir"] = {"\ue000": b"1", "\U00010000": b"2", "zz": inner}
    files["\ufffd"] = {"A": b"", "a": b"", "\U0010ffff": {"b": b"", "B": {"c": b""}}}
    core, found = build(files)
    expected: dict[str, dict[str, bool]] = {}

    def walk(path: str, node: Mapping[str, Any]) -> None:
        expected[path] = {n: isinstance(v, Mapping) for n, v in node.items()}
        for n, v in node.items():
            if isinstance(v, Mapping):
                walk(f"{path}/{n}", v)

    walk(".", files)
    out, _ = _stdout(impl, _lister(list(expected)), core=core, objects=encodings(found, core))
    check_listings(out, expected, "a mounted tree")


@pytest.mark.req("SBX-005.13", "SBX-005.7", "SBX-005.11")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "bmp",
    "astral",
    "order:canonical",
    "order:utf16",
    "order:casefold",
    "order:signed-bytes",
    "order:length-first-codepoints",
    "order:length-first-utf16",
    "order:canonical-utf16",
    "order:canonical-casefold",
    "order:canonical-signed-bytes",
)
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_a_core_a_program_wrote_lists_in_utf8_order_when_mounted_again(
    impl: Implementation,
) -> None:
    """The first run writes (and renames and removes) names of every class; the second
    mounts the core it left and lists it; both listings by UTF-8 bytes."""
    all_names = SEPARATING[-1]
    dirs = {".": all_names[: len(all_names) // 2], "sub": all_names[len(all_names) // 2 :]}
    layout = _layout(dirs, filled=True)
    edits = (
        "os.rename('sub/' + NAMES[0], NAMES[0] + '\\ue000')\n"
        "gone = 'sub/' + NAMES[1]\n"
        "if os.path.isdir(gone):\n"
        "    os.remove(gone + '/f')\n"
        "    os.rmdir(gone)\n"
        "else:\n"
        "    os.remove(gone)\n"
        "open('sub/\\U00010000\\U00010000', 'w').close()\n"
        "os.mkdir('sub/\\uffff\\uffff')\n"
        "open('sub/\\uffff\\uffff/f', 'w').close()\n"
    )
    moved, removed = utf8_order(dirs["sub"])[:2]
    kinds = dict(layout)
    expected = _expected(layout, ["sub", "."])
    del expected["sub"][moved], expected["sub"][removed]
    expected["."][moved + "\ue000"] = kinds[f"sub/{moved}"]
    expected["sub"]["\U00010000\U00010000"] = False
    expected["sub"]["\uffff\uffff"] = True
    suite_premise(
        all(tc.orders_differ(list(expected["."]), "utf8", r) for r in WRONG_ORDERS),
        "the names tell UTF-8 byte order apart from every wrong order",
    )
    program = (
        _maker(layout)
        + f"NAMES = {utf8_order(dirs['sub'])!a}\nimport os\n"
        + edits
        + _lister(list(expected))
    )
    out, first = _stdout(impl, program)
    check_listings(out, expected, "the run that wrote the core")
    core = first["core"]
    out, _ = _stdout(impl, _lister(list(expected)), core=core, objects=first["objects"])
    check_listings(out, expected, "the core it wrote, mounted in a second run")


@pytest.mark.req("SBX-005.13", "SBX-005.7", "SBX-005.11")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "bmp",
    "astral",
    "order:canonical",
    "order:utf16",
    "order:casefold",
    "order:signed-bytes",
    "order:length-first-codepoints",
    "order:length-first-utf16",
    "order:canonical-utf16",
    "order:canonical-casefold",
    "order:canonical-signed-bytes",
)
@run
@given(
    sets=st.lists(
        tc.name_sets(
            "utf8", classes=("ascii", "mixed-case", "bmp", "astral"), where=tc.is_valid_name
        ),
        min_size=1,
        max_size=4,
    ),
    mounted=st.booleans(),
)
@pytest.mark.req("ADP-019.2", "ENC-014")
def test_any_names_list_in_utf8_order(
    impl: Implementation, sets: list[list[str]], mounted: bool
) -> None:
    dirs = {f"d{i}": names for i, names in enumerate(sets)}
    if mounted:
        files = {d: {n: b"" for n in names} for d, names in dirs.items()}
        core, found = build(files)
        expected = {d: {n: False for n in names} for d, names in dirs.items()}
        out, _ = _stdout(impl, _lister(list(dirs)), core=core, objects=encodings(found, core))
    else:
        layout = _layout(dirs)
        expected = _expected(layout, list(dirs))
        out, _ = _stdout(impl, _maker(layout) + _lister(list(dirs)))
    check_listings(out, expected, "mounted" if mounted else "written")
