"""The command line's quick commands, each a fresh process as a user runs it.

* ``timeraw_version`` — ``gritwit --version``;
* ``timeraw_actor_send`` — ``gritwit actor send`` of an ``inc`` to a counter on a
  directory store (the store made in the untimed set-up);
* ``timeraw_python`` — ``python -c pass`` beside them, the floor.

asv times a ``timeraw_`` benchmark's code in a new interpreter, its imports included:
what a user waits for.  asv reads that interpreter's standard output as the time taken,
so what the command prints (its version, the message id sent) goes to ``os.devnull``
instead: a printed line there fails the benchmark.  CI's gate counts the same commands'
instructions against the floor's (``python -m asv_bench.tools.cli_cost --check``); this
keeps their wall-time history.
"""

from __future__ import annotations

_STORE_SETUP = """
import subprocess, sys, tempfile
store = tempfile.mkdtemp() + "/store"
gritwit = [sys.executable, "-m", "gritwit"]
actor = subprocess.run([*gritwit, "actor", "create", "--store", store, "--create",
                        "--test", "counter"], capture_output=True, text=True,
                       check=True).stdout.strip()
subprocess.run([*gritwit, "runtime", "run", store], capture_output=True, check=True)
"""

# The timed code's own prelude: the command line, and its output sent to os.devnull.
_QUIET = """
import contextlib, os
from gritwit_conformance.cli import main
def quiet():
    return contextlib.redirect_stdout(open(os.devnull, "w"))
"""


def timeraw_python() -> str:
    return "pass"


def timeraw_version() -> str:
    return (
        f"{_QUIET}"
        "try:\n    with quiet():\n        main(['--version'])\nexcept SystemExit:\n    pass\n"
    )


def timeraw_actor_send() -> tuple[str, str]:
    code = (
        f"{_QUIET}"
        "with quiet():\n"
        "    main(['actor', 'send', '--store', store, '--mt', 'inc', actor, '1'])\n"
    )
    return code, _STORE_SETUP
