"""The judge's commands that run something: ``gritwit conform`` and its selections,
``gritwit replay`` and ``gritwit perf`` (ADP-006, ADP-018, ADP-020.7), with a run's
live progress (:mod:`._progress`) and its JSON report (:mod:`._run_report`, ADP-020).

The command-line wiring is in :mod:`gritwit_conformance.cli`; these modules do the work.
"""

# The public seam of a run's verdicts (ADP-020.1): one typed verdict per test, folded
# once from pytest's phase reports, for whoever judges by how tests ended (the mutation
# worker) without reading pytest's reports itself.
from ._verdict import Outcome, Verdict, VerdictBook

__all__ = ["Outcome", "Verdict", "VerdictBook"]
