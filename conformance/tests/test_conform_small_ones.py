"""The small ones: what the commands and the docs leave unsaid.

* ``gritwit conform`` says in one line why ``sandbox`` is not claimed when the
  ``sandbox`` extra is missing (SBX-002.1), and so for ``http`` and the ``serve`` extra
  (ADP-021); a profile the adapter's ``hello`` leaves out gets a line that says so and
  what to run once it is claimed (ADP-006);
* ``gritwit vectors verify`` shows a line as each step ends and counts honestly: how
  many vectors ran through the reference, how many did not and why (CONV-005);
* the contributing page gives a command for the sdist; the validate guide says where the Node
  example adapter comes from (a clone: neither the wheel nor the sdist carries it).

(``conform --bogus`` and exit 4 in ``conform --help``: test_conform_select.py.)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gritwit.adapter import _sandbox
from gritwit_conformance import cli
from gritwit_conformance.runs._conform import sandbox_note
from gritwit_conformance.runs._unclaimed import unclaimed_notes
from gritwit_conformance.vectors import _verify

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "vectors"


def _document(claimed: bool | None) -> dict[str, Any]:
    profiles: dict[str, Any] = {"codec": {"claimed": True}}
    if claimed is not None:
        profiles["sandbox"] = {"claimed": claimed}
    return {"profiles": profiles}


@pytest.mark.req("SBX-002.1", "ADP-019.1")
def test_an_unclaimed_sandbox_says_why_when_the_extra_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_sandbox, "sandbox_available", lambda: False)
    line = sandbox_note(_document(False), reference=True)
    assert line.startswith("sandbox not claimed: the reference needs the pinned interpreter")
    assert "pip install 'gritwit[sandbox]'" in line and "\n" not in line
    other = sandbox_note(_document(False), reference=False)
    assert other.startswith("sandbox not claimed by the adapter;") and "\n" not in other
    assert sandbox_note(_document(True), reference=True) == "", "claimed: nothing to say"
    assert sandbox_note(_document(None), reference=True) == "", "not part of the run"
    monkeypatch.setattr(_sandbox, "sandbox_available", lambda: True)
    assert sandbox_note(_document(False), reference=False) == "", "the extra is here"


def _unclaimed_document() -> dict[str, Any]:
    """A run where the implementation claims codec only: store and http are not claimed."""
    results = [{"profile": "codec", "outcome": "passed"}]
    results += [{"profile": "store", "outcome": "not-claimed"}] * 3
    results += [{"profile": "http", "outcome": "not-claimed"}] * 2
    profiles = {
        "codec": {"claimed": True},
        "store": {"claimed": False},
        "http": {"claimed": False},
    }
    return {"profiles": profiles, "results": results}


@pytest.mark.req("ADP-006", "ADP-021")
def test_an_unclaimed_http_says_the_serve_extra_is_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    from gritwit.adapter import _http

    monkeypatch.setattr(_http, "http_available", lambda: False)
    lines = unclaimed_notes(_unclaimed_document(), reference=True)
    assert lines[0] == (
        "http not claimed: the reference needs the HTTP service of the serve extra "
        "(Starlette, uvicorn), missing here (ADP-021): pip install 'gritwit[serve]', "
        "then gritwit conform --profile http"
    )
    # store is no extra's: the reference's hello left it out, which the second line says
    assert lines[1].startswith("not claimed: store (3 tests): the reference's hello")
    assert len(lines) == 2 and not any("\n" in line for line in lines)


@pytest.mark.req("ADP-006")
def test_profiles_the_adapter_leaves_out_get_one_line_with_the_next_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from gritwit.adapter import _http

    monkeypatch.setattr(_http, "http_available", lambda: True)  # the extra is here
    lines = unclaimed_notes(_unclaimed_document(), reference=False, impl="./my-adapter")
    assert lines == [
        "not claimed: store (3 tests), http (2 tests): the adapter's hello does not list "
        "them (ADP-006), so these tests did not run; to check one, implement its commands "
        "(spec chapter 5), list it in hello's profiles and run gritwit conform --profile "
        'NAME --impl "./my-adapter"'
    ]
    # the service is the reference's own: without its extra here, an adapter that leaves
    # http out has still chosen to, and the line says so rather than naming our extra
    monkeypatch.setattr(_http, "http_available", lambda: False)
    assert unclaimed_notes(_unclaimed_document(), reference=False, impl="./my-adapter") == lines
    everything = _unclaimed_document()
    for entry in everything["profiles"].values():
        entry["claimed"] = True
    assert unclaimed_notes(everything, reference=False, impl="./my-adapter") == []


@pytest.mark.slow
@pytest.mark.req("ADP-006")
def test_the_summary_of_a_run_says_why_a_profile_is_not_claimed(tmp_path: Path) -> None:
    """A whole ``gritwit conform`` against the reference claiming store only: the codec
    profile's tests are *not claimed*, and the summary's last lines say why and what next."""
    adapter = f"{sys.executable} -m gritwit adapter --profiles store"
    command = ["conform", "--profile", "codec", "--smoke", "--timeout-scale", "1"]
    done = subprocess.run(
        [sys.executable, "-m", "gritwit_conformance", *command, "--impl", adapter],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    line = next((x for x in done.stdout.splitlines() if x.startswith("not claimed: codec")), "")
    assert line, f"no line says why codec is not claimed:\n{done.stdout[-3000:]}"
    assert "the adapter's hello does not list them (ADP-006)" in line
    assert f'gritwit conform --profile NAME --impl "{adapter}"' in line


def _count(path: Path) -> int:
    document = json.loads(path.read_text(encoding="utf-8"))
    return sum(len(group["vectors"]) for group in document["groups"])


@pytest.mark.req("CONV-005", "SBX-002.1")
def test_vectors_verify_shows_progress_and_says_what_it_skipped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(_verify, "sandbox_available", lambda: False)
    directory = tmp_path / "vectors"
    directory.mkdir()
    for name in ("encoding.json", "sandbox.json"):
        shutil.copy(VECTORS / name, directory / name)
    shutil.copy(VECTORS / "vectors.schema.json", directory / "vectors.schema.json")
    ran, skipped = _count(directory / "encoding.json"), _count(directory / "sandbox.json")
    assert cli.main(["vectors", "verify", "--dir", str(directory), "--no-drift"]) == 0
    captured = capsys.readouterr()
    steps = re.findall(
        r"^  file (\d) of 2: (\S+), (\d+) vectors(.*) \(\d+ s\)$", captured.err, re.M
    )
    assert steps == [
        ("1", "encoding.json", str(ran), ""),
        ("2", "sandbox.json", str(skipped), " (not run: no sandbox interpreter)"),
    ], captured.err
    total = ran + skipped
    assert f"{total} vectors (" in captured.out
    assert f"{ran} of them run through the reference, {skipped} not" in captured.out
    last = captured.out.rstrip().splitlines()[-1]
    assert last == f"{skipped} sandbox vectors skipped: pip install 'gritwit[sandbox]'"


@pytest.mark.req("CONV-005")
def test_a_verify_that_skips_nothing_says_nothing_of_skips() -> None:
    report = _verify.Report(files=1, vectors=3, valid=2, invalid=1, problems=())
    assert report.summary() == "1 files, 3 vectors (2 valid, 1 invalid), 0 problem(s)"
    assert report.checked == 3


def _sh_blocks(text: str) -> list[str]:
    return re.findall(r"```(?:sh|console)\n(.*?)```", text, re.S)


def test_the_contributing_page_says_how_to_build_the_sdist() -> None:
    page = (REPO / "docs" / "contributing.md").read_text(encoding="utf-8")
    commands = "\n".join(_sh_blocks(page))
    assert "python -m build --sdist" in commands
    assert "build_meta.build_sdist('dist')" in commands


def test_the_validate_guide_says_where_the_node_example_comes_from() -> None:
    guide = (REPO / "docs" / "guide" / "validate.md").read_text(encoding="utf-8")
    intro = guide.split("## 1.")[0]
    assert "neither the wheel nor the sdist carries it" in intro
    assert "from a clone" in intro
    run = guide.split("## 2.")[1].split("```")[0]
    assert "conformance/adapters/node/" in run and "clone" in run
    # The guide's way to name the interpreter fails loudly without the extra, never "None".
    assert "print(s.interpreter_path())" not in guide
