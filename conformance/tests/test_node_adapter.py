"""The Node.js example adapter passes codec, store, wit and wasm: the protocol is language-neutral.

Its Wit executor and Wasm host (V8's WebAssembly, fuel metered by instrumenting the
module) are a second host: every scenario vector, Wasm ones included, must give the
reference's step ids (ADP-014, ADP-016).
"""

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


@pytest.mark.req(
    "ADP-001", "ADP-005", "ADP-006", "ADP-009", "ADP-010", "ADP-014", "ADP-016", "WASM-022"
)
def test_node_adapter_passes_codec_store_wit_and_wasm(node_adapter: str, tmp_path: Path) -> None:
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
    assert set(report["implementation"]["profiles"]) == {"codec", "store", "wit", "wasm"}
    unclaimed = ("runtime",)
    outcomes = {(r["profile"] in unclaimed, r["outcome"]) for r in report["results"]}
    # No known failures are declared (ADP-005): every claimed test passes, even the
    # vectors flagged Fuel, since the adapter meters fuel; runtime is not claimed (ADP-006).
    assert outcomes == {(False, "passed"), (True, "not-claimed")}
    profiles = report["profiles"]
    assert profiles["codec"]["passed"] >= 600
    assert profiles["wit"]["passed"] >= 100  # every scenario of scenarios.json
    assert profiles["wasm"]["passed"] >= 20  # every scenario of wasm.json, hostile ones too
    assert profiles["wasm"]["expectedFailures"] == 0
