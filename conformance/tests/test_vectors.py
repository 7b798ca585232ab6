"""The golden vectors: schema, regeneration, coverage, and a verifier that bites.

The committed files under ``vectors/`` are checked three ways (schema, byte-identical
regeneration, every vector through the reference); then copies are broken on purpose
to show that ``gritwit vectors verify`` notices each kind of damage.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gritwit as g
from gritwit_conformance import cli
from gritwit_conformance import vectors as gv
from gritwit_conformance.trace import collect_definitions
from gritwit_conformance.vectors import _build, _generate, _verify
from gritwit_conformance.vectors._format import Group, Suite

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "vectors"

# Requirement IDs of the codec chapters (spec 0.1.0): every one must be cited by a vector.
CODEC_REQUIREMENTS = (
    {f"CONV-{i:03d}" for i in range(1, 6)}
    | {f"ENC-{i:03d}" for i in range(1, 17)}
    | {f"OBJ-{i:03d}" for i in range(1, 19)}
    | {f"ID-{i:03d}" for i in range(1, 6)}
)
#: Every ID the spec defines: what a vector may cite.
DEFINED = set(collect_definitions(REPO / "spec")[0])
REQUIREMENT_ID = re.compile(r"^[A-Z]+-\d{3}(?:\.\d+)?$")


def _documents(directory: Path = VECTORS) -> dict[str, dict[str, Any]]:
    return {
        relative: json.loads((directory / relative).read_bytes())
        for relative in gv.vector_files(directory)
    }


def _all_vectors(directory: Path = VECTORS) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for relative, document in _documents(directory).items():
        for group in document["groups"]:
            for vector in group["vectors"]:
                yield relative, group["kind"], vector


@pytest.fixture(scope="module")
def generated() -> dict[str, bytes]:
    return gv.build_documents()


# --- the committed files ---------------------------------------------------------------


@pytest.mark.req("CONV-003", "CONV-005")
def test_committed_files_validate_against_the_schema() -> None:
    schema = json.loads(gv.schema_bytes())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    documents = _documents()
    assert len(documents) >= 8
    for relative, document in documents.items():
        errors = [e.message[:200] for e in validator.iter_errors(document)]
        assert not errors, f"{relative}: {errors[:5]}"
        # the release the text leads to, without a development number (CONV-003.8)
        assert document["specVersion"] == g.SPEC_VERSION.split(".dev")[0]
        assert (VECTORS / relative).parent.joinpath(document["$schema"]).resolve() == (
            VECTORS / "vectors.schema.json"
        )
    assert (VECTORS / "vectors.schema.json").read_bytes() == gv.schema_bytes()


@pytest.mark.req("CONV-004", "CONV-005", "ENC-014", "ID-001", "OBJ-017", "OBJ-018")
@pytest.mark.slow
def test_verify_passes_on_the_committed_vectors() -> None:
    report = gv.verify(VECTORS)
    assert report.ok, report.summary()
    assert report.files == len(gv.vector_files(VECTORS))
    assert report.vectors == report.valid + report.invalid == len(list(_all_vectors()))


@pytest.mark.req("CONV-003")
@pytest.mark.slow
def test_regeneration_is_byte_identical(generated: dict[str, bytes]) -> None:
    on_disk = {
        p.relative_to(VECTORS).as_posix(): p.read_bytes() for p in VECTORS.rglob("*") if p.is_file()
    }
    assert sorted(on_disk) == sorted(generated)
    for relative, content in generated.items():
        assert on_disk[relative] == content, f"{relative} drifted: run `gritwit vectors generate`"
    assert gv.build_documents() == generated  # deterministic within one process too


@pytest.mark.req("CONV-003")
def test_files_are_formatted_as_declared(generated: dict[str, bytes]) -> None:
    for relative, content in generated.items():
        if not relative.endswith(".json") or relative == "vectors.schema.json":
            continue  # the schema is copied verbatim from the package
        text = content.decode("ascii")
        assert text.endswith("}\n") and not text.endswith("\n\n")
        document = json.loads(text)
        assert text == json.dumps(document, indent=2, sort_keys=True) + "\n"


@pytest.mark.req("CONV-005")
def test_counts_and_spread() -> None:
    documents = _documents()
    total = sum(d["numberOfVectors"] for d in documents.values())
    invalid = sum(d["numberOfInvalid"] for d in documents.values())
    assert total >= 300
    assert invalid / total >= 0.40
    for relative, document in documents.items():
        counted = [v for grp in document["groups"] for v in grp["vectors"]]
        assert document["numberOfVectors"] == len(counted), relative
        assert document["numberOfInvalid"] == sum(v["result"] == "invalid" for v in counted)
        operational = ("scenarios.json", "runtime.json", "wasm.json", "sandbox.json")  # valid
        if document["numberOfVectors"] > 5 and relative not in operational:
            assert document["numberOfInvalid"] >= 10, f"{relative} has few negative vectors"
    kinds = {kind for _, kind, _ in _all_vectors()}
    # wasm.json: scenarios; sandbox.json: sandbox runs and scenarios
    assert kinds == {"object", "value", "hash", "scenario", "runtime", "sandbox"}


@pytest.mark.req("ADP-014", "CONV-005", "WIT-011")
def test_scenarios_cover_the_test_actors_and_wit_rules() -> None:
    scenarios = [v for f, kind, v in _all_vectors() if kind == "scenario" and f == "scenarios.json"]
    assert len(scenarios) >= 100
    actors = {op["actor"] for v in scenarios for op in v["operations"] if op["op"] == "genesis"}
    assert {"echo", "counter", "fanout", "spawner", "updater", "failing", "budget"} <= actors
    assert {"requester", "slow"} <= actors
    cited = {r.split(".")[0] for v in scenarios for r in v["requirements"]}  # clause → rule
    # Every rule observable through the wit profile (WIT-003, WIT-007: not separately).
    observable = {f"WIT-{i:03d}" for i in range(1, 28)} - {"WIT-003", "WIT-007"}
    assert observable - cited == set()
    runs = [op["expect"] for v in scenarios for op in v["operations"] if op["op"] == "run"]
    assert sum(len(r["steps"]) for r in runs) >= 300
    assert {cls for r in runs for _, cls in r["failures"]} >= {
        "failed", "unknown-wit", "frozen-core", "invalid-genesis", "invalid-transition",
    }  # fmt: skip


@pytest.mark.req("ADP-016", "WASM-002", "WASM-021", "CONV-005")
def test_wasm_scenarios_cover_every_actor_module_and_hostile_module() -> None:
    wasm = [v for f, _, v in _all_vectors() if f == "wasm.json"]
    modules = {
        bytes.fromhex(op["module"]) for v in wasm for op in v["operations"] if "module" in op
    }
    folder = REPO / "conformance" / "wasm"
    for kind in ("actors", "hostile"):
        for path in sorted((folder / kind).glob("*.wasm")):
            assert path.read_bytes() in modules, f"no vector runs {kind}/{path.name}"
    runs = [op["expect"] for v in wasm for op in v["operations"] if op["op"] == "run"]
    classes = {cls for r in runs for _, cls in r["failures"]}
    assert classes >= {
        "trap", "fuel-exhausted", "forbidden-import", "invalid-module", "memory-limit",
        "output-too-large", "unknown-wit",
    }  # fmt: skip


@pytest.mark.req("CONV-005")
def test_vector_ids_are_unique_stable_slugs() -> None:
    ids = [vector["id"] for _, _, vector in _all_vectors()]
    assert len(ids) == len(set(ids))
    for vid in ids:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)+", vid), vid
        assert not re.fullmatch(r".*/\d+", vid), f"{vid} looks like an index"


@pytest.mark.req("CONV-002", "CONV-005")
def test_every_cited_requirement_exists_and_every_codec_rule_is_cited() -> None:
    cited: set[str] = set()
    for _, _, vector in _all_vectors():
        assert vector["requirements"], vector["id"]
        for requirement in vector["requirements"]:
            assert REQUIREMENT_ID.match(requirement), (vector["id"], requirement)
            assert requirement in DEFINED, (vector["id"], requirement)
        cited.update(vector["requirements"])
    rules = {r for r in CODEC_REQUIREMENTS if not r.startswith("CONV-")}
    assert rules - {r.split(".")[0] for r in cited} == set()  # a clause cites its rule


@pytest.mark.req("CONV-004")
def test_error_classes_come_from_the_registry() -> None:
    seen = set()
    for _, kind, vector in _all_vectors():
        if vector["result"] != "invalid":
            continue
        cls = g.ERROR_CLASSES[vector["error"]]
        assert cls.phase == vector["phase"], vector["id"]
        assert kind != "value" or vector["phase"] == "decode"
        seen.add(vector["error"])
    # Every decode and validate class has a vector, except too-large (a 16 MiB input).
    expected = {n for n, cls in g.ERROR_CLASSES.items() if cls.phase in ("decode", "validate")}
    assert expected - seen == {"too-large"}


# --- the verifier bites -------------------------------------------------------------------


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "vectors"
    shutil.copytree(VECTORS, target)
    return target


def _mutate(directory: Path, vid: str, change: Callable[[dict[str, Any]], None]) -> str:
    """Apply ``change`` to the vector ``vid`` in its file; return the file's relative path."""
    for relative, document in _documents(directory).items():
        for group in document["groups"]:
            for vector in group["vectors"]:
                if vector["id"] == vid:
                    change(vector)
                    (directory / relative).write_text(
                        json.dumps(document, indent=2, sort_keys=True) + "\n"
                    )
                    return relative
    raise AssertionError(f"no vector {vid}")


def _flip_input_byte(vector: dict[str, Any]) -> None:
    data = bytearray.fromhex(vector["input"])
    data[-20] ^= 0x01
    vector["input"] = data.hex()


def _set(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(vector: dict[str, Any]) -> None:
        vector[key] = value

    return change


_ZERO_ID = "00" * 32
MUTATIONS = {
    "flip-input-byte-of-valid": ("blob/every-byte-value", _flip_input_byte),
    "other-error-class": ("blob/data-text", _set("error", "invalid-id")),
    "other-decode-class": ("encoding/depth-33-array", _set("error", "truncated")),
    "wrong-object-id": ("step/minimal", _set("objectId", _ZERO_ID)),
    "wrong-decoded": (
        "message/content-only",
        _set("decoded", {"type": "message", "content": _ZERO_ID, "previous": None, "headers": {}}),
    ),
    "wrong-diagnostic": ("encoding/uint-24", _set("diagnostic", "25")),
    "wrong-digest": ("blake3/input-1024", _set("digest", _ZERO_ID)),
    "other-input-other-error": ("object/trailing-one-byte", _set("input", "a0")),
    "valid-input-in-invalid-vector": (
        "object/empty-map",
        _set("input", "a2646461746140647479706564626c6f62"),
    ),
    "requirement-not-raised": ("encoding/trailing-one-byte", _set("requirements", ["ENC-002"])),
}


@pytest.mark.req("CONV-004", "CONV-005", "ENC-014", "ID-001", "OBJ-018")
@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_verify_catches_a_wrong_vector(
    tmp_path: Path, name: str, generated: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    vid, change = MUTATIONS[name]
    # Codec files only: the operational suites (replayed on runtimes, seconds each) are
    # checked by test_verify_passes_on_the_committed_vectors; the generator's output is
    # this process's, computed once (build_documents is deterministic, checked above).
    directory = _copy(tmp_path)
    operational = ("scenarios.json", "runtime.json", "wasm.json")
    for relative in operational:
        (directory / relative).unlink()
    codec_only = {k: v for k, v in generated.items() if k not in operational}
    monkeypatch.setattr(_verify, "build_documents", lambda *_: codec_only)
    relative = _mutate(directory, vid, change)

    report = gv.verify(directory, against_generator=False)
    assert not report.ok
    assert [(p.check, p.path, p.vector) for p in report.problems] == [
        ("reference", relative, vid)
    ] * len(report.problems), report.summary()

    full = gv.verify(directory)
    drift = [p for p in full.problems if p.check == "drift"]
    assert len(drift) == 1 and drift[0].path == relative and vid in drift[0].message
    assert cli.main(["vectors", "verify", "--dir", str(directory)]) == 1


@pytest.mark.req("CONV-005")
@pytest.mark.slow
def test_verify_catches_schema_and_count_damage(tmp_path: Path) -> None:
    directory = _copy(tmp_path)
    _mutate(directory, "tree/one-entry", lambda v: v.pop("requirements"))
    path = directory / "objects" / "step.json"
    document = json.loads(path.read_text())
    document["numberOfInvalid"] += 1
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")

    problems = gv.verify(directory, against_generator=False).problems
    assert {(p.check, p.path) for p in problems} == {
        ("schema", "objects/tree.json"),
        ("schema", "objects/step.json"),
    }
    assert any("requirements" in p.message for p in problems if p.path == "objects/tree.json")
    assert any("numberOfInvalid" in p.message for p in problems)


@pytest.mark.req("CONV-003", "CONV-005", "OBJ-018")
def test_the_schema_checks_the_objects_of_every_kind_of_scenario_operation() -> None:
    """A scenario operation's ``objects`` is checked once, beside the kinds of operation,
    each of which allows it: a wrong description is refused in every kind, a right one
    accepted in every kind, and a field no kind has is still refused."""
    validator = jsonschema.Draft202012Validator(json.loads(gv.schema_bytes()))
    operations = [
        op
        for name in ("scenarios.json", "wasm.json")
        for group in json.loads((VECTORS / name).read_bytes())["groups"]
        for v in group["vectors"]
        for op in v.get("operations", ())
    ]
    kinds: dict[str, dict[str, Any]] = {}
    for op in operations:
        if op.get("objects"):
            kinds.setdefault(op["op"], op)
    assert len(kinds) >= 3, sorted(kinds)
    operation = {"$ref": "#/$defs/operation"}
    for kind, op in kinds.items():
        assert validator.evolve(schema=operation).is_valid(op), kind
        wrong = json.loads(json.dumps(op))
        described = next(iter(wrong["objects"].values()))
        described["type"] = "nothing"  # no object type (OBJ-018)
        assert not validator.evolve(schema=operation).is_valid(wrong), (
            f"CONV-003: a {kind} operation with an object described as no type validated"
        )
        stray = {**op, "unknown": 1}
        assert not validator.evolve(schema=operation).is_valid(stray), (
            f"CONV-003: a {kind} operation with a field no operation has validated"
        )


@pytest.mark.req("CONV-005")
@pytest.mark.slow
def test_verify_catches_missing_stale_and_duplicate(
    tmp_path: Path, generated: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_verify, "build_documents", lambda *_: generated)  # built once
    directory = _copy(tmp_path)
    (directory / "objects" / "mailbox.json").unlink()
    shutil.copy(directory / "objects" / "message.json", directory / "objects" / "copy.json")

    problems = gv.verify(directory).problems
    checks = {(p.check, p.path) for p in problems}
    assert ("missing", "objects/mailbox.json") in checks
    assert ("unexpected", "objects/copy.json") in checks
    duplicates = [p for p in problems if p.check == "schema" and "also used" in p.message]
    assert duplicates and all(p.vector and p.vector.startswith("message/") for p in duplicates)


@pytest.mark.req("CONV-003", "CONV-005")
def test_verify_reports_hostile_files_instead_of_crashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nesting deeper than Python's JSON parser goes, bytes that are not UTF-8, a runtime
    vector whose operation addresses a runtime that was never opened: each is a problem."""
    directory = tmp_path / "vectors"
    directory.mkdir()
    (directory / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (directory / "latin1.json").write_bytes(b'{"groups": "\xff"}')
    runtime = json.loads((VECTORS / "runtime.json").read_text())
    group = next(g for g in runtime["groups"] if g["kind"] == "runtime")
    vector = group["vectors"][0]
    vector["operations"] = [{"op": "run", "max_steps": 1, "on": 1, "expect": {}}]
    group["vectors"] = [vector]
    runtime["groups"] = [group]  # one group of one vector: the counts below
    for key, value in (("numberOfVectors", 1), ("numberOfValid", 1), ("numberOfInvalid", 0)):
        runtime[key] = value
    runtime["notes"] = {k: v for k, v in runtime["notes"].items() if k in vector["flags"]}
    (directory / "runtime.json").write_text(json.dumps(runtime))
    # Drift compares the deep file with what the generator writes under that name.
    monkeypatch.setattr(_verify, "build_documents", lambda *_: {"deep.json": b"{}\n"})

    report = gv.verify(directory)
    found = {(p.check, p.path, p.vector) for p in report.problems}
    assert ("drift", "deep.json", None) in found, report.summary()
    assert ("schema", "deep.json", None) in found, report.summary()
    assert ("schema", "latin1.json", None) in found, report.summary()
    assert ("reference", "runtime.json", vector["id"]) in found, report.summary()
    crashed = [p for p in report.problems if p.check == "reference"]
    assert all("checking crashed: IndexError" in p.message for p in crashed), report.summary()


# --- the generator ------------------------------------------------------------------------


def _suite_with(group: Group) -> Callable[[], Suite]:
    return lambda: Suite("bad", "a broken suite", (group,))


@pytest.mark.req("CONV-004", "CONV-005")
def test_generation_fails_loudly_when_the_reference_disagrees(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    group = Group("broken", "declarations the reference contradicts", "object")
    minimal_blob = _build.encode({"type": "blob", "data": b""})
    group.invalid(
        "bad/wrong-class",
        "trailing byte declared truncated",
        ("ENC-002",),
        minimal_blob + b"\x00",
        "truncated",
    )
    group.invalid(
        "bad/wrong-requirement",
        "right class, wrong rule",
        ("ENC-002",),
        minimal_blob + b"\x00",
        "trailing-bytes",
    )
    group.invalid(
        "bad/accepted", "a valid blob declared invalid", ("ENC-002",), minimal_blob, "truncated"
    )
    group.valid(
        "bad/rejected",
        "an invalid input declared valid",
        ("OBJ-008",),
        {"type": "blob", "data": b""},
        data=b"\xa0",
    )
    group.valid(
        "bad/bad-built",
        "constructors disagree",
        ("OBJ-017",),
        {"type": "blob", "data": b""},
        built=g.Blob(data=b"x"),
    )
    monkeypatch.setattr(_generate, "SUITES", (_suite_with(group),))
    with pytest.raises(gv.GenerationError) as caught:
        gv.build_documents()
    failing = {problem.split(":")[0] for problem in caught.value.problems}
    assert failing == {
        "bad/wrong-class",
        "bad/wrong-requirement",
        "bad/accepted",
        "bad/rejected",
        "bad/bad-built",
    }


@pytest.mark.req("CONV-005", "ENC-014")
def test_generation_checks_declared_values(monkeypatch: pytest.MonkeyPatch) -> None:
    group = Group("broken", "values the reference decodes differently", "value")
    group.valid(
        "bad/true-is-not-1", "True declared for the integer 1", ("ENC-015",), True, data=b"\x01"
    )
    group.valid("bad/diagnostic", "wrong declared notation", ("ENC-015",), 1, diagnostic="2")
    group.invalid(
        "bad/flag",
        "unknown flag",
        ("ENC-001",),
        b"\x00\x00",
        "trailing-bytes",
        flags=["NoSuchFlag"],
    )
    group.invalid("bad/Id", "bad id slug", ("ENC-001",), b"\x00\x00", "trailing-bytes")
    group.invalid("bad/requirement", "bad requirement", ("enc-1",), b"\x00\x00", "trailing-bytes")
    group.invalid(
        "bad/requirement", "the same id twice", ("ENC-001",), b"\x00\x00", "trailing-bytes"
    )
    monkeypatch.setattr(_generate, "SUITES", (_suite_with(group),))
    with pytest.raises(gv.GenerationError) as caught:
        gv.build_documents()
    text = "\n".join(caught.value.problems)
    for vid in ("bad/true-is-not-1", "bad/diagnostic", "bad/flag", "bad/Id", "bad/requirement"):
        assert vid in text
    assert "declared twice" in text


_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**64), max_value=2**64 - 1)
    | st.binary(max_size=40)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@pytest.mark.req("ENC-007", "ENC-010", "ENC-014")
@settings(max_examples=300, deadline=None)
@given(_values)
def test_hand_encoder_agrees_with_the_reference(value: Any) -> None:
    """The generator's own canonical encoder and the reference produce the same bytes."""
    data = _build.encode(value)
    assert data == g.encode_value(value)
    assert _generate._same(g.decode_value(data), value)


@pytest.mark.req("ENC-007")
def test_hand_built_heads() -> None:
    assert _build.uint(0, 8) == bytes.fromhex("1b0000000000000000")
    assert _build.nint(-(2**64)) == bytes.fromhex("3bffffffffffffffff")
    assert _build.tstr("a", 2) == bytes.fromhex("79000161")
    assert _build.canonical_map({"aa": b"\x01", "b": b"\x02"}) == bytes.fromhex("a261620262616101")
    with pytest.raises(ValueError):
        _build.head(0, 24, 0)


# --- the command line ---------------------------------------------------------------------


@pytest.mark.req("CONV-003")
@pytest.mark.slow
def test_cli_generate_writes_the_committed_files(
    tmp_path: Path, generated: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    assert cli.main(["vectors", "generate", "--dir", str(target)]) == 0
    # Again over its own output, and verified: each with this module's build, the same
    # bytes (deterministic, test_regeneration_is_byte_identical); a build takes seconds.
    monkeypatch.setattr(_generate, "build_documents", lambda *_: generated)
    monkeypatch.setattr(_verify, "build_documents", lambda *_: generated)
    assert cli.main(["vectors", "generate", "--dir", str(target)]) == 0  # idempotent
    written = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    assert written == {p.relative_to(VECTORS).as_posix() for p in VECTORS.rglob("*") if p.is_file()}
    for relative in written:
        assert (target / relative).read_bytes() == (VECTORS / relative).read_bytes()
    assert cli.main(["vectors", "verify", "--dir", str(target)]) == 0


@pytest.mark.req("CONV-005")
@pytest.mark.slow
def test_cli_finds_the_vectors_directory(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    generated: dict[str, bytes],
) -> None:
    monkeypatch.setattr(_verify, "build_documents", lambda *_: generated)  # built once
    for start in (REPO, REPO / "reference" / "tests"):
        monkeypatch.chdir(start)
        assert gv.find_vectors_dir() == VECTORS
    monkeypatch.chdir(tmp_path)  # outside the project: the checkout gritwit came from
    assert gv.find_vectors_dir() == VECTORS
    monkeypatch.chdir(REPO)
    assert cli.main(["vectors", "verify"]) == 0
    out = capsys.readouterr().out
    assert str(VECTORS) in out and "0 problem(s)" in out


@pytest.mark.req("CONV-005")
def test_cli_generate_outside_a_checkout_asks_for_a_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Outside a checkout, ``generate`` never rewrites the checkout gritwit came from."""
    before = {p: p.stat().st_mtime_ns for p in VECTORS.rglob("*") if p.is_file()}
    monkeypatch.chdir(tmp_path)
    assert gv.checkout_vectors_dir() is None
    assert cli.main(["vectors", "generate"]) == 2
    assert "--dir" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in VECTORS.rglob("*") if p.is_file()} == before
    assert not any(tmp_path.iterdir()), "nothing written where the user stands either"


@pytest.mark.req("CONV-005")
@pytest.mark.slow
def test_console_script_runs_as_a_module() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "gritwit_conformance", "vectors", "verify", "--dir", str(VECTORS)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"\d+ files, \d+ vectors \(\d+ valid, \d+ invalid\), 0 problem", result.stdout)
