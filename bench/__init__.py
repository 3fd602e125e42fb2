"""Benchmarks and budgets (`make bench` runs them all); see bench/README.md."""
