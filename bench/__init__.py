"""Benchmarks: `make bench` (pages, bench/http_bench.py) and `make bench-contest` (the contest
flow, bench/contest_load.py). Results and method: bench/RESULTS.md."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
