"""``python -m gritwit``: the reference's own commands (``adapter``, ``runtime``, ``wasm``,
``sandbox``; :mod:`gritwit._commands`).

``python -m gritwit adapter`` serves the reference over stdio (ADP-001).  The judge's
commands (``conform``, ``perf``, ``mutate``, ``report``, ``vectors``, ``trace``) moved to
the ``gritwit`` command, i.e. ``python -m gritwit_conformance``.  For one version
``python -m gritwit conform …`` still runs them, after a deprecation warning: it runs
``gritwit_conformance`` by module name (:func:`runpy.run_module`), so the reference
imports nothing of the judge.  The forward goes in the next version.
"""

from __future__ import annotations

import runpy
import sys
import warnings

#: The judge's commands that ``python -m gritwit`` forwards for one more version.
MOVED = frozenset({"conform", "perf", "mutate", "report", "vectors", "trace"})


def _main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command in MOVED:
        warnings.warn(
            f"`python -m gritwit {command}` moved to the conformance package: run "
            f"`gritwit {command}` or `python -m gritwit_conformance {command}`; "
            "this forward is removed in the next version",
            DeprecationWarning,
            stacklevel=1,
        )
        sys.stderr.flush()
        runpy.run_module("gritwit_conformance", run_name="__main__", alter_sys=True)
        return 0  # not reached: gritwit_conformance's __main__ exits
    from ._commands import main

    return main()


if __name__ == "__main__":
    raise SystemExit(_main())
