"""Where the suite's data is: a checkout's own tree first, else the installed copy.

``gritwit_conformance.data._paths`` answers for every command; an installed copy is laid
out as a checkout, with the two packages where they are installed. Without the
``sandbox`` extra, ``gritwit vectors verify`` skips the sandbox's vectors and counts them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import gritwit
import gritwit_conformance
from gritwit import _checkout
from gritwit_conformance import cli
from gritwit_conformance.data import _paths as _resources
from gritwit_conformance.data._paths import Resources, ResourcesMissing, find_resources
from gritwit_conformance.vectors import _verify

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "vectors"


@pytest.mark.req("CONV-005")
def test_a_checkout_is_found_from_the_working_directory_else_from_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(REPO / "conformance" / "tests")
    assert find_resources() == Resources(root=REPO, installed=False)
    monkeypatch.chdir(tmp_path)  # outside: the checkout this (editable) package runs from
    assert _checkout.working_checkout() is None
    assert find_resources() == Resources(root=REPO, installed=False)
    assert find_resources().vectors == VECTORS
    assert find_resources().wasm == REPO / "conformance" / "wasm"
    (tmp_path / "spec").mkdir()  # a folder named spec is no checkout
    assert not _checkout.is_checkout(tmp_path)


@pytest.mark.req("CONV-005")
def test_without_a_checkout_the_installed_copy_else_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_resources, "checkout_root", lambda start=None: None)
    data = tmp_path / "_data"
    (data / "spec").mkdir(parents=True)
    (data / "spec" / "00-conventions.md").write_text("# Conventions\n", encoding="utf-8")
    installed = Resources(root=data, installed=True)
    monkeypatch.setattr(_resources, "_installed", lambda: installed)
    assert find_resources() is installed and _resources.vectors_dir() == data / "vectors"
    monkeypatch.setattr(_resources, "_installed", lambda: None)
    with pytest.raises(ResourcesMissing, match=r"pip wheel --no-deps \.") as caught:
        find_resources(tmp_path)
    assert "\n" not in str(caught.value)
    assert cli.main(["vectors", "verify"]) == 2  # the command says it in one line


@pytest.mark.req("CONV-005")
def test_an_installed_copy_keeps_the_packages_where_they_are_installed(tmp_path: Path) -> None:
    judge = Path(gritwit_conformance.__file__).resolve().parent
    judged = Path(gritwit.__file__).resolve().parent
    tree = Resources(root=tmp_path, installed=True)
    assert tree.locate("reference/gritwit") == judged
    assert tree.locate("reference/gritwit/_ids.py") == judged / "_ids.py"
    assert tree.locate("conformance/gritwit_conformance/suite") == judge / "suite"
    assert tree.locate("conformance/inputs.toml") == tmp_path / "conformance" / "inputs.toml"
    assert tree.locate("reference/tests") == tmp_path / "reference" / "tests"
    assert tree.name(judged / "_ids.py") == "reference/gritwit/_ids.py"
    assert tree.name(judge / "suite" / "x.py") == "conformance/gritwit_conformance/suite/x.py"
    assert tree.name(tmp_path / "spec" / "01-encoding.md") == "spec/01-encoding.md"
    checkout = Resources(root=REPO, installed=False)  # a checkout maps nothing
    assert checkout.locate("reference/gritwit") == REPO / "reference" / "gritwit"


@pytest.mark.req("CONV-005", "SBX-002.1")
@pytest.mark.slow
def test_verify_without_the_sandbox_extra_skips_and_counts_the_sandbox_vectors(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sandbox = json.loads((VECTORS / "sandbox.json").read_text(encoding="utf-8"))
    count = sum(len(group["vectors"]) for group in sandbox["groups"])
    monkeypatch.setattr(_verify, "sandbox_available", lambda: False)
    directory = tmp_path / "vectors"
    shutil.copytree(VECTORS, directory)
    assert cli.main(["vectors", "verify", "--dir", str(directory)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"{count} sandbox vectors skipped: pip install 'gritwit[sandbox]'")
    assert " 0 problem(s)" in out and count > 0
    # the other files are still checked: a changed vector is reported, not skipped
    wasm = directory / "wasm.json"
    wasm.write_text(wasm.read_text(encoding="utf-8").replace('"valid"', '"invalid"', 1))
    report = _verify.verify(directory)
    assert report.skipped == count and not report.ok
    assert ("drift", "wasm.json") in {(p.check, p.path) for p in report.problems}
