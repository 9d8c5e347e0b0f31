"""Benchmarks of the warehouse at a large scale: `make bench` / `python -m benchmarks`.

A run is a list of stages (``pipeline``, ``floor``, ``pandas_peer``, ``continuation``,
``scaling``), each a list of timed steps. Every step records wall time, CPU time, peak
resident memory of the whole process tree (this process and every child, e.g. dbt), rows
and rows per second; a run writes
``benchmarks/results/<timestamp>-s<scale>.json`` and ``benchmarks/results/latest.md``.
See ``benchmarks/README.md``.
"""
