"""The command line refuses bad arguments with a message, never a traceback.

* numeric and command arguments of every subcommand are checked by argparse
  (exit 2, one ``error:`` line naming the argument);
* commands that open a store refuse a path that holds none, unless ``--create``;
* ``gritwit conform --help`` lists the profiles and the defaults;
* ``gritwit report`` links requirements to the spec from wherever the page is
  written (CONV-005), and says how reports are made when one is missing.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gritwit_conformance import PROFILES
from gritwit_conformance.report import BASE_URL_VARIABLE, spec_base_url_for

GRITWIT = [sys.executable, "-m", "gritwit_conformance"]
ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> tuple[int, str]:
    done = subprocess.run(
        [*GRITWIT, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["conform", "--impl", ""], "argument --impl: empty command"),
        (["conform", "--impl", "   "], "argument --impl: empty command"),
        (["conform", "--impl", 'node "adapter.mjs'], "argument --impl: cannot split"),
        (["conform", "--timeout", "-1"], "argument --timeout: must be more than 0"),
        (["conform", "--timeout", "0"], "argument --timeout: must be more than 0"),
        (["conform", "--timeout", "nan"], "argument --timeout: 'nan' is not a finite number"),
        (["conform", "--timeout", "soon"], "argument --timeout: 'soon' is not a number"),
        (["conform", "-n", "-1"], "argument -n: must be 0 or more"),
        (["conform", "--examples", "0"], "argument --examples: must be at least 1"),
        (["conform", "--profile", "codecs"], "argument --profile: invalid choice"),
        (["conform", "--vectors", "/no/such/dir"], "argument --vectors: '/no/such/dir' is not"),
        (["mutate", "--sample", "0"], "argument --sample: must be at least 1"),
        (["mutate", "--workers", "0"], "argument --workers: must be at least 1"),
        (["mutate", "--timeout", "0"], "argument --timeout: must be more than 0"),
        (["mutate", "--time-budget", "-5"], "argument --time-budget: must be more than 0"),
        (["mutate", "--min-score", "101"], "argument --min-score: must be a percentage"),
        (["mutate", "--rerun", "/no/such.json"], "--rerun: '/no/such.json' is not a file"),
        (["runtime", "run", "x", "--time-limit", "0"], "argument --time-limit: must be more"),
        (["trace", "--root", "/no/such/dir"], "argument --root: '/no/such/dir' is not"),
        (["vectors", "verify", "--dir", "/no/such/dir"], "argument --dir: '/no/such/dir' is not"),
        (["wasm", "build", "--dir", "/no/such/dir"], "argument --dir: '/no/such/dir' is not"),
    ],
)
def test_bad_arguments_get_a_message(tmp_path: Path, args: list[str], message: str) -> None:
    status, output = run(*args, cwd=tmp_path)
    assert status == 2, output
    assert message in output, output
    assert "Traceback" not in output


def test_the_pytest_plugin_refuses_a_timeout_of_zero(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--impl", "python x.py",
         "--gritwit-timeout", "0", "--collect-only", "-q", str(tmp_path)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    assert "--gritwit-timeout must be more than 0" in done.stderr


@pytest.mark.parametrize("action", ["heads", "verify", "run"])
def test_a_path_that_is_no_store_is_refused(tmp_path: Path, action: str) -> None:
    typo = tmp_path / "stroe"
    status, output = run("runtime", action, str(typo))
    assert status == 2 and "is not a gritwit store" in output, output
    # only the verb that writes offers to make one: the read-only ones do not take --create
    assert ("--create" in output) == (action == "run"), output
    assert not typo.exists(), "the mistyped path became a store"
    empty = tmp_path / "empty"
    empty.mkdir()
    status, output = run("runtime", action, str(empty))
    assert status == 2 and "is not a gritwit store" in output, output
    assert list(empty.iterdir()) == []


def test_create_makes_a_store_that_later_commands_open(tmp_path: Path) -> None:
    store = tmp_path / "store"
    status, output = run("runtime", "run", str(store), "--create")
    assert status == 0, output
    status, output = run("runtime", "verify", str(store))
    assert status == 0 and "runtime verify: OK" in output, output


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    status, output = run("runtime", "heads", str(tmp_path / "notes.txt"))
    assert status == 2 and "is not a directory" in output, output
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "gritwit.sqlite3").write_text("not a database", encoding="utf-8")
    status, output = run("runtime", "heads", str(fake))
    assert status == 2 and "cannot open the store" in output and "Traceback" not in output


def test_a_bad_actor_id_is_refused(tmp_path: Path) -> None:
    assert run("runtime", "run", str(tmp_path), "--create")[0] == 0  # a store, empty
    status, output = run("runtime", "history", str(tmp_path), "zz")
    assert status == 2 and "'zz' is neither an actor id" in output and "Traceback" not in output


def test_conform_help_lists_profiles_and_defaults() -> None:
    status, output = run("conform", "--help")
    assert status == 0
    text = " ".join(output.split())
    for profile in PROFILES:
        assert profile in text
    assert "default: 10" in text, "the --timeout default is not shown"
    assert "default: 100" in text, "the --examples default is not shown"
    assert "default: conformance-report" in text
    assert "default: 1" in text, "the -n default is not shown"


def _report(tmp_path: Path) -> Path:
    record = {"id": "suite/codec/t.py::t", "profile": "codec", "requirements": ["ENC-007"],
              "outcome": "failed", "reason": "x", "duration": 0.1}  # fmt: skip
    document = {
        "format": "gritwit-report/1",
        "suite": {"name": "gritwit-conformance", "version": "0.1.0"},
        "specVersion": "0.1.0",
        "protocol": 1,
        "implementation": {"name": "x", "profiles": ["codec"], "command": "x"},
        "started": "2026-01-01T00:00:00+00:00",
        "duration": 1.0,
        "profiles": {"codec": {"claimed": True, "passed": 0, "failed": 1, "errored": 0,
                               "notClaimed": 0, "expectedFailures": 0, "unexpectedPasses": 0,
                               "failedRequirements": ["ENC-007"]}},
        "results": [record],
    }  # fmt: skip
    path = tmp_path / "r.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _link(page: Path) -> str:
    found = re.search(r'href="([^"]*01-encoding\.html#enc-007)"', page.read_text("utf-8"))
    assert found, "no requirement link"
    return found.group(1)


@pytest.mark.req("CONV-005")
@pytest.mark.parametrize("where", ["a", "a/b/c"])
def test_report_links_reach_the_built_spec_from_where_the_page_is(
    tmp_path: Path, where: str
) -> None:
    out = tmp_path / where / "matrix.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != BASE_URL_VARIABLE}
    status, output = run("report", str(_report(tmp_path)), "-o", str(out), cwd=ROOT, env=env)
    assert status == 0, output
    link = _link(out)
    assert not link.startswith(("/", "http")), link
    target = (out.parent / link.split("#")[0]).resolve()
    assert target == ROOT / "docs" / "_build" / "html" / "spec" / "01-encoding.html"


@pytest.mark.req("CONV-005")
def test_report_base_url_from_option_and_environment(tmp_path: Path) -> None:
    out = tmp_path / "m.html"
    env = {**os.environ, BASE_URL_VARIABLE: "https://docs.example/spec/"}
    status, output = run("report", str(_report(tmp_path)), "-o", str(out), env=env)
    assert status == 0, output
    assert _link(out) == "https://docs.example/spec/01-encoding.html#enc-007"
    status, output = run(
        "report", str(_report(tmp_path)), "-o", str(out), "--spec-base-url", "../s", env=env
    )
    assert status == 0, output
    assert _link(out) == "../s/01-encoding.html#enc-007"


def test_spec_base_url_outside_a_checkout_says_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    import gritwit_conformance.report as report

    monkeypatch.delenv(BASE_URL_VARIABLE, raising=False)
    monkeypatch.setattr(report, "_checkout_root", lambda: None)
    base, note = spec_base_url_for(Path("x.html"))
    assert base == report.DEFAULT_SPEC_BASE_URL and note and "--spec-base-url" in note


def test_report_of_a_missing_file_says_how_reports_are_made(tmp_path: Path) -> None:
    status, output = run("report", "reference.json", "node.json", cwd=tmp_path)
    assert status == 1 and "cannot read" in output
    assert "gritwit conform --out NAME" in output and "Traceback" not in output


def _suite_run(tmp_path: Path, tty: bool, *extra: str) -> str:
    """pytest on two small suite files with the options ``gritwit conform`` passes."""
    from gritwit_conformance.runs._conform import SUITE_DIR

    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\n", encoding="utf-8")
    command = [
        sys.executable, "-m", "pytest", "-c", str(ini), "--rootdir", str(SUITE_DIR.parent),
        "-p", "no:cacheprovider", "-q", "--tb=no", "--no-header", "-rN",
        "-o", "console_output_style=classic", "--gritwit-progress",
        "--gritwit-json", str(tmp_path / "r.json"),
        str(SUITE_DIR / "protocol" / "test_protocol.py"),
        str(SUITE_DIR / "codec" / "test_codec_descriptions.py"), *extra,
    ]  # fmt: skip
    if not tty:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        return done.stdout
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(command, stdout=slave, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child side closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    proc.wait(timeout=300)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "terminal"])
def test_progress_per_profile(tmp_path: Path, tty: bool) -> None:
    output = _suite_run(tmp_path, tty)
    done = re.findall(
        r"^\r?suite/(\w+)/\s+(\d+)/(\d+)\s+tests ended", output.replace("\r", "\n"), re.M
    )
    assert {profile for profile, _, _ in done} == {"protocol", "codec"}, output
    assert all(a == b for _, a, b in done), done
    assert not re.search(r"^\.{5,}", output, re.M), "pytest's progress dots are still printed"
    if tty:
        assert re.search(r"\rrunning: suite/(protocol|codec)/ \d+/\d+", output), output
    else:  # a log gets whole lines: a running line at most every LOG_INTERVAL seconds
        assert "\r" not in output, "a pipe gets no line rewritten in place"


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "terminal"])
def test_a_failure_is_named_when_it_happens(tmp_path: Path, tty: bool) -> None:
    """Results stream: each failing test is named, with its report outcome,
    as it ends — before its profile's final line, not only in the summary at the end."""
    wrong = f"{sys.executable} -m gritwit_conformance.wrong.protocol_accepts_uppercase_hex"
    output = _suite_run(tmp_path, tty, "--impl", wrong).replace("\r", "\n")
    named = re.findall(r"^  FAILED   (suite/.+?)\s*$", output, re.M)
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    failed = [r["id"] for r in report["results"] if r["outcome"] == "failed"]
    assert failed and sorted(named) == sorted(failed), output
    profile = failed[0].split("/")[1]
    ended = re.search(rf"^suite/{profile}/\s+\d+/\d+\s+tests ended", output, re.M)
    assert ended and output.index(f"  FAILED   {failed[0]}") < ended.start(), output


@pytest.mark.req("ADP-005.3")
def test_the_page_shows_an_interrupted_run_and_stale_known_failures(tmp_path: Path) -> None:
    path = _report(tmp_path)
    document = json.loads(path.read_text("utf-8"))
    document["interrupted"] = "SIGTERM"
    document["staleKnownFailures"] = [{"test": "test_renamed_long_ago", "reason": "#42"}]
    path.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "m.html"
    status, output = run("report", str(path), "-o", str(out))
    assert status == 0, output
    page = out.read_text("utf-8")
    assert "INCOMPLETE run (interrupted by SIGTERM)" in page and "not a pass" in page
    assert "stale known failure <code>test_renamed_long_ago</code>" in page


@pytest.mark.parametrize("heavy", [False, True])
def test_conform_leaves_heavy_tests_out_unless_asked(heavy: bool) -> None:
    """``gritwit conform`` deselects ``heavy`` tests (minutes each) unless ``--heavy``."""
    from gritwit_conformance.runs._conform import _pytest_args

    args = _pytest_args(profiles=["runtime"], workers=1, heavy=heavy, ini=Path("pytest.ini"))
    marker = [args[i + 1] for i, a in enumerate(args[:-1]) if a == "-m"]
    assert marker == ([] if heavy else ["not heavy"]), args
