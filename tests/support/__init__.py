"""Helpers shared by the test suites and the benchmarks (not part of the devenv package)."""
