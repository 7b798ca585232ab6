"""What the suite reads and names: where its data is (:mod:`._paths`), the golden
vectors it runs (:mod:`._vectors`), the input classes where implementations differ
(:mod:`._classes`), what a requirement ID looks like (:mod:`._requirement_ids`) and
which cited clauses are newer than a spec version (:mod:`._versions`, spec/CHANGES.md).
It imports nothing else of the judge (the ``judge-layers`` import contract)."""

from ._paths import wasm_dir

__all__ = ["wasm_dir"]
