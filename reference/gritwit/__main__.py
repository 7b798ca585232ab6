"""``python -m gritwit``: the reference's own commands (``adapter``, ``runtime``, ``wasm``,
``sandbox``; :mod:`gritwit._commands`).

``python -m gritwit adapter`` serves the reference over stdio (ADP-001).  The judge's
commands (``conform``, ``perf``, ``mutate``, ``report``, ``vectors``, ``trace``) are the
``gritwit`` command, i.e. ``python -m gritwit_conformance``; the reference imports nothing
of the judge.
"""

from __future__ import annotations


def _main() -> int:
    from ._pipes import stop_at_interrupt

    stop_at_interrupt("python -m gritwit")  # before the commands' imports: Ctrl-C there too
    from ._commands import main

    return main()


if __name__ == "__main__":
    raise SystemExit(_main())
