"""The Node.js example adapter passes codec and store: the protocol is language-neutral."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

NODE_DIR = Path(__file__).resolve().parents[1] / "adapters" / "node"
RUN_LIMIT = 600  # seconds: a bound against hangs, not a performance assertion


@pytest.fixture(scope="module")
def node_adapter() -> str:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed: the Node.js example adapter cannot run here")
    if not (NODE_DIR / "node_modules").is_dir():
        if npm is None:
            pytest.skip("npm is not installed: cannot install the Node adapter's packages")
        # An install from the npm registry with the committed lockfile (installs may
        # use the registries; the test itself then runs offline).
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True, timeout=RUN_LIMIT
        )
    return f"{node} {NODE_DIR / 'adapter.mjs'}"


@pytest.mark.req("ADP-001", "ADP-005", "ADP-006", "ADP-009", "ADP-010")
def test_node_adapter_passes_codec_and_store(node_adapter: str, tmp_path: Path) -> None:
    out = tmp_path / "node"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gritwit",
            "conform",
            "--impl",
            node_adapter,
            "-n",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=RUN_LIMIT,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    report = json.loads(out.with_suffix(".json").read_text())
    assert report["implementation"]["language"] == "javascript"
    assert set(report["implementation"]["profiles"]) == {"codec", "store"}
    unclaimed = ("wit", "runtime")
    outcomes = {(r["profile"] in unclaimed, r["outcome"]) for r in report["results"]}
    assert outcomes == {(False, "passed"), (True, "not-claimed")}  # wit, runtime: ADP-006
    assert report["profiles"]["codec"]["passed"] >= 600
