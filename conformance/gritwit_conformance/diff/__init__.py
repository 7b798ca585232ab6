"""Why two ids differ (ADP-017): the first structural divergence between two objects
(:mod:`._objects`) and the diffs beside the object walk — bundles, encodings and
descriptions (:mod:`._more`); and why an implementation's bytes differ, the rule they
break (:func:`diagnose`, :mod:`._diagnose`)."""

from ._diagnose import Diagnosis, diagnose

__all__ = ["Diagnosis", "diagnose"]
