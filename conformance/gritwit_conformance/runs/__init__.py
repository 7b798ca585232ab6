"""The judge's commands that run something: ``gritwit conform`` and its selections,
``gritwit replay`` and ``gritwit perf`` (ADP-006, ADP-018, ADP-020.7), with a run's
live progress (:mod:`._progress`) and its JSON report (:mod:`._run_report`, ADP-020).

The command-line wiring is in :mod:`gritwit_conformance.cli`; these modules do the work.
"""
