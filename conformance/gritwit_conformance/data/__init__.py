"""What the suite reads and names: where its data is (:mod:`._paths`), the golden
vectors it runs (:mod:`._vectors`), the input classes where implementations differ
(:mod:`._classes`) and what a requirement ID looks like (:mod:`._requirement_ids`)."""
