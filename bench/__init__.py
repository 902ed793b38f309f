"""Benchmarks: ``python -m bench`` runs every ``bench_*.py`` and tabulates its ``key=value`` figures."""
