"""airspeed velocity benchmarks for gritwit (configuration: asv.conf.json at the root)."""
