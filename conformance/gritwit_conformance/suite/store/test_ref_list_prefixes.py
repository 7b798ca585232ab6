"""``ref-list`` at every boundary of a prefix listing, on memory and durable stores.

REF-006: ``list_refs(prefix)`` returns the names of *all* refs starting with ``prefix``, in
bytewise order; REF-007.3 and REF-007.4: any prefix is accepted, and one no ref name can
start with lists nothing.  A store that lists by a range scan, a pattern or a cursor breaks
at the edges of the range, so every listing here is checked against the rule computed in
the test (``startswith``, then UTF-8 byte order) for prefixes that sit on those edges:

* a prefix equal to a whole name (a strict lower bound ``name > prefix`` drops it), to a
  ``heads/`` name, to the longest name (255 bytes), and one character past each;
* a prefix ending in ``/`` (a name equal to the prefix without it is not listed), the empty
  prefix, a name that extends the prefix without a separator (``names/ab`` under
  ``names/a``), every proper prefix of every name;
* prefixes a pattern match gets wrong: ``_`` and ``%`` (SQL ``LIKE``), ``*``, ``?``, ``[``
  (``GLOB``), ``.`` (a regular expression), another case (``LIKE`` and case-insensitive
  collations), a NUL (a C string ends there), ``\\x7f`` and non-ASCII text of every class
  (BMP, U+E000–U+FFFF, astral, a lone surrogate): REF-007.4, nothing;
* names whose bytewise order differs from case-insensitive order (``B`` < ``a``), from
  length-first orders (``names/b`` < ``names/aa``) and from a per-segment order (``-``, ``.``
  sort before ``/``, ``0`` and letters after it);
* listings after refs are deleted, and on a durable store after ``store-reopen``.

Ref names are ASCII (REF-001.1), so UTF-16 and UTF-8 order never differ between them; the
non-ASCII classes reach ``ref-list`` only as prefixes.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance.data import _classes as tc
from gritwit_conformance.harness._implementation import Implementation
from gritwit_conformance.suite._check import call_ok, describe, fail, suite_premise
from gritwit_conformance.suite._properties import properties

pytestmark = pytest.mark.profile("store")

run = properties(25)

BLOB = g.Blob(data=b"REF-006 listing")
CORES = [g.Tree(entries={"wit": g.object_id(g.Blob(data=name))}) for name in (b"x", b"y")]
ACTORS = [g.object_id(core) for core in CORES]
STEPS = [g.Step(actor=actor, core=actor) for actor in ACTORS]
OBJECTS: list[g.GritObject] = [BLOB, *CORES, *STEPS]
HEADS = {
    f"heads/{actor.hex()}": g.object_id(step).hex()
    for actor, step in zip(ACTORS, STEPS, strict=True)
}

#: The longest valid name (REF-001.2): 255 bytes.
LONGEST = "names/" + "/".join(["L" * 64, "l" * 64, "M" * 64, "m" * 54])
suite_premise(len(LONGEST) == 255, "the longest name is 255 bytes")

#: Names around the boundaries of a listing: a name and its extensions with and without
#: a separator, each byte that sorts around ``/``, both cases, digits, lengths.
NAMES: tuple[str, ...] = (
    "names/a",
    "names/a/b",
    "names/a/b/c",
    "names/a/B",
    "names/a/a0",
    "names/a-b",
    "names/a.b",
    "names/a0",
    "names/a9",
    "names/aB",
    "names/a_",
    "names/ab",
    "names/abc",
    "names/A",
    "names/A/a",
    "names/B",
    "names/b",
    "names/ba",
    "names/Z",
    "names/z",
    "names/0",
    "names/9z",
    "names/names",
    "names/n",
    "names/aa",
    "names/x-",
    "names/x",
    "names/x.",
    "names/x/y",
    LONGEST,
    LONGEST[:-1],
)

#: Orders that a listing of NAMES tells apart from bytewise order (checked at import).
WRONG_ORDERS = (
    "canonical",
    "casefold",
    "length-first-codepoints",
    "length-first-utf16",
    "canonical-utf16",
    "canonical-casefold",
    "canonical-signed-bytes",
)
for _rule in WRONG_ORDERS:
    suite_premise(tc.orders_differ([*NAMES, *HEADS], "utf8", _rule), f"the names tell {_rule}")


def _bytewise(names: Iterable[str]) -> list[str]:
    """REF-006's order, computed here: ascending UTF-8 bytes."""
    return sorted(names, key=lambda n: n.encode("utf-8", "surrogatepass"))


def expected(present: Iterable[str], prefix: str) -> list[str]:
    """REF-006, REF-007.4: every present name that starts with ``prefix``, bytewise."""
    return _bytewise(n for n in present if n.startswith(prefix))


#: Characters appended to a name to make a prefix just past it, or put in place of its
#: last character: separators, pattern syntax, both cases, the ends of ASCII, beyond it.
EXTENSIONS = ("/", "-", ".", "0", "A", "a", "_", "z", "%", "*", "?", "[", "\\", "\x7f", "\x00")
BEYOND = tuple(
    s for s in tc.samples("bmp", "astral", "nul", "mixed-case") if not s.isascii() or "\x00" in s
) + tuple(tc.TEXT_SAMPLES["lone-surrogate"])


def prefixes(names: Iterable[str]) -> list[str]:
    """Prefixes on every boundary of a listing of ``names`` (see the module docstring)."""
    out: dict[str, None] = {"": None}
    for name in names:
        for end in range(1, len(name) + 1):
            out[name[:end]] = None  # every proper prefix, and the whole name
        for ch in EXTENSIONS:
            out[name + ch] = None  # one past the name
            out[name[:-1] + ch] = None  # the last character as pattern syntax
        for variant in (name.upper(), name.swapcase(), name.capitalize()):
            out[variant] = None
            out[variant[: name.rfind("/") + 2]] = None
        for text in BEYOND[:6]:
            out[name + text] = None
    for text in BEYOND:
        for head in ("", "n", "names/", "names/a", "heads/"):
            out[head + text] = None
    out["x" * 300] = None
    out[LONGEST + "m"] = None  # 256 bytes: past the longest name
    return list(out)


@contextlib.contextmanager
def _store(impl: Implementation, kind: str) -> Iterator[str]:
    """A new store of ``kind`` holding OBJECTS (a durable one in a new directory)."""
    with tempfile.TemporaryDirectory(prefix="ref-list-") as top:
        args: dict[str, Any] = {"kind": kind}
        if kind == "durable":
            (Path(top) / "store").mkdir()
            args["path"] = str(Path(top) / "store")
        handle = str(call_ok(impl, "REF-006", "store-open", **args)["store"])
        try:
            for obj in OBJECTS:
                call_ok(impl, "REF-006", "put", store=handle, bytes=g.encode_object(obj).hex())
            yield handle
        finally:
            if impl.hello is not None:
                with contextlib.suppress(Exception):
                    impl.call("store-close", store=handle)


def _set(impl: Implementation, store: str, names: Iterable[str]) -> None:
    for name in names:
        target = HEADS.get(name, g.object_id(BLOB).hex())
        call_ok(impl, "REF-006", "ref-cas", store=store, name=name, expected=None, new=target)


def _sweep(
    impl: Implementation, store: str, present: Iterable[str], tried: Iterable[str], where: str
) -> None:
    names = list(present)
    for prefix in tried:
        want = expected(names, prefix)
        got = call_ok(impl, "REF-006", "ref-list", store=store, prefix=prefix)["names"]
        if got != want:
            missing = [n for n in want if n not in (got if isinstance(got, list) else [])]
            fail(
                "REF-006",
                expected=f"{describe(want)}: every ref starting with the prefix (the prefix "
                "itself included) in bytewise order, nothing for a prefix no name can start "
                "with",
                came=describe(got) + (f"; it left out {describe(missing)}" if missing else ""),
                what=f"{where}: ref-list of the prefix {prefix!a}",
            )


@pytest.mark.smoke
@pytest.mark.req("REF-006", "REF-007.3", "REF-007.4")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "empty",
    "bmp",
    "astral",
    "lone-surrogate",
    "nul",
    "largest",
    "past-largest",
    "order:canonical",
    "order:casefold",
    "order:length-first-codepoints",
    "order:length-first-utf16",
    "order:canonical-utf16",
    "order:canonical-casefold",
    "order:canonical-signed-bytes",
)
@pytest.mark.parametrize("kind", ["memory", "durable"])
def test_every_boundary_of_a_prefix_listing(impl: Implementation, kind: str) -> None:
    names = [*NAMES, *HEADS]
    tried = prefixes(names)
    with _store(impl, kind) as store:
        _sweep(impl, store, [], ["", "names/", "names/a"], f"{kind} store, no ref")
        _set(impl, store, names)
        _sweep(impl, store, names, tried, f"{kind} store")
        # Delete the names that are exactly other names' prefixes (and one head): what is
        # left must be listed without them, and the longer names still with them.
        gone = {"names/a", "names/x", "names/a/b", LONGEST[:-1], next(iter(HEADS))}
        for name in gone:
            target = HEADS.get(name, g.object_id(BLOB).hex())
            call_ok(impl, "REF-006", "ref-cas", store=store, name=name, expected=target, new=None)
        left = [n for n in names if n not in gone]
        _sweep(impl, store, left, tried, f"{kind} store after deleting {sorted(gone)}")
        _set(impl, store, ["names/a"])
        left.append("names/a")
        _sweep(impl, store, left, prefixes(["names/a"]), f"{kind} store, names/a set again")
        if kind == "durable":
            call_ok(impl, "REF-006", "store-reopen", store=store)
            _sweep(impl, store, left, tried, "durable store after store-reopen")


@pytest.mark.req("REF-006")
@pytest.mark.inputs("ascii", "mixed-case", "largest")
@pytest.mark.parametrize("kind", ["memory", "durable"])
@pytest.mark.req("REF-007.4")
def test_a_ref_is_listed_under_its_own_name(impl: Implementation, kind: str) -> None:
    """Each ref alone in a store: listed under its own name as prefix, and under each of
    its proper prefixes — a store holding one ref has no later key to bound a scan with."""
    for name in ["names/a", "names/A", "names/a-", "names/z", LONGEST, *HEADS]:
        with _store(impl, kind) as store:
            _set(impl, store, [name])
            _sweep(impl, store, [name], [name, name[:-1], name[:6], ""], f"{kind}, {name}")


# --- any set of names -------------------------------------------------------------------------

_SEGMENT_FIRST = "aAbB0zZ9"
_SEGMENT_REST = "aAbB0zZ9._-"


def _segment() -> st.SearchStrategy[str]:
    return st.tuples(
        st.sampled_from(_SEGMENT_FIRST), st.text(st.sampled_from(_SEGMENT_REST), max_size=3)
    ).map("".join)


_NAME = st.lists(_segment(), min_size=1, max_size=3).map(lambda s: "names/" + "/".join(s))


@st.composite
def _prefix(draw: st.DrawFn, names: list[str]) -> str:
    """A prefix on a boundary of ``names``: a name, a proper prefix, one char past, a
    case variant, a pattern character, or text of any class."""
    name = draw(st.sampled_from(names))
    how = draw(st.sampled_from(["whole", "cut", "past", "case", "pattern", "text"]))
    if how == "whole":
        return name
    if how == "cut":
        return name[: draw(st.integers(0, len(name)))]
    if how == "past":
        return name + draw(st.sampled_from(EXTENSIONS))
    if how == "case":
        return draw(st.sampled_from([name.upper(), name.swapcase(), name.lower()]))
    if how == "pattern":
        at = draw(st.integers(0, len(name) - 1))
        return name[:at] + draw(st.sampled_from("_%*?[.")) + name[at + 1 :]
    return name[: draw(st.integers(0, len(name)))] + draw(tc.texts(*tc.TEXT_CLASSES, max_size=3))


@st.composite
def _case(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    names = draw(st.lists(_NAME, min_size=1, max_size=10, unique=True))
    # Make every name's own prefix present as a name now and then: the boundary case.
    for name in list(names):
        if "/" in name[6:] and draw(st.booleans()):
            parent = name[: name.rindex("/")]
            if parent not in names:
                names.append(parent)
    return names, draw(st.lists(_prefix(names), min_size=1, max_size=12))


@pytest.mark.req("REF-006", "REF-007.3", "REF-007.4")
@pytest.mark.inputs(
    "ascii",
    "mixed-case",
    "empty",
    "bmp",
    "astral",
    "lone-surrogate",
    "nul",
    "order:casefold",
    "order:canonical",
    "order:length-first-codepoints",
)
@pytest.mark.parametrize("kind", ["memory", "durable"])
@run
@given(case=_case())
def test_any_names_list_by_the_rule(
    impl: Implementation, kind: str, case: tuple[list[str], list[str]]
) -> None:
    names, tried = case
    with _store(impl, kind) as store:
        _set(impl, store, names)
        _sweep(impl, store, names, ["", "names/", *names, *tried], f"{kind} store")
