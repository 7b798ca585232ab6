"""The spec's own conventions: keywords, IDs, version, traceability (chapter *conventions*)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

import gritwit as g
from gritwit import _schemas
from gritwit_conformance.trace import collect_definitions, trace
from gritwit_conformance.vectors import verify

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "spec"
KEYWORD = re.compile(r"\b(MUST|SHOULD|MAY|SHALL|REQUIRED|RECOMMENDED|OPTIONAL)\b")
STATEMENT = re.compile(r"^(?:[-*]\s+)?\*\*([A-Z]+-\d{3}(?:\.\d+)?)\*\*")


def statements() -> list[tuple[str, str]]:
    found = []
    for path in sorted(SPEC.glob("*.md")):
        for paragraph in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
            for item in re.split(r"\n(?=[-*]\s+\*\*[A-Z]+-\d{3})", paragraph.strip()):
                match = STATEMENT.match(item.strip())
                if match:
                    found.append((match.group(1), item))
    return found


@pytest.mark.req("CONV-001")
def test_every_requirement_uses_a_bcp14_keyword() -> None:
    """Every clause states its rule with a keyword, or is an item of a lead that does.

    A parent whose clauses carry sub-IDs is a lead ("Each host function MUST …:")
    and needs no keyword of its own when its clauses have one.
    """
    found = statements()
    text_of = dict(found)
    parents = {rid.split(".")[0] for rid, _ in found if "." in rid}

    def keyed(rid: str, text: str) -> bool:
        lead = text_of.get(rid.split(".")[0], "") if "." in rid else ""
        return bool(KEYWORD.search(text) or KEYWORD.search(lead.split("\n- ")[0]))

    missing = [rid for rid, text in found if rid not in parents and not keyed(rid, text)]
    assert found and not missing, f"requirements without MUST/SHOULD/MAY…: {missing}"


@pytest.mark.req("CONV-002.1", "CONV-002.2", "CONV-002.3", "CONV-002.4")
def test_ids_are_unique_and_numbered_without_gaps() -> None:
    defined, duplicates = collect_definitions(SPEC)
    assert not duplicates
    by_prefix: dict[str, list[int]] = {}
    for rid in defined:
        prefix, number = rid.split("-")
        by_prefix.setdefault(prefix, []).append(int(number.split(".")[0]))
    for prefix, numbers in by_prefix.items():
        parents = sorted(set(numbers))
        assert parents == list(range(1, len(parents) + 1)), f"{prefix} has gaps"
    by_parent: dict[str, list[int]] = {}
    for rid in defined:
        if "." in rid:
            parent, sub = rid.split(".")
            assert parent in defined, f"{rid} has no parent {parent}"
            by_parent.setdefault(parent, []).append(int(sub))
    for parent, subs in by_parent.items():
        assert sorted(subs) == list(range(1, len(subs) + 1)), f"{parent}'s clauses have gaps"


@pytest.mark.req("CONV-003.1", "CONV-003.2", "CONV-003.8")
def test_spec_version_matches_the_reference() -> None:
    text = (SPEC / "00-conventions.md").read_text(encoding="utf-8")
    match = re.search(r"\*\*Spec version: (\d+\.\d+\.\d+(?:\.devN)?)\*\*", text)  # CONV-003.7
    # a development version's number and its text's label are computed, never written:
    # the chapter says devN (CONV-003.8)
    written = re.sub(r"\.dev\d+(\+t[0-9a-f]{12})?$", ".devN", g.SPEC_VERSION)
    assert match and match.group(1) == written


@pytest.mark.req("CONV-004")
def test_error_class_table_matches_the_reference() -> None:
    text = (SPEC / "00-conventions.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `([a-z0-9-]+)` \|", text, re.MULTILINE))
    assert table == set(g.ERROR_CLASSES)
    for name, cls in g.ERROR_CLASSES.items():
        assert cls.error_class == name and cls.phase in (
            "decode",
            "validate",
            "store",
            "transition",
            "http",
        )


@pytest.mark.req("CONV-005.1", "CONV-005.2", "CONV-005.3")
def test_the_repository_is_fully_traced() -> None:
    report = trace(ROOT)
    assert report.ok, report.render()


@pytest.mark.req("CONV-005.2", "CONV-005.3")
def test_trace_fails_on_uncited_unknown_and_duplicate_ids(tmp_path: Path) -> None:
    (tmp_path / "spec").mkdir()
    (tmp_path / "reference/tests").mkdir(parents=True)
    (tmp_path / "reference/gritwit").mkdir()
    (tmp_path / "vectors").mkdir()
    chapter = tmp_path / "spec" / "01-x.md"
    chapter.write_text("# X\n\n**XX-001** A MUST.\n\n- **XX-002** B MUST.\n")
    mark = "@pytest.mark." + "req"  # split so that trace does not read these as citations
    test = tmp_path / "reference/tests/test_x.py"
    test.write_text(mark + '("XX-001")\n')
    assert trace(tmp_path).uncited == ["XX-002"] and not trace(tmp_path).ok
    (tmp_path / "vectors/v.json").write_text('{"groups": [{"requirements": ["XX-002"]}]}')
    assert trace(tmp_path).ok
    test.write_text(mark + '("XX-001", "ZZ-001")\n')
    assert set(trace(tmp_path).unknown) == {"ZZ-001"} and not trace(tmp_path).ok
    test.write_text(mark + '("XX-001")\n')
    (tmp_path / "reference/gritwit/m.py").write_text('raise E("XX-003", "typo")\n')
    assert set(trace(tmp_path).unknown) == {"XX-003"}
    (tmp_path / "reference/gritwit/m.py").unlink()
    chapter.write_text(chapter.read_text() + "\n**XX-001** Again, MUST.\n")
    assert trace(tmp_path).duplicates == ["XX-001"] and not trace(tmp_path).ok


# -- the normative schemas live in spec/schemas/ (CONV-006) ------------------------------

SCHEMA_CITED_BY = {
    "wut.schema.json": ("06-wit.md", "WIT-018"),
    "adapter-protocol.schema.json": ("05-adapter-protocol.md", "ADP-013"),
    "vectors.schema.json": ("05-adapter-protocol.md", "ADP-014"),
    "http-openapi.json": ("10-http.md", "HTTP-012.1"),
}


@pytest.mark.req("CONV-006.1")
@pytest.mark.parametrize("name", sorted(SCHEMA_CITED_BY))
def test_each_normative_schema_is_in_spec_and_the_text_names_its_path(name: str) -> None:
    assert name in _schemas.NORMATIVE
    assert _schemas.spec_schemas_dir() == SPEC / "schemas"
    schema = json.loads((SPEC / "schemas" / name).read_bytes())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert _schemas.load_schema(name) == schema  # the loader reads spec/schemas/ in a checkout
    chapter, rid = SCHEMA_CITED_BY[name]
    assert f"`spec/schemas/{name}`" in (SPEC / chapter).read_text(encoding="utf-8"), rid
    assert f"`spec/schemas/{name}`" in (SPEC / "00-conventions.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in (SPEC / "schemas").iterdir()) == sorted(_schemas.NORMATIVE)


@pytest.mark.req("CONV-006.2")
def test_every_copy_of_a_normative_schema_equals_spec_schemas() -> None:
    assert _schemas.copy_drift() == []
    for name in _schemas.NORMATIVE:
        copy = (resources.files("gritwit") / "schemas" / name).read_bytes()
        assert copy == (SPEC / "schemas" / name).read_bytes(), name
    vectors_copy = ROOT / "vectors" / "vectors.schema.json"
    assert vectors_copy.read_bytes() == (SPEC / "schemas" / "vectors.schema.json").read_bytes()


@pytest.mark.req("CONV-006.2")
def test_a_drifted_package_copy_is_reported_by_the_check_and_by_vectors_verify(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real = _schemas._package_bytes
    monkeypatch.setattr(
        _schemas,
        "_package_bytes",
        lambda name: real(name) + b" " if name == "wut.schema.json" else real(name),
    )
    drift = _schemas.copy_drift()
    assert len(drift) == 1 and "wut.schema.json" in drift[0]
    report = verify(tmp_path, against_generator=False)  # an empty directory: fast
    assert any(p.check == "drift" and "wut.schema.json" in p.message for p in report.problems)
