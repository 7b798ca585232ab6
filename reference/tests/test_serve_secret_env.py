"""Secrets from the environment: ``gritwit serve --secret-env NAME=VARIABLE`` (PORT-009.1).

The secret ``NAME`` is the value of the variable ``VARIABLE``; with ``--secrets FILE``
the two are one set of secrets, and a name given twice, a variable that is not set or a
value PORT-009.1 does not allow keeps the service from starting (exit 2) with a line that
names the clause, the secret and the variable, never the value.  The whole session with a
secret from the environment, its value scanned for in every object of the store, is
``test_agent_guide.py``'s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gritwit.runtime import SecretError
from gritwit.runtime._port_secrets import environment_secrets, merge_secrets, parse_secrets

VALUE = "sk-agent66-Value-never-shown"


@pytest.mark.req("PORT-009.1")
def test_a_secret_is_the_value_of_its_variable() -> None:
    secrets = environment_secrets(
        ["model_key=MODEL_KEY", "b-2=OTHER"], {"MODEL_KEY": VALUE, "OTHER": "x"}
    )
    assert dict(secrets) == {"model_key": VALUE, "b-2": "x"}
    assert VALUE not in repr(secrets)


@pytest.mark.req("PORT-009.1", "PORT-009.3")
@pytest.mark.parametrize(
    ("pairs", "environ", "said"),
    [
        (["model_key=MODEL_KEY"], {}, "MODEL_KEY"),  # not set
        (["model_key=MODEL_KEY"], {"MODEL_KEY": ""}, "model_key"),  # empty
        (["model_key=MODEL_KEY"], {"MODEL_KEY": VALUE + "\n"}, "model_key"),  # a control char
        (["Model=MODEL_KEY"], {"MODEL_KEY": VALUE}, "name"),  # not a secret's name
        (["model_key"], {"model_key": VALUE}, "NAME=VARIABLE"),  # no variable
        (["a=MODEL_KEY", "a=MODEL_KEY"], {"MODEL_KEY": VALUE}, "twice"),
    ],
    ids=["unset", "empty", "control", "bad-name", "no-variable", "twice"],
)
def test_what_breaks_port_009_1_is_refused_naming_no_value(
    pairs: list[str], environ: dict[str, str], said: str
) -> None:
    with pytest.raises(SecretError) as caught:
        environment_secrets(pairs, environ)
    text = str(caught.value)
    assert text.startswith("PORT-009.1") and said in text, text
    assert VALUE not in text, f"PORT-009.3: the refusal shows the value: {text}"


@pytest.mark.req("PORT-009.1")
def test_a_name_in_the_file_and_the_environment_is_refused() -> None:
    with pytest.raises(SecretError, match=r"PORT-009\.1.*twice"):
        merge_secrets(parse_secrets({"k": "a"}), environment_secrets(["k=V"], {"V": "b"}))
    both = merge_secrets(parse_secrets({"k": "a"}), environment_secrets(["j=V"], {"V": "b"}))
    assert dict(both) == {"k": "a", "j": "b"}


def _serve(tmp_path: Path, *extra: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``gritwit serve`` that must refuse to start: it exits before it listens.  One that
    starts all the same (a wrong implementation) is stopped at its first line, so the test
    fails at once instead of waiting for a service that never ends."""
    command = [sys.executable, "-m", "gritwit", "serve", "--store", str(tmp_path / "s")]
    process = subprocess.Popen(
        [*command, "--create", "--listen", "127.0.0.1:0", *extra],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # "listening on" once it serves; "" once it exits
    if first.startswith("gritwit serve: listening"):
        process.terminate()
    out, err = process.communicate(timeout=120)
    assert not first.startswith("gritwit serve: listening"), (
        f"PORT-009.1: the service should refuse to start, yet it listens ({first.strip()})"
    )
    return subprocess.CompletedProcess(process.args, process.returncode, first + out, err)


@pytest.mark.req("PORT-009.1", "PORT-009.3")
def test_serve_refuses_to_start_without_the_variable_or_with_a_name_twice(tmp_path: Path) -> None:
    unset = _serve(tmp_path, "--secret-env", "model_key=AGENT66_UNSET_VARIABLE", env={})
    assert unset.returncode == 2, unset
    assert "PORT-009.1" in unset.stderr and "AGENT66_UNSET_VARIABLE" in unset.stderr
    file = tmp_path / "secrets.json"
    file.write_text(json.dumps({"model_key": "from-the-file"}), encoding="utf-8")
    twice = _serve(
        tmp_path,
        "--secrets",
        str(file),
        "--secret-env",
        "model_key=AGENT66_KEY",
        env={"AGENT66_KEY": VALUE},
    )
    assert twice.returncode == 2, twice
    assert "PORT-009.1" in twice.stderr and "twice" in twice.stderr, twice.stderr
    assert VALUE not in twice.stderr + twice.stdout and "from-the-file" not in twice.stderr
