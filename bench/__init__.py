"""Benchmarks (`make bench`): each bench_*.py module here defines `run(database_url, args)`.

They print medians, p95s and ratios; they are measurements, not pass/fail tests.
"""
